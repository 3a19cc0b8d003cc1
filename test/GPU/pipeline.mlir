// examples/pipeline.mlir on the GPU: per block one producer thread fills a
// 4-slot channel of 8 KiB tiles by bulk copies, 256 consumer threads compute
// y = a*x + b and release the slots. 2 blocks x 8 tiles: each block's ring
// wraps twice. Its polls are single mbarrier.test_wait.parity tests.
// RUN: %gpu-run %S/../../examples/pipeline.mlir --features +ptx86 --emit=ptx | filecheck %s
// GPU-SOURCE: ../../examples/pipeline.mlir
// GPU-EXEC: --entry pipeline --features +ptx86 --grid 2,1,1 --block 288,1,1 --arg 'memref<32768xf32>=1.5' --arg 'memref<32768xf32>' --arg 2.0 --arg 0.5 --arg 16 --timeout 60
// GPU-EXPECT-CPU: --entry reference --arg 'memref<32768xf32>=1.5' --arg 'memref<32768xf32>' --arg 2.0 --arg 0.5 --arg 16
// CHECK-LABEL: .entry pipeline(
// CHECK-NOT: try_wait
// CHECK: mbarrier.test_wait.parity.shared.b64
// CHECK-NOT: try_wait
// CHECK: cp.async.bulk.shared::cta.global.mbarrier::complete_tx::bytes
// CHECK-NOT: try_wait
