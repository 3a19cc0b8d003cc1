// The shape of the generated state machines: stop after the coroutine
// lowering and read the IR.
// RUN: gasync-opt %s --pass-pipeline='builtin.module(gasync-outline-async-blocks,gasync-lower-combinators,gasync-coro-lower)' | filecheck %s
// RUN: gasync-opt %s --gasync-coro --mlir-pass-statistics 2>&1 >/dev/null | filecheck %s --check-prefix=STATS

// A leaf with no suspension: one state, frame = state, result, argument.
// CHECK-LABEL: func.func private @leaf$init(
// CHECK-SAME: %[[F:.*]]: !llvm.ptr, %[[X:.*]]: i32) attributes {gasync.frame = {align = 4 : i64, result_offset = 4 : i64, size = 12 : i64, states = 1 : i64}}
// CHECK-NEXT: %[[A:.*]] = llvm.getelementptr %[[F]][8]
// CHECK-NEXT: llvm.store %[[X]], %[[A]] {alignment = 4 : i64} : i32, !llvm.ptr
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0 : i32
// CHECK-NEXT: llvm.store %[[Z]], %[[F]] {alignment = 4 : i64} : i32, !llvm.ptr
// CHECK-NEXT: return
// CHECK-LABEL: func.func private @leaf$poll(
// CHECK-SAME: %[[F:[^:]*]]: !llvm.ptr, %[[EXEC:[^:]*]]: !llvm.ptr) -> i1
// CHECK: %[[S:.*]] = llvm.load %[[F]] {alignment = 4 : i64} : !llvm.ptr -> i32
// CHECK-NEXT: cf.switch %[[S]] : i32, [
// CHECK-NEXT: default: ^[[DONE:.*]],
// CHECK-NEXT: 0: ^[[START:.*]]
// CHECK-NEXT: ]
func.func private @leaf(%x: i32) -> i32 attributes {gasync.async} {
  %c2 = arith.constant 2 : i32
  %r = arith.muli %x, %c2 : i32
  return %r : i32
}

// Two awaits: three states (start, and one per await, which re-polls the
// child in place). %dead is not live across an await: it is not in the
// frame; %live is (one slot at offset 12, after the argument at 8). The two
// child frames (12 bytes each) are never alive at once: they share offset 16.
// CHECK-LABEL: func.func private @two$init(
// CHECK-SAME: attributes {gasync.frame = {align = 4 : i64, result_offset = 4 : i64, size = 28 : i64, states = 3 : i64}}
// CHECK-LABEL: func.func private @two$poll(
// CHECK: cf.switch %{{.*}} : i32, [
// CHECK-NEXT: default: ^{{.*}},
// CHECK-NEXT: 0: ^[[START:[^,]*]],
// CHECK-NEXT: 1: ^[[POLL1:[^,]*]],
// CHECK-NEXT: 2: ^[[POLL2:[^,]*]]
// CHECK-NEXT: ]
// %dead is used only before the first await: never stored. %live is stored
// right after its definition, and reloaded after the second await.
// CHECK: ^{{.*}}(%[[X:.*]]: i32):
// CHECK-NEXT: %[[DEAD:.*]] = arith.muli %[[X]], %[[X]] : i32
// CHECK-NEXT: %[[LIVE:.*]] = arith.addi %[[X]], %[[DEAD]] : i32
// CHECK-NEXT: %[[SLOT:.*]] = llvm.getelementptr %{{.*}}[12]
// CHECK-NEXT: llvm.store %[[LIVE]], %[[SLOT]] {alignment = 4 : i64} : i32, !llvm.ptr
// CHECK-NEXT: %[[C1:.*]] = llvm.getelementptr %{{.*}}[16]
// CHECK-NEXT: call @leaf$init(%[[C1]], %[[X]])
// CHECK-NEXT: cf.br ^[[POLL1]]
// CHECK-NEXT: ^[[POLL1]]:
// CHECK-NEXT: %[[P1:.*]] = llvm.getelementptr %{{.*}}[16]
// CHECK-NEXT: %[[R1:.*]] = call @leaf$poll(%[[P1]], %{{.*}}) : (!llvm.ptr, !llvm.ptr) -> i1
// CHECK-NEXT: cf.cond_br %[[R1]], ^[[READY1:.*]], ^[[SUSPEND1:.*]]
// CHECK-NEXT: ^[[READY1]]:
// CHECK-NEXT: %[[RES1:.*]] = llvm.getelementptr %{{.*}}[20]
// CHECK-NEXT: %[[A:.*]] = llvm.load %[[RES1]] {alignment = 4 : i64} : !llvm.ptr -> i32
// CHECK: ^[[SUSPEND1]]:
// CHECK-NEXT: %[[K:.*]] = arith.constant 1 : i32
// CHECK-NEXT: llvm.store %[[K]], %{{.*}} {alignment = 4 : i64} : i32, !llvm.ptr
// CHECK-NEXT: %[[FALSE:.*]] = arith.constant false
// CHECK-NEXT: return %[[FALSE]] : i1
// The second child frame reuses offset 16.
// CHECK: %[[C2:.*]] = llvm.getelementptr %{{.*}}[16]
// CHECK-NEXT: call @leaf$init(%[[C2]], %[[A]])
// CHECK: ^[[POLL2]]:
// CHECK-NEXT: %[[P2:.*]] = llvm.getelementptr %{{.*}}[16]
// CHECK-NEXT: call @leaf$poll(%[[P2]], %{{.*}})
// CHECK: %[[RELOAD:.*]] = llvm.getelementptr %{{.*}}[12]
// CHECK-NEXT: llvm.load %[[RELOAD]] {alignment = 4 : i64} : !llvm.ptr -> i32
func.func private @two(%x: i32) -> i32 attributes {gasync.async} {
  %dead = arith.muli %x, %x : i32
  %live = arith.addi %x, %dead : i32
  %f = "gasync.future"(%x) {callee = @leaf} : (i32) -> !gasync.fut<i32>
  %a = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
  %g = "gasync.future"(%a) {callee = @leaf} : (i32) -> !gasync.fut<i32>
  %b = "gasync.await"(%g) : (!gasync.fut<i32>) -> i32
  %r = arith.addi %b, %live : i32
  return %r : i32
}

// Two futures alive at once do not share: child frames at 16 and 28 (after
// the slot of %a, which is live across the second await).
// CHECK-LABEL: func.func private @both$init(
// CHECK-SAME: size = 40 : i64, states = 3 : i64
// CHECK-LABEL: func.func private @both$poll(
// CHECK: llvm.getelementptr %{{.*}}[16]
// CHECK-NEXT: call @leaf$init
// CHECK: llvm.getelementptr %{{.*}}[28]
// CHECK-NEXT: call @leaf$init
func.func private @both(%x: i32) -> i32 attributes {gasync.async} {
  %f = "gasync.future"(%x) {callee = @leaf} : (i32) -> !gasync.fut<i32>
  %g = "gasync.future"(%x) {callee = @leaf} : (i32) -> !gasync.fut<i32>
  %a = "gasync.await"(%g) : (!gasync.fut<i32>) -> i32
  %b = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
  %r = arith.addi %a, %b : i32
  return %r : i32
}

// A yield is a state of its own: store the state, return false; resume after it.
// CHECK-LABEL: func.func private @yields$poll(
// CHECK: cf.switch %{{.*}} : i32, [
// CHECK-NEXT: default: ^{{.*}},
// CHECK-NEXT: 0: ^{{[^,]*}},
// CHECK-NEXT: 1: ^[[RESUME:[^,]*]]
// CHECK: %[[K:.*]] = arith.constant 1 : i32
// CHECK-NEXT: llvm.store %[[K]], %{{.*}} {alignment = 4 : i64} : i32, !llvm.ptr
// CHECK-NEXT: %[[FALSE:.*]] = arith.constant false
// CHECK-NEXT: return %[[FALSE]] : i1
// CHECK-NEXT: ^[[RESUME]]:
func.func private @yields(%x: i32) -> i32 attributes {gasync.async} {
  "gasync.yield"() : () -> ()
  return %x : i32
}

func.func @main(%x: i32) -> (i32, i32, i32) {
  %f = "gasync.future"(%x) {callee = @two} : (i32) -> !gasync.fut<i32>
  %a = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  %g = "gasync.future"(%x) {callee = @both} : (i32) -> !gasync.fut<i32>
  %b = "gasync.block_on"(%g) : (!gasync.fut<i32>) -> i32
  %h = "gasync.future"(%x) {callee = @yields} : (i32) -> !gasync.fut<i32>
  %c = "gasync.block_on"(%h) : (!gasync.fut<i32>) -> i32
  return %a, %b, %c : i32, i32, i32
}

// STATS: 'gasync-coro-lower'
// STATS-DAG: (async functions lowered) 4
// STATS-DAG: (frame bytes) 92
// STATS-DAG: (states) 9
// STATS-DAG: (@leaf: frame bytes) 12
// STATS-DAG: (@leaf: states) 1
// STATS-DAG: (@two: frame bytes) 28
// STATS-DAG: (@two: states) 3
// STATS-DAG: (@both: frame bytes) 40
// STATS-DAG: (@yields: states) 2
// STATS-DAG: (values saved in frames) 2
// STATS-DAG: (child frame bytes shared) 12
// STATS: 'gasync-lower-block-on'
// STATS: (block_on lowered) 3
