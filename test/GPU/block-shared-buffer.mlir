// Two block-scope executors in one kernel share one shared-memory buffer, as
// large as the larger (40,912 bytes; the two together, 68,352, would not fit
// in 48 KiB): only one runs at a time. Each block_on starts with a barrier, so
// that no thread still reads the last executor's result when the leader sets
// up the next one in the same buffer.
// RUN: gasync-opt %s --gasync-coro | filecheck %s --check-prefix=IR
// RUN: %gpu-run %s --emit=ptx | filecheck %s
// IR: llvm.mlir.global internal @gasync_executor_0() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<40912 x i8>
// IR-NOT: @gasync_executor_1
// IR-LABEL: gpu.func @two_executors
// IR: llvm.mlir.addressof @gasync_executor_0
// IR: llvm.mlir.addressof @gasync_executor_0
// IR: call @gasync_rt_barrier
// IR-NEXT: call @gasync_rt_is_leader
// IR: call @gasync_rt_exec_init(
// IR: call @gasync_rt_run_block(
// IR: call @gasync_rt_barrier
// IR-NEXT: call @gasync_rt_is_leader
// IR: call @gasync_rt_exec_init$exec1(
// IR: call @gasync_rt_run_block$exec1(
// CHECK: .shared .align 16 .b8 gasync_executor_0[40912];
// CHECK-NOT: {{^[[:space:]]*}}.shared .align
// GPU-EXEC: --entry two_executors --block 64 --arg 'memref<2xi32>'
// GPU-EXPECT: arg 0: [11, 21]
module attributes {gpu.container_module} {
  gpu.module @kernels {
    func.func private @leaf(%x: i32) -> i32 attributes {gasync.async} {
      "gasync.yield"() : () -> ()
      %c1 = arith.constant 1 : i32
      %r = arith.addi %x, %c1 : i32
      return %r : i32
    }
    func.func private @spawner(%x: i32) -> i32 attributes {gasync.async} {
      %f = "gasync.future"(%x) {callee = @leaf} : (i32) -> !gasync.fut<i32>
      %t = "gasync.spawn"(%f) : (!gasync.fut<i32>) -> !gasync.task<i32>
      %r = "gasync.await"(%t) : (!gasync.task<i32>) -> i32
      return %r : i32
    }
    gpu.func @two_executors(%out: memref<2xi32>) kernel {
      %c10 = arith.constant 10 : i32
      %c20 = arith.constant 20 : i32
      %f = "gasync.future"(%c10) {callee = @spawner} : (i32) -> !gasync.fut<i32>
      %r = "gasync.block_on"(%f) {pool = 60 : i32, scope = "block"} : (!gasync.fut<i32>) -> i32
      %g = "gasync.future"(%c20) {callee = @spawner} : (i32) -> !gasync.fut<i32>
      %s = "gasync.block_on"(%g) {pool = 40 : i32, scope = "block"} : (!gasync.fut<i32>) -> i32
      %tid = gpu.thread_id x
      %c0 = arith.constant 0 : index
      %first = arith.cmpi eq, %tid, %c0 : index
      scf.if %first {
        %c1 = arith.constant 1 : index
        memref.store %r, %out[%c0] : memref<2xi32>
        memref.store %s, %out[%c1] : memref<2xi32>
      }
      gpu.return
    }
  }
}
