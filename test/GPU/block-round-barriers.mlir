// A block-scope executor's round has two barriers: the snapshot reads only
// what the last booking wrote (the root's state, the run queue's tail), a
// spawn queues nothing until its warp's booking, and every thread reads the
// status right after the poll, the only phase that writes it. The kernel
// has five: the block_on's start, the executor's set-up, the root's frames,
// and the two of the run loop. The booking's atomics (the add on the tail,
// the park and wake compare-and-swaps) are relaxed: the barriers order it.
// RUN: %gpu-run %s --emit=ptx | filecheck %s
// RUN: %gpu-run %s --emit=ptx | filecheck %s --check-prefix=ATOMS
// CHECK-LABEL: .entry spawns(
// CHECK-COUNT-5: bar.sync
// CHECK-NOT: bar.sync
// CHECK: ret;
// ATOMS-NOT: atom.acq_rel.cta.shared.add
// ATOMS-DAG: atom.shared.add.u32
// ATOMS-DAG: atom.relaxed.cta.shared.cas
// ATOMS-NOT: atom.acq_rel.cta.shared.add
// Warp 1's threads 32 to 35 store the results of the root's lanes 0 to 3
// (lane l's argument is thread l's id).
// GPU-EXEC: --entry spawns --block 128 --arg 'memref<4xi32>'
// GPU-EXPECT: arg 0: [3, 4, 5, 6]
module attributes {gpu.container_module} {
  gpu.module @kernels {
    func.func private @spin(%x: i32) -> i32 attributes {gasync.async} {
      "gasync.yield"() : () -> ()
      "gasync.yield"() : () -> ()
      %c2 = arith.constant 2 : i32
      %r = arith.addi %x, %c2 : i32
      return %r : i32
    }
    func.func private @root(%x: i32) -> i32 attributes {gasync.async} {
      %f = "gasync.future"(%x) {callee = @spin} : (i32) -> !gasync.fut<i32>
      %t = "gasync.spawn"(%f) : (!gasync.fut<i32>) -> !gasync.task<i32>
      "gasync.yield"() : () -> ()
      %y = "gasync.await"(%t) : (!gasync.task<i32>) -> i32
      %c1 = arith.constant 1 : i32
      %r = arith.addi %y, %c1 : i32
      return %r : i32
    }
    gpu.func @spawns(%out: memref<4xi32>) kernel {
      %tid = gpu.thread_id x
      %x = arith.index_cast %tid : index to i32
      %f = "gasync.future"(%x) {callee = @root} : (i32) -> !gasync.fut<i32>
      %r = "gasync.block_on"(%f) {pool = 2 : i32, scope = "block"} : (!gasync.fut<i32>) -> i32
      %c32 = arith.constant 32 : index
      %c36 = arith.constant 36 : index
      %from = arith.cmpi uge, %tid, %c32 : index
      %below = arith.cmpi ult, %tid, %c36 : index
      %stores = arith.andi %from, %below : i1
      scf.if %stores {
        %i = arith.subi %tid, %c32 : index
        memref.store %r, %out[%i] : memref<4xi32>
      }
      gpu.return
    }
  }
}
