// The timer kernel of test/GPU/hardware-futures.mlir: a 10 us sleep future
// polled by reading the global timer.
// RUN: %gpu-run %S/hardware-futures.mlir --emit=ptx --features +ptx86 | filecheck %s
// GPU-SOURCE: hardware-futures.mlir
// GPU-EXEC: --entry nap --features +ptx86 --block 1,1,1 --arg 'memref<1xi64>' --timeout 60
// CHECK-LABEL: .entry nap(
// CHECK: %globaltimer
// CHECK: %globaltimer
