// The README's walk-through, examples/squares.mlir, with the README's
// commands: the run's result, the poll count the watchdog sees, and the
// state machine it tells the reader to look at (the frame layout, three
// states, the spawn, the await, the join).
// RUN: gasync-run %S/../../examples/squares.mlir --entry main --arg 3 --arg 4 | filecheck %s --check-prefix=RESULT
// RUN: gasync-run %S/../../examples/squares.mlir --entry main --arg -5 --arg 12 | filecheck %s --check-prefix=NEG
// RUN: gasync-run %S/../../examples/squares.mlir --entry main --arg 3 --arg 4 --watchdog 5 | filecheck %s --check-prefix=RESULT
// RUN: not gasync-run %S/../../examples/squares.mlir --entry main --arg 3 --arg 4 --watchdog 4 2>&1 | filecheck %s --check-prefix=WATCHDOG
// RUN: gasync-opt %S/../../examples/squares.mlir --gasync-coro | filecheck %s

// RESULT: result 0: 25
// NEG: result 0: 169
// The README's count: five polls (the root three times, the task twice).
// The root (slot 0) is polled last, waiting at its join of the task.
// WATCHDOG: error: '@main' failed while running: watchdog: {{.*}}(polling the await of a task in '@sum_of_squares' at {{.*}}squares.mlir:27:11)

// CHECK-LABEL: func.func private @square$poll(
// CHECK-SAME: gasync.frame = {align = 4 : i64, result_offset = 4 : i64, size = 12 : i64, states = 2 : i64}

// CHECK-LABEL: func.func private @sum_of_squares$poll(
// CHECK-SAME: gasync.frame = {align = 4 : i64, result_offset = 4 : i64, size = 36 : i64, states = 3 : i64}
// CHECK: cf.switch
// CHECK-NEXT: default:
// CHECK-NEXT: 0: ^[[START:bb[0-9]+]]
// CHECK-NEXT: 1: ^[[AWAIT:bb[0-9]+]]
// CHECK-NEXT: 2: ^[[JOIN:bb[0-9]+]]
// CHECK: call @gasync_rt_spawn_at(
// CHECK: ^[[AWAIT]]:
// CHECK: llvm.getelementptr %arg0[24]
// CHECK-NEXT: call @square$poll(
// CHECK: ^[[JOIN]]:
// CHECK: call @gasync_rt_join(
// CHECK: call @gasync_rt_release(

// CHECK-LABEL: func.func @main(
// CHECK: call @gasync_rt_run(
