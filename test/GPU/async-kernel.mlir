// A kernel runs a top-level async function through block_on: the function
// (and the helper it calls) is cloned into the gpu.module, lowered to a
// coroutine, and, its futures being always ready, inlined to straight-line
// code: no call and no local memory frame is left in the PTX.
// RUN: gasync-opt %s --gasync-clone-into-gpu-modules | filecheck %s --check-prefix=CLONE
// RUN: %gpu-run %s --emit=ptx | filecheck %s
// GPU-EXEC: --entry k --block 4 --arg 'memref<4xi32>=[1,2,3,4]'
// GPU-EXPECT: arg 0: [6, 12, 18, 24]

// CLONE: gpu.module @kernels
// CLONE: func.func private @async_double(
// CLONE: func.func private @triple(

// CHECK: .visible .entry k(
// CHECK-NOT: call
// CHECK-NOT: .local
// CHECK: mul.lo.s32 {{.*}}, 6;
// CHECK-NOT: call
module attributes {gpu.container_module} {
  func.func @triple(%x: i32) -> i32 {
    %c = arith.constant 3 : i32
    %r = arith.muli %x, %c : i32
    return %r : i32
  }
  func.func @async_double(%x: i32) -> i32 attributes {gasync.async} {
    %c2 = arith.constant 2 : i32
    %r = arith.muli %x, %c2 : i32
    %t = func.call @triple(%r) : (i32) -> i32
    return %t : i32
  }
  gpu.module @kernels {
    gpu.func @k(%a: memref<4xi32>) kernel {
      %t = gpu.thread_id x
      %v = memref.load %a[%t] : memref<4xi32>
      %f = "gasync.future"(%v) {callee = @async_double} : (i32) -> !gasync.fut<i32>
      %r = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
      memref.store %r, %a[%t] : memref<4xi32>
      gpu.return
    }
  }
}
