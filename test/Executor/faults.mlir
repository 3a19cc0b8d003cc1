// Executor faults stop the run with a message and exit code 3 (checked in
// test/python/test_executor_faults.py); here, the messages.
// RUN: not gasync-run %s --entry overflow 2>&1 | filecheck %s --check-prefix=OVERFLOW
// RUN: not gasync-run %s --entry forever --watchdog 100000 2>&1 | filecheck %s --check-prefix=WATCHDOG
// RUN: not gasync-run %s --entry plain --watchdog 1000 2>&1 | filecheck %s --check-prefix=PLAIN
// Each names the source: the third spawn, the yield the spinning task is
// suspended at, the block_on of a poll loop with no executor.
// OVERFLOW: gasync-run: error: '@overflow' failed while running: task pool overflow: a spawn found every slot of the executor's pool taken (at the spawn of '@leaf' in '@three' at {{.*}}faults.mlir:[[# @LINE + 16]]:9)
// WATCHDOG: gasync-run: error: '@forever' failed while running: watchdog: the poll budget ran out (a task that never finishes?) (polling the yield in '@spin' at {{.*}}faults.mlir:[[# @LINE + 36]]:5)
// PLAIN: gasync-run: error: '@plain' failed while running: watchdog: the poll budget ran out (a task that never finishes?) (polling the block_on of '@spin' in '@plain' at {{.*}}faults.mlir:[[# @LINE + 58]]:8)

func.func private @leaf() -> i32 attributes {gasync.async} {
  %c = arith.constant 1 : i32
  return %c : i32
}

// Spawns 3 tasks into a pool of 2.
func.func private @three() -> i32 attributes {gasync.async} {
  %f1 = "gasync.future"() {callee = @leaf} : () -> !gasync.fut<i32>
  %t1 = "gasync.spawn"(%f1) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %f2 = "gasync.future"() {callee = @leaf} : () -> !gasync.fut<i32>
  %t2 = "gasync.spawn"(%f2) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %f3 = "gasync.future"() {callee = @leaf} : () -> !gasync.fut<i32>
  %t3 = "gasync.spawn"(%f3) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %a = "gasync.await"(%t1) : (!gasync.task<i32>) -> i32
  %b = "gasync.await"(%t2) : (!gasync.task<i32>) -> i32
  %c = "gasync.await"(%t3) : (!gasync.task<i32>) -> i32
  %s = arith.addi %a, %b : i32
  %t = arith.addi %s, %c : i32
  return %t : i32
}

func.func @overflow() -> i32 {
  %f = "gasync.future"() {callee = @three} : () -> !gasync.fut<i32>
  %r = "gasync.block_on"(%f) {pool = 2 : i32} : (!gasync.fut<i32>) -> i32
  return %r : i32
}

// A task that yields forever.
func.func private @spin() -> i32 attributes {gasync.async} {
  %true = arith.constant true
  scf.while : () -> () {
    scf.condition(%true)
  } do {
    "gasync.yield"() : () -> ()
    scf.yield
  }
  %c = arith.constant 0 : i32
  return %c : i32
}

func.func private @spawn_spin() -> i32 attributes {gasync.async} {
  %f = "gasync.future"() {callee = @spin} : () -> !gasync.fut<i32>
  %t = "gasync.spawn"(%f) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %r = "gasync.await"(%t) : (!gasync.task<i32>) -> i32
  return %r : i32
}

func.func @forever() -> i32 {
  %f = "gasync.future"() {callee = @spawn_spin} : () -> !gasync.fut<i32>
  %r = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %r : i32
}

// The same task with no executor: block_on's plain poll loop counts too.
func.func @plain() -> i32 {
  %f = "gasync.future"() {callee = @spin} : () -> !gasync.fut<i32>
  %r = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %r : i32
}
