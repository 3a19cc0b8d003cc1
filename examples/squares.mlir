// The README's walk-through: a² + b², where a task squares b while the root
// squares a. Run it, then read the state machines:
//
//   .venv/bin/gasync-run examples/squares.mlir --entry main --arg 3 --arg 4
//   .venv/bin/gasync-opt examples/squares.mlir --gasync-coro

module {
  // An async function is a func.func with the unit attribute gasync.async.
  // It suspends once (gasync.yield: pending on the first poll, so other
  // tasks run), then returns x * x as its future's value.
  func.func private @square(%x: i32) -> i32 attributes {gasync.async} {
    "gasync.yield"() : () -> ()
    %y = arith.muli %x, %x : i32
    return %y : i32
  }

  func.func private @sum_of_squares(%a: i32, %b: i32) -> i32 attributes {gasync.async} {
    // A future of @square(b). Creating it runs nothing; spawning hands it to
    // the executor as a task of its own, and %tb is the task's handle.
    %fb = "gasync.future"(%b) {callee = @square} : (i32) -> !gasync.fut<i32>
    %tb = "gasync.spawn"(%fb) : (!gasync.fut<i32>) -> !gasync.task<i32>
    // Awaiting a future: @square(a)'s frame lives inside this function's
    // frame and is polled in place; while it is pending, so is this one.
    %fa = "gasync.future"(%a) {callee = @square} : (i32) -> !gasync.fut<i32>
    %sa = "gasync.await"(%fa) : (!gasync.fut<i32>) -> i32
    // Awaiting a task joins it: this task waits until the other one is done.
    %sb = "gasync.await"(%tb) : (!gasync.task<i32>) -> i32
    %sum = arith.addi %sa, %sb : i32
    return %sum : i32
  }

  // Host code (not async) runs a future to completion with gasync.block_on.
  // The future spawns a task, so block_on runs an executor (pool = 4 task
  // slots here; 16 when the attribute is left out).
  func.func @main(%a: i32, %b: i32) -> i32 {
    %f = "gasync.future"(%a, %b) {callee = @sum_of_squares} : (i32, i32) -> !gasync.fut<i32>
    %r = "gasync.block_on"(%f) {pool = 4 : i32} : (!gasync.fut<i32>) -> i32
    return %r : i32
  }
}
