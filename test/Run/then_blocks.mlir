// `then` chains (ready -> then -> then, and then over a suspending future),
// and async blocks that capture values and await inside.
// RUN: gasync-run %s --entry main --arg 4 | filecheck %s
// CHECK: result 0: 84
// CHECK-NEXT: result 1: 21
// CHECK-NEXT: result 2: 64

func.func private @mul_add(%v: i32, %m: i32, %a: i32) -> i32 attributes {gasync.async} {
  "gasync.yield"() : () -> ()
  %p = arith.muli %v, %m : i32
  %r = arith.addi %p, %a : i32
  return %r : i32
}

func.func private @square(%v: i32) -> i32 attributes {gasync.async} {
  %r = arith.muli %v, %v : i32
  return %r : i32
}

func.func @main(%x: i32) -> (i32, i32, i32) {
  // ready(x).then(mul_add, 3, 1).then(mul_add, 2, 58): (4 * 3 + 1) * 2 + 58 = 84
  %c1 = arith.constant 1 : i32
  %c2 = arith.constant 2 : i32
  %c3 = arith.constant 3 : i32
  %c58 = arith.constant 58 : i32
  %r = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32>
  %t1 = "gasync.then"(%r, %c3, %c1) {callee = @mul_add} : (!gasync.fut<i32>, i32, i32) -> !gasync.fut<i32>
  %t2 = "gasync.then"(%t1, %c2, %c58) {callee = @mul_add} : (!gasync.fut<i32>, i32, i32) -> !gasync.fut<i32>
  %v1 = "gasync.block_on"(%t2) : (!gasync.fut<i32>) -> i32

  // An async block capturing %x and %c1, awaiting twice inside.
  %b = "gasync.future"() ({
    %f = "gasync.future"(%x, %c3, %c1) {callee = @mul_add} : (i32, i32, i32) -> !gasync.fut<i32>
    %a = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
    "gasync.yield"() : () -> ()
    %g = "gasync.future"(%a, %c1, %x) {callee = @mul_add} : (i32, i32, i32) -> !gasync.fut<i32>
    %s = "gasync.await"(%g) : (!gasync.fut<i32>) -> i32
    %t = arith.addi %s, %x : i32
    "gasync.return"(%t) : (i32) -> ()
  }) : () -> !gasync.fut<i32>
  %v2 = "gasync.block_on"(%b) : (!gasync.fut<i32>) -> i32

  // then over a future created by an async block.
  %blk = "gasync.future"() ({
    %y = arith.addi %x, %x : i32
    "gasync.yield"() : () -> ()
    "gasync.return"(%y) : (i32) -> ()
  }) : () -> !gasync.fut<i32>
  %sq = "gasync.then"(%blk) {callee = @square} : (!gasync.fut<i32>) -> !gasync.fut<i32>
  %v3 = "gasync.block_on"(%sq) : (!gasync.fut<i32>) -> i32
  return %v1, %v2, %v3 : i32, i32, i32
}
