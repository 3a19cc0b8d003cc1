// The seed's kernel with the flag clear (the conditional case keeps val + i),
// against the CPU run of the same inputs.
// RUN: %gpu-run %S/../../examples/seed_demo.mlir --emit=ptx | filecheck %s
// CHECK: .visible .entry seed_kernel(
// GPU-SOURCE: ../../examples/seed_demo.mlir
// GPU-EXEC: --entry seed_kernel --grid 2 --block 128 --arg 'memref<256x6xi32>' --arg 21 --arg 0
// GPU-EXPECT-CPU: --entry seed_table --arg 'memref<256x6xi32>' --arg 21 --arg 0
