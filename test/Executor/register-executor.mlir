// Register executors (docs/executor.md): a block_on of at most 15 tasks at
// thread or warp scope gets its own copy of the runtime and of the task code
// it runs, specialised to its parameters, with every frame access at a
// runtime slot a switch on the slot; a bigger pool keeps the byte block.
// RUN: gasync-opt %s --gasync-coro | filecheck %s
// RUN: gasync-run %s --entry two --arg 1 | filecheck %s --check-prefix=RESULT
// RUN: gasync-run %s --entry big --arg 1 | filecheck %s --check-prefix=RESULT

func.func private @leaf(%x: i32) -> i32 attributes {gasync.async} {
  "gasync.yield"() : () -> ()
  %c3 = arith.constant 3 : i32
  %r = arith.muli %x, %c3 : i32
  return %r : i32
}

func.func private @root(%x: i32) -> i32 attributes {gasync.async} {
  %c1 = arith.constant 1 : i32
  %y = arith.addi %x, %c1 : i32
  %f0 = "gasync.future"(%x) {callee = @leaf} : (i32) -> !gasync.fut<i32>
  %t0 = "gasync.spawn"(%f0) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %f1 = "gasync.future"(%y) {callee = @leaf} : (i32) -> !gasync.fut<i32>
  %t1 = "gasync.spawn"(%f1) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %r0 = "gasync.await"(%t0) : (!gasync.task<i32>) -> i32
  %r1 = "gasync.await"(%t1) : (!gasync.task<i32>) -> i32
  %s = arith.addi %r0, %r1 : i32
  return %s : i32
}

// Parameters: pool, stride, frames, budget, scope, mask, packed (1).
// CHECK-LABEL: func.func @two
// CHECK: call @gasync_rt_exec_init(%{{.*}}, %c3_i32{{[_0-9]*}}, %c32_i32{{[_0-9]*}}, %c144_i32{{[_0-9]*}}, %{{.*}}, %c0_i32{{[_0-9]*}}, %{{.*}}, %c1_i32{{[_0-9]*}})
// CHECK: call @gasync_rt_run(
func.func @two(%x: i32) -> i32 {
  %f = "gasync.future"(%x) {callee = @root} : (i32) -> !gasync.fut<i32>
  %r = "gasync.block_on"(%f) {pool = 2 : i32} : (!gasync.fut<i32>) -> i32
  return %r : i32
}

// A second executor: its own copies ($exec1).
// CHECK-LABEL: func.func @two_warp
// CHECK: call @gasync_rt_exec_init$exec1(%{{.*}}, %c3_i32{{[_0-9]*}}, %c32_i32{{[_0-9]*}}, %c144_i32{{[_0-9]*}}, %{{.*}}, %c1_i32{{[_0-9]*}}, %{{.*}}, %c1_i32{{[_0-9]*}})
// CHECK: call @gasync_rt_run$exec1(
func.func @two_warp(%x: i32) -> i32 {
  %f = "gasync.future"(%x) {callee = @root} : (i32) -> !gasync.fut<i32>
  %r = "gasync.block_on"(%f) {pool = 2 : i32, scope = "warp"} : (!gasync.fut<i32>) -> i32
  return %r : i32
}

// The default pool (16 tasks, 17 slots): the byte block (packed 0).
// CHECK-LABEL: func.func @big
// CHECK: call @gasync_rt_exec_init$exec2(%{{.*}}, %c17_i32{{[_0-9]*}}, %c32_i32{{[_0-9]*}}, %c{{[0-9]+}}_i32{{[_0-9]*}}, %{{.*}}, %c0_i32{{[_0-9]*}}, %{{.*}}, %c0_i32{{[_0-9]*}})
func.func @big(%x: i32) -> i32 {
  %f = "gasync.future"(%x) {callee = @root} : (i32) -> !gasync.fut<i32>
  %r = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %r : i32
}

// Its tasks are all of one kind: a slot's kind is the root's (1) in slot 0,
// @leaf's (0) in the others, not a read of the packed kind words.
// CHECK-LABEL: func.func private @gasync_rt_slot_get(
// CHECK-NOT: @gasync_rt_kind_get
// CHECK: %[[ROOT:.*]] = arith.cmpi eq, %arg1, %{{.*}} : i32
// CHECK-NEXT: %[[ROOT_KIND:.*]] = arith.constant 1 : i32
// CHECK-NEXT: %[[LEAF_KIND:.*]] = arith.constant 0 : i32
// CHECK-NEXT: arith.select %[[ROOT]], %[[ROOT_KIND]], %[[LEAF_KIND]] : i32
// CHECK-NOT: @gasync_rt_kind_get
// CHECK: return

// The first executor's poll: slot 0 polls the root, the other slots @leaf,
// each at a constant offset from the frames (144 + slot x 32).
// CHECK-LABEL: func.func private @gasync_rt_poll_slot(
// CHECK: scf.index_switch
// CHECK: case 0 {
// CHECK: llvm.getelementptr %{{.*}}[0]
// CHECK: call @root$poll
// CHECK: case 1 {
// CHECK: llvm.getelementptr %{{.*}}[32]
// CHECK: call @leaf$poll
// CHECK: default {
// CHECK: llvm.getelementptr %{{.*}}[64]
// CHECK: call @leaf$poll

// RESULT: result 0: 9
