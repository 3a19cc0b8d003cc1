// gasync-run's exit codes: 1 for an invalid program, 2 for a bad command line.
// RUN: not gasync-run %s --entry nope 2>&1 | filecheck %s --check-prefix=NOENTRY
// RUN: not gasync-run %s --entry main 2>&1 | filecheck %s --check-prefix=ARGS
// RUN: not gasync-run %s --entry main --arg x 2>&1 | filecheck %s --check-prefix=LITERAL
// RUN: not gasync-run %s --entry twice --arg 1 2>&1 | filecheck %s --check-prefix=ASYNC
// RUN: gasync-run %s --entry main --arg 1; test $? -eq 0
// RUN: gasync-run %s --entry main; test $? -eq 2
// RUN: gasync-run %s --entry nope; test $? -eq 1
// NOENTRY: error: no top-level func.func named '@nope' to run
// ARGS: gasync-run: error: the entry takes 1 argument(s), 0 given with --arg
// LITERAL: gasync-run: error: 'x' is not a literal of type i32
// ASYNC: errors.mlir:13:1: error: entry '@twice' is an async function
func.func private @twice(%x: i32) -> i32 attributes {gasync.async} {
  %r = arith.addi %x, %x : i32
  return %r : i32
}

func.func @main(%x: i32) -> i32 {
  %f = "gasync.future"(%x) {callee = @twice} : (i32) -> !gasync.fut<i32>
  %r = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %r : i32
}
