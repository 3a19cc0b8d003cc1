// Regression: a gpu.module whose only kernel runs a thread-scope executor
// that spawns: the block-scope slot claim (an atomic CAS) must not become an
// atomic on the thread-scope executor's local memory, which ptxas rejects.
// RUN: %gpu-run %s --emit=cubin -o %t.cubin
// RUN: %gpu-run %s --emit=ptx | filecheck %s
// CHECK-NOT: atom{{.*}}.local
module attributes {gpu.container_module} {
  func.func private @one() -> i32 attributes {gasync.async} {
    %c1 = arith.constant 1 : i32
    return %c1 : i32
  }
  func.func private @root() -> i32 attributes {gasync.async} {
    %f = "gasync.future"() {callee = @one} : () -> !gasync.fut<i32>
    %t = "gasync.spawn"(%f) : (!gasync.fut<i32>) -> !gasync.task<i32>
    %r = "gasync.await"(%t) : (!gasync.task<i32>) -> i32
    return %r : i32
  }
  gpu.module @kernels {
    gpu.func @k(%out: memref<1xi32>) kernel {
      %c0 = arith.constant 0 : index
      %f = "gasync.future"() {callee = @root} : () -> !gasync.fut<i32>
      %r = "gasync.block_on"(%f) {pool = 2 : i32} : (!gasync.fut<i32>) -> i32
      memref.store %r, %out[%c0] : memref<1xi32>
      gpu.return
    }
  }
}
