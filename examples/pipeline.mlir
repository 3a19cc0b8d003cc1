// A warp-specialised stream, y = a*x + b: tiles of x flow through a channel
// of 4 slots in shared memory. One producer fills each slot with a bulk copy
// (cp.async.bulk completing on the slot's full mbarrier); the consumers
// compute their part of the tile, store it to y, and release the slot. The
// channel ops own the mbarriers, their phases and arrival counts.
//
// GPU: per block, thread 0 (warp 0) runs the producer's block_on and every
// thread of the other warps a consumer's (a tile is 2048 floats, 8 KiB):
//   gasync-run examples/pipeline.mlir --target cuda --features +ptx86 --entry pipeline \
//     --grid 132 --block 288 --arg 'memref<1048576xf32>=1.0' --arg 'memref<1048576xf32>' \
//     --arg 2.0 --arg 0.5 --arg 512
// CPU (small: producer and consumers as tasks of one executor, tiles of 64):
//   gasync-run examples/pipeline.mlir --entry main --arg 'memref<512xf32>=[0,1,...]' \
//     --arg 'memref<512xf32>' --arg 2.0 --arg 0.5

module attributes {gpu.container_module} {
  // Tiles first, first + stride, ... (count of them) of x into the channel.
  func.func private @produce(%ring: memref<4x64xf32>, %state: memref<8xi64>, %x: memref<512xf32>,
                             %first: index, %stride: index, %count: index) attributes {gasync.async} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %tile = arith.constant 64 : index
    scf.for %k = %c0 to %count step %c1 {
      %t0 = arith.muli %k, %stride : index
      %t = arith.addi %first, %t0 : index
      %at = arith.muli %t, %tile : index
      %src = memref.subview %x[%at] [64] [1] : memref<512xf32> to memref<64xf32, strided<[1], offset: ?>>
      %sent = "gasync.send"(%ring, %state, %k, %src) : (memref<4x64xf32>, memref<8xi64>, index, memref<64xf32, strided<[1], offset: ?>>) -> !gasync.fut<none>
      "gasync.await"(%sent) : (!gasync.fut<none>) -> ()
    }
    return
  }

  // Consumer `me` of `consumers`: elements me, me + consumers, ... of each tile.
  func.func private @consume(%ring: memref<4x64xf32>, %state: memref<8xi64>, %y: memref<512xf32>,
                             %a: f32, %b: f32, %first: index, %stride: index, %count: index,
                             %me: index, %consumers: index) attributes {gasync.async} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %tile = arith.constant 64 : index
    scf.for %k = %c0 to %count step %c1 {
      %got = "gasync.recv"(%ring, %state, %k) : (memref<4x64xf32>, memref<8xi64>, index) -> !gasync.fut<index>
      %slot = "gasync.await"(%got) : (!gasync.fut<index>) -> index
      %t0 = arith.muli %k, %stride : index
      %t = arith.addi %first, %t0 : index
      %at = arith.muli %t, %tile : index
      scf.for %j = %me to %tile step %consumers {
        %v = memref.load %ring[%slot, %j] : memref<4x64xf32>
        %ax = arith.mulf %a, %v : f32
        %r = arith.addf %ax, %b : f32
        %o = arith.addi %at, %j : index
        memref.store %r, %y[%o] : memref<512xf32>
      }
      "gasync.release"(%ring, %state, %k) : (memref<4x64xf32>, memref<8xi64>, index) -> ()
    }
    return
  }

  // CPU: the producer and two consumer tasks over all 8 tiles.
  func.func private @stream(%ring: memref<4x64xf32>, %state: memref<8xi64>, %x: memref<512xf32>,
                            %y: memref<512xf32>, %a: f32, %b: f32) attributes {gasync.async} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %tiles = arith.constant 8 : index
    %f0 = "gasync.future"(%ring, %state, %y, %a, %b, %c0, %c1, %tiles, %c0, %c2) {callee = @consume} : (memref<4x64xf32>, memref<8xi64>, memref<512xf32>, f32, f32, index, index, index, index, index) -> !gasync.fut<none>
    %t0 = "gasync.spawn"(%f0) : (!gasync.fut<none>) -> !gasync.task<none>
    %f1 = "gasync.future"(%ring, %state, %y, %a, %b, %c0, %c1, %tiles, %c1, %c2) {callee = @consume} : (memref<4x64xf32>, memref<8xi64>, memref<512xf32>, f32, f32, index, index, index, index, index) -> !gasync.fut<none>
    %t1 = "gasync.spawn"(%f1) : (!gasync.fut<none>) -> !gasync.task<none>
    %p = "gasync.future"(%ring, %state, %x, %c0, %c1, %tiles) {callee = @produce} : (memref<4x64xf32>, memref<8xi64>, memref<512xf32>, index, index, index) -> !gasync.fut<none>
    "gasync.await"(%p) : (!gasync.fut<none>) -> ()
    "gasync.await"(%t0) : (!gasync.task<none>) -> ()
    "gasync.await"(%t1) : (!gasync.task<none>) -> ()
    return
  }

  func.func @main(%x: memref<512xf32>, %y: memref<512xf32>, %a: f32, %b: f32) {
    %ring = memref.alloca() {alignment = 16 : i64} : memref<4x64xf32>
    %state = memref.alloca() : memref<8xi64>
    %consumers = arith.constant 2 : i32
    "gasync.channel_init"(%ring, %state, %consumers) : (memref<4x64xf32>, memref<8xi64>, i32) -> ()
    %f = "gasync.future"(%ring, %state, %x, %y, %a, %b) {callee = @stream} : (memref<4x64xf32>, memref<8xi64>, memref<512xf32>, memref<512xf32>, f32, f32) -> !gasync.fut<none>
    "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
    return
  }

  // What the kernel computes, on the CPU, for checking it: y = a*x + b over
  // the first tiles * 2048 elements (CPU entries take static shapes: the size
  // test/GPU/pipeline.mlir runs).
  func.func @reference(%x: memref<32768xf32>, %y: memref<32768xf32>, %a: f32, %b: f32, %tiles: i32) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %tile = arith.constant 2048 : index
    %t = arith.index_cast %tiles : i32 to index
    %n = arith.muli %t, %tile : index
    scf.for %i = %c0 to %n step %c1 {
      %v = memref.load %x[%i] : memref<32768xf32>
      %ax = arith.mulf %a, %v : f32
      %r = arith.addf %ax, %b : f32
      memref.store %r, %y[%i] : memref<32768xf32>
    }
    return
  }

  gpu.module @kernels {
    memref.global "private" @ring : memref<4x2048xf32, #gpu.address_space<workgroup>> {alignment = 128 : i64}
    memref.global "private" @state : memref<8xi64, #gpu.address_space<workgroup>> {alignment = 8 : i64}

    // The same producer and consumer as above, for tiles of 2048 in shared memory.
    func.func private @produce(%ring: memref<4x2048xf32, #gpu.address_space<workgroup>>,
                               %state: memref<8xi64, #gpu.address_space<workgroup>>,
                               %x: memref<?xf32>, %first: index, %stride: index, %count: index)
        attributes {gasync.async} {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %tile = arith.constant 2048 : index
      scf.for %k = %c0 to %count step %c1 {
        %t0 = arith.muli %k, %stride : index
        %t = arith.addi %first, %t0 : index
        %at = arith.muli %t, %tile : index
        %src = memref.subview %x[%at] [2048] [1] : memref<?xf32> to memref<2048xf32, strided<[1], offset: ?>>
        %sent = "gasync.send"(%ring, %state, %k, %src) : (memref<4x2048xf32, #gpu.address_space<workgroup>>, memref<8xi64, #gpu.address_space<workgroup>>, index, memref<2048xf32, strided<[1], offset: ?>>) -> !gasync.fut<none>
        "gasync.await"(%sent) : (!gasync.fut<none>) -> ()
      }
      return
    }

    func.func private @consume(%ring: memref<4x2048xf32, #gpu.address_space<workgroup>>,
                               %state: memref<8xi64, #gpu.address_space<workgroup>>,
                               %y: memref<?xf32>, %a: f32, %b: f32, %first: index, %stride: index,
                               %count: index, %me: index, %consumers: index)
        attributes {gasync.async} {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %tile = arith.constant 2048 : index
      scf.for %k = %c0 to %count step %c1 {
        %got = "gasync.recv"(%ring, %state, %k) : (memref<4x2048xf32, #gpu.address_space<workgroup>>, memref<8xi64, #gpu.address_space<workgroup>>, index) -> !gasync.fut<index>
        %slot = "gasync.await"(%got) : (!gasync.fut<index>) -> index
        %t0 = arith.muli %k, %stride : index
        %t = arith.addi %first, %t0 : index
        %at = arith.muli %t, %tile : index
        scf.for %j = %me to %tile step %consumers {
          %v = memref.load %ring[%slot, %j] : memref<4x2048xf32, #gpu.address_space<workgroup>>
          %ax = arith.mulf %a, %v : f32
          %r = arith.addf %ax, %b : f32
          %o = arith.addi %at, %j : index
          memref.store %r, %y[%o] : memref<?xf32>
        }
        "gasync.release"(%ring, %state, %k) : (memref<4x2048xf32, #gpu.address_space<workgroup>>, memref<8xi64, #gpu.address_space<workgroup>>, index) -> ()
      }
      return
    }

    // Block b streams tiles b, b + grid, ... of the `tiles` tiles: thread 0
    // produces, the threads of warps 1.. consume.
    gpu.func @pipeline(%x: memref<?xf32>, %y: memref<?xf32>, %a: f32, %b: f32, %tiles32: i32) kernel {
      %ring = memref.get_global @ring : memref<4x2048xf32, #gpu.address_space<workgroup>>
      %state = memref.get_global @state : memref<8xi64, #gpu.address_space<workgroup>>
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c32 = arith.constant 32 : index
      %tid = gpu.thread_id x
      %bid = gpu.block_id x
      %threads = gpu.block_dim x
      %grid = gpu.grid_dim x
      %tiles = arith.index_cast %tiles32 : i32 to index
      %consumers = arith.subi %threads, %c32 : index
      // ceil((tiles - bid) / grid), 0 when bid >= tiles
      %left = arith.subi %tiles, %bid : index
      %up = arith.addi %left, %grid : index
      %up1 = arith.subi %up, %c1 : index
      %q = arith.divui %up1, %grid : index
      %any = arith.cmpi ult, %bid, %tiles : index
      %count = arith.select %any, %q, %c0 : index
      %leader = arith.cmpi eq, %tid, %c0 : index
      scf.if %leader {
        %n = arith.index_cast %consumers : index to i32
        "gasync.channel_init"(%ring, %state, %n) : (memref<4x2048xf32, #gpu.address_space<workgroup>>, memref<8xi64, #gpu.address_space<workgroup>>, i32) -> ()
      }
      gpu.barrier
      %consumer = arith.cmpi uge, %tid, %c32 : index
      scf.if %leader {
        %p = "gasync.future"(%ring, %state, %x, %bid, %grid, %count) {callee = @produce} : (memref<4x2048xf32, #gpu.address_space<workgroup>>, memref<8xi64, #gpu.address_space<workgroup>>, memref<?xf32>, index, index, index) -> !gasync.fut<none>
        "gasync.block_on"(%p) : (!gasync.fut<none>) -> ()
      }
      scf.if %consumer {
        %me = arith.subi %tid, %c32 : index
        %c = "gasync.future"(%ring, %state, %y, %a, %b, %bid, %grid, %count, %me, %consumers) {callee = @consume} : (memref<4x2048xf32, #gpu.address_space<workgroup>>, memref<8xi64, #gpu.address_space<workgroup>>, memref<?xf32>, f32, f32, index, index, index, index, index) -> !gasync.fut<none>
        "gasync.block_on"(%c) : (!gasync.fut<none>) -> ()
      }
      gpu.return
    }
  }
}
