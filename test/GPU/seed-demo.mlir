// The seed's kernel on the GPU: examples/seed_demo.mlir's @seed_kernel, 256
// threads, thread i running the six cases with val + i. Its futures are all
// ready, so every block_on folds away: no call, no local-memory frame.
// The GPU run must print exactly what the CPU run of @seed_table (the same
// six cases for val + i, through the CPU pipeline) prints.
// RUN: %gpu-run %S/../../examples/seed_demo.mlir --emit=ptx | filecheck %s
// CHECK: .visible .entry seed_kernel(
// CHECK-NOT: .local
// CHECK-NOT: call
// CHECK: ret;
// GPU-SOURCE: ../../examples/seed_demo.mlir
// GPU-EXEC: --entry seed_kernel --grid 2 --block 128 --arg 'memref<256x6xi32>' --arg 21 --arg 1
// GPU-EXPECT-CPU: --entry seed_table --arg 'memref<256x6xi32>' --arg 21 --arg 1
