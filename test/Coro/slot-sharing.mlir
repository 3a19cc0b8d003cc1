// Saved values that are never live at the same time share a frame slot;
// values live together do not.
// RUN: gasync-opt %s --pass-pipeline='builtin.module(gasync-coro-lower)' | filecheck %s
// RUN: gasync-run %s --entry main --arg 5 | filecheck %s --check-prefix=EXEC

// %a is live across the first yield only, %b across the second only: one
// slot (offset 12) holds both; frame = state, result, argument, one slot.
// CHECK-LABEL: func.func private @sequential$init(
// CHECK-SAME: size = 16 : i64, states = 3 : i64
// CHECK-LABEL: func.func private @sequential$poll(
// CHECK: %[[A:.*]] = arith.addi
// CHECK-NEXT: %[[SA:.*]] = llvm.getelementptr %{{.*}}[12]
// CHECK-NEXT: llvm.store %[[A]], %[[SA]] {alignment = 4 : i64} : i32, !llvm.ptr
// CHECK: %[[B:.*]] = arith.muli
// CHECK-NEXT: %[[SB:.*]] = llvm.getelementptr %{{.*}}[12]
// CHECK-NEXT: llvm.store %[[B]], %[[SB]] {alignment = 4 : i64} : i32, !llvm.ptr
func.func private @sequential(%x: i32) -> i32 attributes {gasync.async} {
  %c1 = arith.constant 1 : i32
  %a = arith.addi %x, %c1 : i32
  "gasync.yield"() : () -> ()
  %b = arith.muli %a, %a : i32
  "gasync.yield"() : () -> ()
  %r = arith.addi %b, %c1 : i32
  return %r : i32
}

// %a and %b are both live across the second yield: two slots.
// CHECK-LABEL: func.func private @overlapping$init(
// CHECK-SAME: size = 20 : i64, states = 3 : i64
func.func private @overlapping(%x: i32) -> i32 attributes {gasync.async} {
  %c1 = arith.constant 1 : i32
  %a = arith.addi %x, %c1 : i32
  "gasync.yield"() : () -> ()
  %b = arith.muli %a, %a : i32
  "gasync.yield"() : () -> ()
  %s = arith.addi %a, %b : i32
  return %s : i32
}

// (5 + 1)^2 + 1 = 37 and 6 + 36 = 42
// (5 + 1)^2 + 1 = 37, 6 + 36 = 42, (5 + 1) * 2 = 12
// EXEC: result 0: 37
// EXEC-NEXT: result 1: 42
// EXEC-NEXT: result 2: 12
// A spawned future's arguments are read when it is spawned, after the task
// handle is stored: %x (live across the yield) and the handle %t must not
// share a slot, or the task would start from the handle's value.
// CHECK-LABEL: func.func private @spawner$init(
// CHECK-SAME: size = 20 : i64
func.func private @double(%v: i32) -> i32 attributes {gasync.async} {
  %r = arith.addi %v, %v : i32
  return %r : i32
}

func.func private @spawner(%a: i32) -> i32 attributes {gasync.async} {
  %c1 = arith.constant 1 : i32
  %x = arith.addi %a, %c1 : i32
  "gasync.yield"() : () -> ()
  %f = "gasync.future"(%x) {callee = @double} : (i32) -> !gasync.fut<i32>
  %t = "gasync.spawn"(%f) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %r = "gasync.await"(%t) : (!gasync.task<i32>) -> i32
  return %r : i32
}

func.func @main(%x: i32) -> (i32, i32, i32) {
  %f = "gasync.future"(%x) {callee = @sequential} : (i32) -> !gasync.fut<i32>
  %r = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  %g = "gasync.future"(%x) {callee = @overlapping} : (i32) -> !gasync.fut<i32>
  %s = "gasync.block_on"(%g) : (!gasync.fut<i32>) -> i32
  %h = "gasync.future"(%x) {callee = @spawner} : (i32) -> !gasync.fut<i32>
  %u = "gasync.block_on"(%h) : (!gasync.fut<i32>) -> i32
  return %r, %s, %u : i32, i32, i32
}
