// 100,000 yields in one task: each is a real suspension (poll returns, the
// block_on loop polls again), so the native stack does not grow with them:
// the run fits in a 1 MiB stack, where 100,000 nested calls would not.
// RUN: ulimit -s 1024 && gasync-run %s --entry main --arg 100000 | filecheck %s
// CHECK: result 0: 100000
// CHECK-NEXT: result 1: 100001

func.func private @spin(%n: i32) -> i32 attributes {gasync.async} {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %r = scf.while (%i = %c0) : (i32) -> i32 {
    %c = arith.cmpi slt, %i, %n : i32
    scf.condition(%c) %i : i32
  } do {
  ^bb0(%i: i32):
    "gasync.yield"() : () -> ()
    %j = arith.addi %i, %c1 : i32
    scf.yield %j : i32
  }
  return %r : i32
}

// Directly under block_on, and one level down (awaited in an async block).
func.func @main(%n: i32) -> (i32, i32) {
  %f = "gasync.future"(%n) {callee = @spin} : (i32) -> !gasync.fut<i32>
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  %g = "gasync.future"() ({
    %h = "gasync.future"(%n) {callee = @spin} : (i32) -> !gasync.fut<i32>
    %w = "gasync.await"(%h) : (!gasync.fut<i32>) -> i32
    %one = arith.constant 1 : i32
    %s = arith.addi %w, %one : i32
    "gasync.return"(%s) : (i32) -> ()
  }) : () -> !gasync.fut<i32>
  %u = "gasync.block_on"(%g) : (!gasync.fut<i32>) -> i32
  return %v, %u : i32, i32
}
