// Executor faults on the GPU: a spawn past the pool's capacity, and a task
// that yields forever (stopped by the watchdog's default poll budget), each
// stop the executor, record the fault with the block and thread, and make
// the run exit with 3 naming the kernel: never a hang.
// RUN: %gpu-run %s --emit=ptx | filecheck %s
// CHECK-DAG: .visible .entry overflow(
// CHECK-DAG: .visible .entry forever(
// CHECK-DAG: .visible .global .align 4 .b8 gasync_rt_status[60];
// GPU-EXEC: --entry overflow --grid 2 --block 32
// GPU-EXIT: 3
// GPU-STDERR: task pool overflow
// GPU-STDERR: overflow
// GPU-STDERR: thread (
// GPU-STDERR: (at the spawn of '@leaf' in '@three' at
// GPU-STDERR: executor-faults.mlir:28:11)
module attributes {gpu.container_module} {
  func.func private @leaf() -> i32 attributes {gasync.async} {
    %c = arith.constant 1 : i32
    return %c : i32
  }
  // Three spawns into a pool of two.
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
  gpu.module @kernels {
    gpu.func @overflow() kernel {
      %f = "gasync.future"() {callee = @three} : () -> !gasync.fut<i32>
      %r = "gasync.block_on"(%f) {pool = 2 : i32} : (!gasync.fut<i32>) -> i32
      gpu.return
    }
    gpu.func @forever() kernel {
      %f = "gasync.future"() {callee = @spawn_spin} : () -> !gasync.fut<i32>
      %r = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
      gpu.return
    }
  }
}
