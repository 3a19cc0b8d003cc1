// gasync-run rejects bad entries and arguments with a message (exact exit
// codes: test/python/test_run_cli.py).
// RUN: not gasync-run %s --entry nope 2>&1 | filecheck %s --check-prefix=NOENTRY
// RUN: not gasync-run %s --entry main 2>&1 | filecheck %s --check-prefix=ARGS
// RUN: not gasync-run %s --entry main --arg x 2>&1 | filecheck %s --check-prefix=LITERAL
// RUN: not gasync-run %s --entry twice --arg 1 2>&1 | filecheck %s --check-prefix=ASYNC
// NOENTRY: error: no top-level func.func named '@nope' to run
// ARGS: gasync-run: error: the entry takes 1 argument(s), 0 given with --arg
// LITERAL: gasync-run: error: 'x' is not a literal of type i32
// ASYNC: errors.mlir:11:1: error: entry '@twice' is an async function
func.func private @twice(%x: i32) -> i32 attributes {gasync.async} {
  %r = arith.addi %x, %x : i32
  return %r : i32
}

func.func @main(%x: i32) -> i32 {
  %f = "gasync.future"(%x) {callee = @twice} : (i32) -> !gasync.fut<i32>
  %r = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %r : i32
}
