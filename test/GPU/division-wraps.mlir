// The kernel of division-by-zero.mlir on its first three threads: 7 / 2,
// INT_MIN / -1 (wraps to INT_MIN), 9 / 3; no fault.
// RUN: %gpu-run %S/division-by-zero.mlir --emit=ptx | filecheck %s
// CHECK: .visible .entry divide(
// GPU-SOURCE: division-by-zero.mlir
// GPU-EXEC: --entry divide --block 3 --arg memref<4xi32>=[7,-2147483648,9,12] --arg memref<4xi32>=[2,-1,3,0]
// GPU-EXPECT: arg 0: [3, -2147483648, 3, 12]
// GPU-EXPECT: arg 1: [2, -1, 3, 0]
