// A flag ping-pong: @ping raises flag 0 to i+1 and waits for flag 1 to reach
// i+1; @pong waits for flag 0 to reach i+1 and raises flag 1 with a release
// atomic add, n times. Each side sums what it saw.
//
// CPU (two tasks of one executor):
//   gasync-run examples/flag_pingpong.mlir --entry main --arg 'memref<2xi32>' --arg 1000
// GPU (two blocks, each one thread running its own block_on):
//   gasync-run examples/flag_pingpong.mlir --target cuda --entry pingpong --grid 2 \
//     --arg 'memref<2xi32>' --arg 1000 --arg 'memref<2xi32>'
// Both print n(n+1)/2 + n(n-1)/2 = n^2 in total.

module attributes {gpu.container_module} {
  func.func private @ping(%flags: memref<2xi32>, %n: i32) -> i32 attributes {gasync.async} {
    %one = arith.constant 1 : i32
    %zero = arith.constant 0 : i32
    %mine = memref.subview %flags[0] [1] [1] : memref<2xi32> to memref<1xi32, strided<[1]>>
    %theirs = memref.subview %flags[1] [1] [1] : memref<2xi32> to memref<1xi32, strided<[1], offset: 1>>
    %sum = scf.for %i = %zero to %n step %one iter_args(%acc = %zero) -> (i32) : i32 {
      %v = arith.addi %i, %one : i32
      "gasync.flag_store"(%mine, %v) : (memref<1xi32, strided<[1]>>, i32) -> ()
      %back = "gasync.flag_wait"(%theirs, %v) : (memref<1xi32, strided<[1], offset: 1>>, i32) -> !gasync.fut<i32>
      %seen = "gasync.await"(%back) : (!gasync.fut<i32>) -> i32
      %s = arith.addi %acc, %seen : i32
      scf.yield %s : i32
    }
    return %sum : i32
  }

  func.func private @pong(%flags: memref<2xi32>, %n: i32) -> i32 attributes {gasync.async} {
    %one = arith.constant 1 : i32
    %zero = arith.constant 0 : i32
    %theirs = memref.subview %flags[0] [1] [1] : memref<2xi32> to memref<1xi32, strided<[1]>>
    %mine = memref.subview %flags[1] [1] [1] : memref<2xi32> to memref<1xi32, strided<[1], offset: 1>>
    %sum = scf.for %i = %zero to %n step %one iter_args(%acc = %zero) -> (i32) : i32 {
      %v = arith.addi %i, %one : i32
      %ball = "gasync.flag_wait"(%theirs, %v) {predicate = "sge"} : (memref<1xi32, strided<[1]>>, i32) -> !gasync.fut<i32>
      %seen = "gasync.await"(%ball) : (!gasync.fut<i32>) -> i32
      %old = "gasync.flag_add"(%mine, %one) : (memref<1xi32, strided<[1], offset: 1>>, i32) -> i32
      %s = arith.addi %acc, %old : i32
      scf.yield %s : i32
    }
    return %sum : i32
  }

  func.func private @both(%flags: memref<2xi32>, %n: i32) -> i32 attributes {gasync.async} {
    %a = "gasync.future"(%flags, %n) {callee = @ping} : (memref<2xi32>, i32) -> !gasync.fut<i32>
    %ta = "gasync.spawn"(%a) : (!gasync.fut<i32>) -> !gasync.task<i32>
    %b = "gasync.future"(%flags, %n) {callee = @pong} : (memref<2xi32>, i32) -> !gasync.fut<i32>
    %tb = "gasync.spawn"(%b) : (!gasync.fut<i32>) -> !gasync.task<i32>
    %x = "gasync.await"(%ta) : (!gasync.task<i32>) -> i32
    %y = "gasync.await"(%tb) : (!gasync.task<i32>) -> i32
    %s = arith.addi %x, %y : i32
    return %s : i32
  }

  func.func @main(%flags: memref<2xi32>, %n: i32) -> i32 {
    %f = "gasync.future"(%flags, %n) {callee = @both} : (memref<2xi32>, i32) -> !gasync.fut<i32>
    %r = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
    return %r : i32
  }

  gpu.module @kernels {
    // Block 0 plays ping, block 1 pong; sums[b] is what block b saw.
    gpu.func @pingpong(%flags: memref<2xi32>, %n: i32, %sums: memref<2xi32>) kernel {
      %b = gpu.block_id x
      %c0 = arith.constant 0 : index
      %is_ping = arith.cmpi eq, %b, %c0 : index
      %sum = scf.if %is_ping -> (i32) {
        %f = "gasync.future"(%flags, %n) {callee = @ping} : (memref<2xi32>, i32) -> !gasync.fut<i32>
        %r = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
        scf.yield %r : i32
      } else {
        %f = "gasync.future"(%flags, %n) {callee = @pong} : (memref<2xi32>, i32) -> !gasync.fut<i32>
        %r = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
        scf.yield %r : i32
      }
      memref.store %sum, %sums[%b] : memref<2xi32>
      gpu.return
    }
  }
}
