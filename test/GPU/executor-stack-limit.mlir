// On the GPU a thread- or warp-scope executor lives in the thread's local
// memory, at most 512 KiB per thread (runtime/abi.py's MAX_STACK_BYTES): a
// bigger one is a compile error at the block_on, not a failed launch.
// RUN: not %gpu-run %s --emit=mlir 2>&1 | filecheck %s
module attributes {gpu.container_module} {
  // A task whose frame keeps eight i64 values across its yield.
  func.func private @eight(%x: i64) -> i64 attributes {gasync.async} {
    %c1 = arith.constant 1 : i64
    %a = arith.addi %x, %c1 : i64
    %b = arith.addi %a, %c1 : i64
    %c = arith.addi %b, %c1 : i64
    %d = arith.addi %c, %c1 : i64
    %e = arith.addi %d, %c1 : i64
    %f = arith.addi %e, %c1 : i64
    %g = arith.addi %f, %c1 : i64
    %h = arith.addi %g, %c1 : i64
    "gasync.yield"() : () -> ()
    %s1 = arith.muli %a, %b : i64
    %s2 = arith.muli %c, %d : i64
    %s3 = arith.muli %e, %f : i64
    %s4 = arith.muli %g, %h : i64
    %s5 = arith.xori %s1, %s2 : i64
    %s6 = arith.xori %s3, %s4 : i64
    %s = arith.xori %s5, %s6 : i64
    return %s : i64
  }
  func.func private @spawn_eight(%x: i64) -> i64 attributes {gasync.async} {
    %f = "gasync.future"(%x) {callee = @eight} : (i64) -> !gasync.fut<i64>
    %t = "gasync.spawn"(%f) : (!gasync.fut<i64>) -> !gasync.task<i64>
    %r = "gasync.await"(%t) : (!gasync.task<i64>) -> i64
    return %r : i64
  }
  gpu.module @kernels {
    // Fits: 4097 slots (no error at this block_on).
    gpu.func @fits(%out: memref<1xi64>) kernel {
      %c0 = arith.constant 0 : index
      %x = arith.constant 3 : i64
      %f = "gasync.future"(%x) {callee = @spawn_eight} : (i64) -> !gasync.fut<i64>
      // CHECK-NOT: executor-stack-limit.mlir:[[# @LINE + 1]]:
      %r = "gasync.block_on"(%f) {pool = 4096 : i32} : (!gasync.fut<i64>) -> i64
      memref.store %r, %out[%c0] : memref<1xi64>
      gpu.return
    }
    gpu.func @too_big(%out: memref<1xi64>) kernel {
      %c0 = arith.constant 0 : index
      %x = arith.constant 3 : i64
      %f = "gasync.future"(%x) {callee = @spawn_eight} : (i64) -> !gasync.fut<i64>
      // CHECK: executor-stack-limit.mlir:[[# @LINE + 2]]:12: error: this executor needs {{[0-9]+}} bytes of stack (8193 slots of {{[0-9]+}}-byte frames), more than the 524288 that executors may take on the GPU: lower its pool
      // CHECK-NOT: error
      %r = "gasync.block_on"(%f) {pool = 8192 : i32} : (!gasync.fut<i64>) -> i64
      memref.store %r, %out[%c0] : memref<1xi64>
      gpu.return
    }
  }
}
