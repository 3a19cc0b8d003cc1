// One future, awaited in one branch and spawned (then joined) in the other:
// the spawn gets its own creation of the future, the await keeps the child
// frame. Before, lowering the spawn erased the creation that the await still
// used ("operation destroyed but still has uses", an abort).
// RUN: gasync-run %s --entry main --arg 20 --arg 1 | filecheck %s
// RUN: gasync-run %s --entry main --arg 20 --arg 0 | filecheck %s
// CHECK: result 0: 41

func.func private @add(%a: i32, %b: i32) -> i32 attributes {gasync.async} {
  "gasync.yield"() : () -> ()
  %r = arith.addi %a, %b : i32
  return %r : i32
}

func.func private @either(%x: i32, %spawn: i1) -> i32 attributes {gasync.async} {
  %one = arith.constant 1 : i32
  %y = arith.addi %x, %one : i32
  %f = "gasync.future"(%x, %y) {callee = @add} : (i32, i32) -> !gasync.fut<i32>
  %r = scf.if %spawn -> (i32) {
    %t = "gasync.spawn"(%f) : (!gasync.fut<i32>) -> !gasync.task<i32>
    %v = "gasync.await"(%t) : (!gasync.task<i32>) -> i32
    scf.yield %v : i32
  } else {
    %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
    scf.yield %v : i32
  }
  return %r : i32
}

func.func @main(%x: i32, %spawn: i1) -> i32 {
  %f = "gasync.future"(%x, %spawn) {callee = @either} : (i32, i1) -> !gasync.fut<i32>
  %r = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %r : i32
}
