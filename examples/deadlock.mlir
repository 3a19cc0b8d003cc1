// A deadlock that only the run can show: the receiver asks for one message
// more than the sender sends (n is a run-time value), so its last recv waits
// for ever. On the CPU, where both are tasks of one executor, that is a
// deadlock the executor reports at once: every task left is stalled on a
// hardware wait that no task can complete. On the GPU, where another thread
// might still send, the idle-wait limit (gasync-run --idle-wait-ms, default
// 2000) ends the run. Either way: exit 3, naming the recv, its channel
// @mailbox, the mbarrier and the parity it waits for.
//
// CPU (two tasks of one executor):
//   gasync-run examples/deadlock.mlir --entry main --arg 5
// GPU (thread 0 sends, thread 32 of warp 1 receives, each its own block_on):
//   gasync-run examples/deadlock.mlir --target cuda --features +ptx86 --entry deadlock \
//     --block 64 --arg 5 --arg 'memref<1xi32>'

module attributes {gpu.container_module} {
  memref.global "private" @mailbox : memref<2xi32> = uninitialized
  memref.global "private" @mailbox_state : memref<4xi64> = uninitialized

  func.func private @sender(%n: index) attributes {gasync.async} {
    %slots = memref.get_global @mailbox : memref<2xi32>
    %state = memref.get_global @mailbox_state : memref<4xi64>
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    scf.for %i = %c0 to %n step %c1 {
      %v = arith.index_cast %i : index to i32
      %s = "gasync.send"(%slots, %state, %i, %v) : (memref<2xi32>, memref<4xi64>, index, i32) -> !gasync.fut<none>
      "gasync.await"(%s) : (!gasync.fut<none>) -> ()
    }
    return
  }

  func.func private @receiver(%n: index) -> i32 attributes {gasync.async} {
    %slots = memref.get_global @mailbox : memref<2xi32>
    %state = memref.get_global @mailbox_state : memref<4xi64>
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %zero = arith.constant 0 : i32
    %wanted = arith.addi %n, %c1 : index
    %sum = scf.for %i = %c0 to %wanted step %c1 iter_args(%acc = %zero) -> (i32) {
      %r = "gasync.recv"(%slots, %state, %i) : (memref<2xi32>, memref<4xi64>, index) -> !gasync.fut<i32>
      %v = "gasync.await"(%r) : (!gasync.fut<i32>) -> i32
      %a = arith.addi %acc, %v : i32
      scf.yield %a : i32
    }
    return %sum : i32
  }

  func.func private @both(%n: index) -> i32 attributes {gasync.async} {
    %s = "gasync.future"(%n) {callee = @sender} : (index) -> !gasync.fut<none>
    %ts = "gasync.spawn"(%s) : (!gasync.fut<none>) -> !gasync.task<none>
    %r = "gasync.future"(%n) {callee = @receiver} : (index) -> !gasync.fut<i32>
    %sum = "gasync.await"(%r) : (!gasync.fut<i32>) -> i32
    "gasync.await"(%ts) : (!gasync.task<none>) -> ()
    return %sum : i32
  }

  func.func @main(%n: index) -> i32 {
    %slots = memref.get_global @mailbox : memref<2xi32>
    %state = memref.get_global @mailbox_state : memref<4xi64>
    %one = arith.constant 1 : i32
    "gasync.channel_init"(%slots, %state, %one) : (memref<2xi32>, memref<4xi64>, i32) -> ()
    %f = "gasync.future"(%n) {callee = @both} : (index) -> !gasync.fut<i32>
    %sum = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
    return %sum : i32
  }

  gpu.module @kernels {
    memref.global "private" @mailbox : memref<2xi32, #gpu.address_space<workgroup>>
    memref.global "private" @mailbox_state : memref<4xi64, #gpu.address_space<workgroup>>

    func.func private @sender(%n: index) attributes {gasync.async} {
      %slots = memref.get_global @mailbox : memref<2xi32, #gpu.address_space<workgroup>>
      %state = memref.get_global @mailbox_state : memref<4xi64, #gpu.address_space<workgroup>>
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      scf.for %i = %c0 to %n step %c1 {
        %v = arith.index_cast %i : index to i32
        %s = "gasync.send"(%slots, %state, %i, %v) : (memref<2xi32, #gpu.address_space<workgroup>>, memref<4xi64, #gpu.address_space<workgroup>>, index, i32) -> !gasync.fut<none>
        "gasync.await"(%s) : (!gasync.fut<none>) -> ()
      }
      return
    }

    func.func private @receiver(%n: index) -> i32 attributes {gasync.async} {
      %slots = memref.get_global @mailbox : memref<2xi32, #gpu.address_space<workgroup>>
      %state = memref.get_global @mailbox_state : memref<4xi64, #gpu.address_space<workgroup>>
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %zero = arith.constant 0 : i32
      %wanted = arith.addi %n, %c1 : index
      %sum = scf.for %i = %c0 to %wanted step %c1 iter_args(%acc = %zero) -> (i32) {
        %r = "gasync.recv"(%slots, %state, %i) : (memref<2xi32, #gpu.address_space<workgroup>>, memref<4xi64, #gpu.address_space<workgroup>>, index) -> !gasync.fut<i32>
        %v = "gasync.await"(%r) : (!gasync.fut<i32>) -> i32
        %a = arith.addi %acc, %v : i32
        scf.yield %a : i32
      }
      return %sum : i32
    }

    gpu.func @deadlock(%n32: i32, %out: memref<1xi32>) kernel {
      %slots = memref.get_global @mailbox : memref<2xi32, #gpu.address_space<workgroup>>
      %state = memref.get_global @mailbox_state : memref<4xi64, #gpu.address_space<workgroup>>
      %tid = gpu.thread_id x
      %c0 = arith.constant 0 : index
      %c32 = arith.constant 32 : index
      %one = arith.constant 1 : i32
      %n = arith.index_cast %n32 : i32 to index
      %is_sender = arith.cmpi eq, %tid, %c0 : index
      %is_receiver = arith.cmpi eq, %tid, %c32 : index
      scf.if %is_sender {
        "gasync.channel_init"(%slots, %state, %one) : (memref<2xi32, #gpu.address_space<workgroup>>, memref<4xi64, #gpu.address_space<workgroup>>, i32) -> ()
      }
      gpu.barrier
      scf.if %is_sender {
        %s = "gasync.future"(%n) {callee = @sender} : (index) -> !gasync.fut<none>
        "gasync.block_on"(%s) : (!gasync.fut<none>) -> ()
      }
      scf.if %is_receiver {
        %r = "gasync.future"(%n) {callee = @receiver} : (index) -> !gasync.fut<i32>
        %sum = "gasync.block_on"(%r) : (!gasync.fut<i32>) -> i32
        memref.store %sum, %out[%c0] : memref<1xi32>
      }
      gpu.return
    }
  }
}
