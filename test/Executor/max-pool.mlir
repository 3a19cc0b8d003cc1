// The documented maximum pool (65536 tasks) with small frames fits the
// stack on the CPU and runs (stack-limit.mlir: larger executors are refused).
// RUN: gasync-run %s --entry main --arg 20 | filecheck %s
// CHECK: result 0: 21

func.func private @inc(%x: i32) -> i32 attributes {gasync.async} {
  %c1 = arith.constant 1 : i32
  %y = arith.addi %x, %c1 : i32
  return %y : i32
}

func.func private @spawn_inc(%x: i32) -> i32 attributes {gasync.async} {
  %f = "gasync.future"(%x) {callee = @inc} : (i32) -> !gasync.fut<i32>
  %t = "gasync.spawn"(%f) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %r = "gasync.await"(%t) : (!gasync.task<i32>) -> i32
  return %r : i32
}

func.func @main(%x: i32) -> i32 {
  %f = "gasync.future"(%x) {callee = @spawn_inc} : (i32) -> !gasync.fut<i32>
  %r = "gasync.block_on"(%f) {pool = 65536 : i32} : (!gasync.fut<i32>) -> i32
  return %r : i32
}
