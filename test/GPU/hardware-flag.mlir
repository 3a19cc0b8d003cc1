// The flag kernel of test/GPU/hardware-futures.mlir: block 1 raises a flag
// with a release store, block 0 awaits it (an acquire load per poll), then
// adds to another flag with a release fence and an atomic add.
// RUN: %gpu-run %S/hardware-futures.mlir --emit=ptx --features +ptx86 | filecheck %s
// GPU-SOURCE: hardware-futures.mlir
// GPU-EXEC: --entry handoff --features +ptx86 --grid 2,1,1 --block 1,1,1 --arg 'memref<2xi32>' --timeout 60
// GPU-EXPECT: arg 0: [42, 43]
// CHECK-LABEL: .entry handoff(
// CHECK: st.release.gpu.global.b32
// CHECK: ld.acquire.gpu.global.b32
// CHECK: fence.release.gpu
// CHECK-NEXT: atom.{{.*}}add.u32
