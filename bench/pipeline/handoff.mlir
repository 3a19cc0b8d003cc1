// The await handoff between two warps through channels (bench/pipeline):
// thread 0 (warp 0) sends i on @ping and awaits the answer on @pong; thread
// 32 (warp 1) answers each message + 1. Each runs its own block_on. 2n
// handoffs; out[0] = the cycles thread 0 spent (clock64), out[1] = its last
// answer (n when every message went through).

module attributes {gpu.container_module} {
  gpu.module @handoff {
    memref.global "private" @ping : memref<2xi32, #gpu.address_space<workgroup>>
    memref.global "private" @ping_state : memref<4xi64, #gpu.address_space<workgroup>>
    memref.global "private" @pong : memref<2xi32, #gpu.address_space<workgroup>>
    memref.global "private" @pong_state : memref<4xi64, #gpu.address_space<workgroup>>

    func.func private @client(%n: index) -> i32 attributes {gasync.async} {
      %ping = memref.get_global @ping : memref<2xi32, #gpu.address_space<workgroup>>
      %ping_state = memref.get_global @ping_state : memref<4xi64, #gpu.address_space<workgroup>>
      %pong = memref.get_global @pong : memref<2xi32, #gpu.address_space<workgroup>>
      %pong_state = memref.get_global @pong_state : memref<4xi64, #gpu.address_space<workgroup>>
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %zero = arith.constant 0 : i32
      %last = scf.for %i = %c0 to %n step %c1 iter_args(%v = %zero) -> (i32) {
        %s = "gasync.send"(%ping, %ping_state, %i, %v) : (memref<2xi32, #gpu.address_space<workgroup>>, memref<4xi64, #gpu.address_space<workgroup>>, index, i32) -> !gasync.fut<none>
        "gasync.await"(%s) : (!gasync.fut<none>) -> ()
        %r = "gasync.recv"(%pong, %pong_state, %i) : (memref<2xi32, #gpu.address_space<workgroup>>, memref<4xi64, #gpu.address_space<workgroup>>, index) -> !gasync.fut<i32>
        %w = "gasync.await"(%r) : (!gasync.fut<i32>) -> i32
        scf.yield %w : i32
      }
      return %last : i32
    }

    func.func private @server(%n: index) attributes {gasync.async} {
      %ping = memref.get_global @ping : memref<2xi32, #gpu.address_space<workgroup>>
      %ping_state = memref.get_global @ping_state : memref<4xi64, #gpu.address_space<workgroup>>
      %pong = memref.get_global @pong : memref<2xi32, #gpu.address_space<workgroup>>
      %pong_state = memref.get_global @pong_state : memref<4xi64, #gpu.address_space<workgroup>>
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %one = arith.constant 1 : i32
      scf.for %i = %c0 to %n step %c1 {
        %r = "gasync.recv"(%ping, %ping_state, %i) : (memref<2xi32, #gpu.address_space<workgroup>>, memref<4xi64, #gpu.address_space<workgroup>>, index) -> !gasync.fut<i32>
        %v = "gasync.await"(%r) : (!gasync.fut<i32>) -> i32
        %w = arith.addi %v, %one : i32
        %s = "gasync.send"(%pong, %pong_state, %i, %w) : (memref<2xi32, #gpu.address_space<workgroup>>, memref<4xi64, #gpu.address_space<workgroup>>, index, i32) -> !gasync.fut<none>
        "gasync.await"(%s) : (!gasync.fut<none>) -> ()
      }
      return
    }

    gpu.func @handoff(%n32: i32, %out: memref<2xi64>) kernel {
      %ping = memref.get_global @ping : memref<2xi32, #gpu.address_space<workgroup>>
      %ping_state = memref.get_global @ping_state : memref<4xi64, #gpu.address_space<workgroup>>
      %pong = memref.get_global @pong : memref<2xi32, #gpu.address_space<workgroup>>
      %pong_state = memref.get_global @pong_state : memref<4xi64, #gpu.address_space<workgroup>>
      %tid = gpu.thread_id x
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c32 = arith.constant 32 : index
      %one = arith.constant 1 : i32
      %n = arith.index_cast %n32 : i32 to index
      %is_client = arith.cmpi eq, %tid, %c0 : index
      %is_server = arith.cmpi eq, %tid, %c32 : index
      scf.if %is_client {
        "gasync.channel_init"(%ping, %ping_state, %one) : (memref<2xi32, #gpu.address_space<workgroup>>, memref<4xi64, #gpu.address_space<workgroup>>, i32) -> ()
        "gasync.channel_init"(%pong, %pong_state, %one) : (memref<2xi32, #gpu.address_space<workgroup>>, memref<4xi64, #gpu.address_space<workgroup>>, i32) -> ()
      }
      gpu.barrier
      scf.if %is_client {
        %t0 = nvvm.read.ptx.sreg.clock64 : i64
        %f = "gasync.future"(%n) {callee = @client} : (index) -> !gasync.fut<i32>
        %last = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
        %t1 = nvvm.read.ptx.sreg.clock64 : i64
        %dt = arith.subi %t1, %t0 : i64
        %l = arith.extui %last : i32 to i64
        memref.store %dt, %out[%c0] : memref<2xi64>
        memref.store %l, %out[%c1] : memref<2xi64>
      }
      scf.if %is_server {
        %f = "gasync.future"(%n) {callee = @server} : (index) -> !gasync.fut<none>
        "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
      }
      gpu.return
    }
  }
}
