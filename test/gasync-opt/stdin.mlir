// The input is read from stdin when no file (or `-`) is named; its
// diagnostics are located in `<stdin>`.
// RUN: gasync-opt < %S/Inputs/simple.mlir | filecheck %s
// RUN: cat %S/Inputs/simple.mlir | gasync-opt - | filecheck %s
// RUN: not gasync-opt < %S/Inputs/invalid.mlir 2>&1 | filecheck %s --check-prefix=ERR
// RUN: not gasync-opt - < %S/Inputs/invalid.mlir 2>&1 | filecheck %s --check-prefix=ERR
// Passes and stdin together.
// RUN: gasync-opt --canonicalize < %S/Inputs/simple.mlir | filecheck %s --check-prefix=CANON

// CHECK: func.func @add_zero
// CHECK: arith.addi
// CHECK: func.func @main
// CHECK: "gasync.block_on"

// ERR: <stdin>:7:3: error: 'gasync.await' is only allowed inside an async function or async block
// ERR-NOT: Traceback

// CANON: func.func @add_zero(%[[X:.*]]: i32) -> i32 attributes {gasync.async}
// CANON-NEXT: return %[[X]] : i32
