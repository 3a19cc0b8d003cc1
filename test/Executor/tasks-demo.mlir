// The three-task demo interleaves: round-robin over ready tasks.
// RUN: gasync-run %S/../../examples/tasks.mlir --entry main --arg 'memref<1x12x2xi32>' --arg 'memref<1xi32>' | filecheck %s
// The same with a warp-scope executor (on the CPU a warp is one lane).
// RUN: sed 's/{pool = 4 : i32} : (!gasync.fut<i32>) -> i32$/{pool = 4 : i32, scope = "warp"} : (!gasync.fut<i32>) -> i32/' %S/../../examples/tasks.mlir > %t.warp.mlir
// RUN: grep -c 'scope = "warp"' %t.warp.mlir | filecheck %s --check-prefix=WARP
// RUN: gasync-run %t.warp.mlir --entry main --arg 'memref<1x12x2xi32>' --arg 'memref<1xi32>' | filecheck %s
// And with a block-scope executor (on the CPU a block is one warp of one lane).
// RUN: sed 's/{pool = 4 : i32} : (!gasync.fut<i32>) -> i32$/{pool = 4 : i32, scope = "block"} : (!gasync.fut<i32>) -> i32/' %S/../../examples/tasks.mlir > %t.block.mlir
// RUN: grep -c 'scope = "block"' %t.block.mlir | filecheck %s --check-prefix=BLOCK
// RUN: gasync-run %t.block.mlir --entry main --arg 'memref<1x12x2xi32>' --arg 'memref<1xi32>' | filecheck %s
// CHECK: result 0: 612
// CHECK-NEXT: arg 0: {{\[\[}}[1, 0], [2, 0], [3, 0], [1, 1], [2, 1], [3, 1], [1, 2], [2, 2], [3, 2], [1, 3], [2, 3], [3, 3]]]
// CHECK-NEXT: arg 1: [12]
// WARP: 3
// BLOCK: 3
