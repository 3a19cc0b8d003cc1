// Hardware futures' run-time faults (exit 3, naming the source): a bulk copy
// whose address is misaligned only at run time is skipped and reported; a
// flag that nobody raises, while the only other task waits for it, is a
// deadlock, reported at once on the CPU (not after the idle-wait limit),
// naming the wait, its flag's address, the value it waits for and the value
// it saw; while another task keeps running, the idle-wait limit ends the
// hang, naming the same; without the limit, the watchdog ends it.
// RUN: not gasync-run %s --entry misaligned --arg 1 2>&1 | filecheck %s --check-prefix=MISALIGNED
// RUN: gasync-run %s --entry misaligned --arg 4 | filecheck %s --check-prefix=ALIGNED
// RUN: not gasync-run %s --entry unraised --idle-wait-ms 600000 2>&1 | filecheck %s --check-prefix=DEADLOCK
// RUN: not gasync-run %s --entry unraised_busy --idle-wait-ms 50 2>&1 | filecheck %s --check-prefix=IDLE
// Not a deadlock: three waiters stall round after round while the raiser,
// which yields 100 times first, keeps running; then the flag is raised.
// RUN: gasync-run %s --entry raised_late --idle-wait-ms 600000 | filecheck %s --check-prefix=LATE
// LATE: result 0: 3
// RUN: not gasync-run %s --entry unraised --idle-wait-ms 0 --watchdog 10000 2>&1 | filecheck %s --check-prefix=HANG
// RUN: not gasync-run %s --entry unraised --idle-wait-ms -1 2>&1 | filecheck %s --check-prefix=BAD
// MISALIGNED: gasync-run: error: '@misaligned' failed while running: misaligned bulk copy: its addresses must be 16-byte aligned and its size a multiple of 16 bytes (at the gasync.bulk_load in '@misaligned' at {{.*}}faults.mlir:[[# @LINE + 17]]:3)
// ALIGNED: result 0: 1
// DEADLOCK: gasync-run: error: '@unraised' failed while running: deadlock: no task can make progress and the root is not done (in the gasync.flag_wait on flag argument 0 of '@waiter' in '@waiter' at {{.*}}faults.mlir:[[# @LINE + 23]]:8): the i32 flag at 0x{{[0-9a-f]+}}, waiting for a value eq 1, last seen 0
// IDLE: gasync-run: error: '@unraised_busy' failed while running: hardware wait timed out: what a future waits on (a flag, an mbarrier phase, a channel message) did not happen within the idle-wait limit (a deadlock?) (waiting in the gasync.flag_wait on flag argument 0 of '@waiter' in '@waiter' at {{.*}}faults.mlir:[[# @LINE + 22]]:8): the i32 flag at 0x{{[0-9a-f]+}}, waiting for a value eq 1, last seen 0
// BAD: option 'idle-wait-ms' takes an integer in [0, 2147483647] (0: no limit), got -1
// HANG: gasync-run: error: '@unraised' failed while running: watchdog: the poll budget ran out (a task that never finishes?) (polling the await of '@gasync_flag_wait_0' in '@waiter' at {{.*}}faults.mlir:[[# @LINE + 21]]:8)

func.func @misaligned(%start: index) -> i32 {
  %src = memref.alloca() {alignment = 16 : i64} : memref<64xf32>
  %tile = memref.alloca() {alignment = 16 : i64} : memref<16xf32>
  %bar = memref.alloca() : memref<1xi64>
  %one = arith.constant 1 : i32
  %zero = arith.constant 0 : i32
  %bytes = arith.constant 64 : i32
  %s = memref.subview %src[%start] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1], offset: ?>>
  "gasync.mbarrier_init"(%bar, %one) : (memref<1xi64>, i32) -> ()
  "gasync.mbarrier_arrive_expect_tx"(%bar, %bytes) : (memref<1xi64>, i32) -> ()
  "gasync.bulk_load"(%tile, %s, %bar) : (memref<16xf32>, memref<16xf32, strided<[1], offset: ?>>, memref<1xi64>) -> ()
  %w = "gasync.mbarrier_wait"(%bar, %zero) : (memref<1xi64>, i32) -> !gasync.fut<none>
  "gasync.block_on"(%w) : (!gasync.fut<none>) -> ()
  return %one : i32
}

func.func private @waiter(%flag: memref<1xi32>) -> i32 attributes {gasync.async} {
  %one = arith.constant 1 : i32
  %f = "gasync.flag_wait"(%flag, %one) : (memref<1xi32>, i32) -> !gasync.fut<i32>
  %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}

func.func private @root(%flag: memref<1xi32>) -> i32 attributes {gasync.async} {
  %f = "gasync.future"(%flag) {callee = @waiter} : (memref<1xi32>) -> !gasync.fut<i32>
  %t = "gasync.spawn"(%f) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %v = "gasync.await"(%t) : (!gasync.task<i32>) -> i32
  return %v : i32
}

func.func @unraised() -> i32 {
  %flag = memref.alloca() : memref<1xi32>
  %zero = arith.constant 0 : i32
  %c0 = arith.constant 0 : index
  memref.store %zero, %flag[%c0] : memref<1xi32>
  %f = "gasync.future"(%flag) {callee = @root} : (memref<1xi32>) -> !gasync.fut<i32>
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}

// Keeps the executor busy: it never stalls on a hardware wait.
func.func private @spinner() attributes {gasync.async} {
  %true = arith.constant true
  scf.while : () -> () {
    scf.condition(%true)
  } do {
    "gasync.yield"() : () -> ()
    scf.yield
  }
  return
}

func.func private @busy_root(%flag: memref<1xi32>) -> i32 attributes {gasync.async} {
  %s = "gasync.future"() {callee = @spinner} : () -> !gasync.fut<none>
  %spinning = "gasync.spawn"(%s) : (!gasync.fut<none>) -> !gasync.task<none>
  %f = "gasync.future"(%flag) {callee = @waiter} : (memref<1xi32>) -> !gasync.fut<i32>
  %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
  "gasync.await"(%spinning) : (!gasync.task<none>) -> ()
  return %v : i32
}

func.func @unraised_busy() -> i32 {
  %flag = memref.alloca() : memref<1xi32>
  %zero = arith.constant 0 : i32
  %c0 = arith.constant 0 : index
  memref.store %zero, %flag[%c0] : memref<1xi32>
  %f = "gasync.future"(%flag) {callee = @busy_root} : (memref<1xi32>) -> !gasync.fut<i32>
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}

// Yields 100 times, then raises the flag.
func.func private @raiser(%flag: memref<1xi32>) attributes {gasync.async} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c100 = arith.constant 100 : index
  scf.for %i = %c0 to %c100 step %c1 {
    "gasync.yield"() : () -> ()
  }
  %one = arith.constant 1 : i32
  "gasync.flag_store"(%flag, %one) : (memref<1xi32>, i32) -> ()
  return
}

func.func private @late_root(%flag: memref<1xi32>) -> i32 attributes {gasync.async} {
  %w = "gasync.future"(%flag) {callee = @waiter} : (memref<1xi32>) -> !gasync.fut<i32>
  %a = "gasync.spawn"(%w) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %w2 = "gasync.future"(%flag) {callee = @waiter} : (memref<1xi32>) -> !gasync.fut<i32>
  %b = "gasync.spawn"(%w2) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %r = "gasync.future"(%flag) {callee = @raiser} : (memref<1xi32>) -> !gasync.fut<none>
  %raising = "gasync.spawn"(%r) : (!gasync.fut<none>) -> !gasync.task<none>
  %w3 = "gasync.future"(%flag) {callee = @waiter} : (memref<1xi32>) -> !gasync.fut<i32>
  %v3 = "gasync.await"(%w3) : (!gasync.fut<i32>) -> i32
  %va = "gasync.await"(%a) : (!gasync.task<i32>) -> i32
  %vb = "gasync.await"(%b) : (!gasync.task<i32>) -> i32
  "gasync.await"(%raising) : (!gasync.task<none>) -> ()
  %ab = arith.addi %va, %vb : i32
  %sum = arith.addi %ab, %v3 : i32
  return %sum : i32
}

func.func @raised_late() -> i32 {
  %flag = memref.alloca() : memref<1xi32>
  %zero = arith.constant 0 : i32
  %c0 = arith.constant 0 : index
  memref.store %zero, %flag[%c0] : memref<1xi32>
  %f = "gasync.future"(%flag) {callee = @late_root} : (memref<1xi32>) -> !gasync.fut<i32>
  %v = "gasync.block_on"(%f) {pool = 4 : i64} : (!gasync.fut<i32>) -> i32
  return %v : i32
}
