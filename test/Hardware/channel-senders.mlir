// Two senders on one channel are not supported (docs/hardware-futures.md,
// Channels): on the CPU the second send of a message number is a run-time
// fault naming the send and its channel (exit 3), never a corrupt phase.
// RUN: not gasync-run %s --entry main 2>&1 | filecheck %s
// CHECK: gasync-run: error: '@main' failed while running: two senders on one channel: a message number was sent twice (a channel takes one sending task) (in the gasync.send on channel @box in '@sender' at {{.*}}channel-senders.mlir:[[# @LINE + 11]]:10)

module {
  memref.global "private" @box : memref<2xi32> = uninitialized
  memref.global "private" @box_state : memref<4xi64> = uninitialized

  // Sends message 0.
  func.func private @sender(%v: i32) attributes {gasync.async} {
    %slots = memref.get_global @box : memref<2xi32>
    %state = memref.get_global @box_state : memref<4xi64>
    %c0 = arith.constant 0 : index
    %s = "gasync.send"(%slots, %state, %c0, %v) : (memref<2xi32>, memref<4xi64>, index, i32) -> !gasync.fut<none>
    "gasync.await"(%s) : (!gasync.fut<none>) -> ()
    return
  }

  func.func private @root() -> i32 attributes {gasync.async} {
    %slots = memref.get_global @box : memref<2xi32>
    %state = memref.get_global @box_state : memref<4xi64>
    %one = arith.constant 1 : i32
    %two = arith.constant 2 : i32
    %c0 = arith.constant 0 : index
    "gasync.channel_init"(%slots, %state, %one) : (memref<2xi32>, memref<4xi64>, i32) -> ()
    %a = "gasync.future"(%one) {callee = @sender} : (i32) -> !gasync.fut<none>
    %ta = "gasync.spawn"(%a) : (!gasync.fut<none>) -> !gasync.task<none>
    %b = "gasync.future"(%two) {callee = @sender} : (i32) -> !gasync.fut<none>
    %tb = "gasync.spawn"(%b) : (!gasync.fut<none>) -> !gasync.task<none>
    "gasync.await"(%ta) : (!gasync.task<none>) -> ()
    "gasync.await"(%tb) : (!gasync.task<none>) -> ()
    %r = "gasync.recv"(%slots, %state, %c0) : (memref<2xi32>, memref<4xi64>, index) -> !gasync.fut<i32>
    %v = "gasync.await"(%r) : (!gasync.fut<i32>) -> i32
    return %v : i32
  }

  func.func @main() -> i32 {
    %f = "gasync.future"() {callee = @root} : () -> !gasync.fut<i32>
    %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
    return %v : i32
  }
}
