// A task that yields forever on the GPU: the watchdog (default budget,
// 100,000,000 polls) stops the executor; exit 3 naming the kernel.
// RUN: %gpu-run %S/executor-faults.mlir --emit=ptx | filecheck %s
// CHECK: .visible .entry forever(
// GPU-SOURCE: executor-faults.mlir
// GPU-EXEC: --entry forever --block 1 --timeout 60
// GPU-EXIT: 3
// GPU-STDERR: watchdog
// GPU-STDERR: forever
// GPU-STDERR: (polling the yield in '@spin' at
// GPU-STDERR: executor-faults.mlir:41:7)
