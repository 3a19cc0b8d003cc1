// Hardware futures on the GPU: a bulk copy into shared memory completing on
// an mbarrier, every thread awaiting the phase with block_on; a bulk store
// back; a flag raised by one block and awaited by another; a timer.
// The polls are single non-blocking tests (mbarrier.test_wait, an acquire
// load, the global timer), never a blocking try_wait loop.
// RUN: %gpu-run %s --emit=ptx --features +ptx86 > %t.ptx
// RUN: filecheck %s < %t.ptx
// RUN: filecheck %s --check-prefix=NOWAIT < %t.ptx
// GPU-EXEC: --entry twice --features +ptx86 --grid 2,1,1 --block 256,1,1 --arg 'memref<512xf32>=1.5' --arg 'memref<512xf32>' --timeout 60
// GPU-EXPECT-CPU: --entry twice_expected --arg 'memref<512xf32>=1.5' --arg 'memref<512xf32>'
// (test/GPU/hardware-flag.mlir and hardware-sleep.mlir run the other kernels.)

// NOWAIT-NOT: try_wait
// CHECK-LABEL: .entry twice(
// CHECK: mbarrier.init.shared.b64
// CHECK: mbarrier.arrive.expect_tx.shared.b64
// CHECK: cp.async.bulk.shared::cta.global.mbarrier::complete_tx::bytes
// CHECK: mbarrier.test_wait.parity.shared.b64
// CHECK: fence.proxy.async.shared::cta
// CHECK: cp.async.bulk.global.shared::cta.bulk_group
// CHECK: cp.async.bulk.commit_group
// CHECK: cp.async.bulk.wait_group.read 0
module attributes {gpu.container_module} {
  gpu.module @kernels {
    memref.global "private" @tile : memref<256xf32, #gpu.address_space<workgroup>> {alignment = 128 : i64}
    memref.global "private" @bar : memref<1xi64, #gpu.address_space<workgroup>> {alignment = 8 : i64}

    // y = 2x, a tile of 256 per block through shared memory.
    gpu.func @twice(%x: memref<512xf32>, %y: memref<512xf32>) kernel {
      %tile = memref.get_global @tile : memref<256xf32, #gpu.address_space<workgroup>>
      %bar = memref.get_global @bar : memref<1xi64, #gpu.address_space<workgroup>>
      %tid = gpu.thread_id x
      %bid = gpu.block_id x
      %c0 = arith.constant 0 : index
      %c256 = arith.constant 256 : index
      %one = arith.constant 1 : i32
      %zero = arith.constant 0 : i32
      %bytes = arith.constant 1024 : i32
      %base = arith.muli %bid, %c256 : index
      %src = memref.subview %x[%base] [256] [1] : memref<512xf32> to memref<256xf32, strided<[1], offset: ?>>
      %dst = memref.subview %y[%base] [256] [1] : memref<512xf32> to memref<256xf32, strided<[1], offset: ?>>
      %leader = arith.cmpi eq, %tid, %c0 : index
      scf.if %leader {
        "gasync.mbarrier_init"(%bar, %one) : (memref<1xi64, #gpu.address_space<workgroup>>, i32) -> ()
      }
      gpu.barrier
      scf.if %leader {
        "gasync.mbarrier_arrive_expect_tx"(%bar, %bytes) : (memref<1xi64, #gpu.address_space<workgroup>>, i32) -> ()
        "gasync.bulk_load"(%tile, %src, %bar) : (memref<256xf32, #gpu.address_space<workgroup>>, memref<256xf32, strided<[1], offset: ?>>, memref<1xi64, #gpu.address_space<workgroup>>) -> ()
      }
      %landed = "gasync.mbarrier_wait"(%bar, %zero) : (memref<1xi64, #gpu.address_space<workgroup>>, i32) -> !gasync.fut<none>
      "gasync.block_on"(%landed) : (!gasync.fut<none>) -> ()
      %v = memref.load %tile[%tid] : memref<256xf32, #gpu.address_space<workgroup>>
      %d = arith.addf %v, %v : f32
      memref.store %d, %tile[%tid] : memref<256xf32, #gpu.address_space<workgroup>>
      gpu.barrier
      scf.if %leader {
        %stored = "gasync.bulk_store"(%dst, %tile) : (memref<256xf32, strided<[1], offset: ?>>, memref<256xf32, #gpu.address_space<workgroup>>) -> !gasync.fut<none>
        "gasync.block_on"(%stored) : (!gasync.fut<none>) -> ()
      }
      gpu.return
    }

    // Block 1 raises flag 0 to 42; block 0 waits for it, then adds 43 to flag 1.
    gpu.func @handoff(%flags: memref<2xi32>) kernel {
      %bid = gpu.block_id x
      %c0 = arith.constant 0 : index
      %c42 = arith.constant 42 : i32
      %c43 = arith.constant 43 : i32
      %first = memref.subview %flags[0] [1] [1] : memref<2xi32> to memref<1xi32, strided<[1]>>
      %second = memref.subview %flags[1] [1] [1] : memref<2xi32> to memref<1xi32, strided<[1], offset: 1>>
      %raiser = arith.cmpi ne, %bid, %c0 : index
      scf.if %raiser {
        "gasync.flag_store"(%first, %c42) : (memref<1xi32, strided<[1]>>, i32) -> ()
      } else {
        %raised = "gasync.flag_wait"(%first, %c42) : (memref<1xi32, strided<[1]>>, i32) -> !gasync.fut<i32>
        %seen = "gasync.block_on"(%raised) : (!gasync.fut<i32>) -> i32
        %old = "gasync.flag_add"(%second, %c43) : (memref<1xi32, strided<[1], offset: 1>>, i32) -> i32
      }
      gpu.return
    }

    // Sleeps 10 microseconds; records how long it took.
    gpu.func @nap(%took: memref<1xi64>) kernel {
      %c0 = arith.constant 0 : index
      %ns = arith.constant 10000 : i64
      %t0 = nvvm.read.ptx.sreg.globaltimer : i64
      %f = "gasync.sleep"(%ns) : (i64) -> !gasync.fut<none>
      "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
      %t1 = nvvm.read.ptx.sreg.globaltimer : i64
      %dt = arith.subi %t1, %t0 : i64
      memref.store %dt, %took[%c0] : memref<1xi64>
      gpu.return
    }
  }

  // The CPU's y = 2x, for the expected output.
  func.func @twice_expected(%x: memref<512xf32>, %y: memref<512xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 512 : index
    scf.for %i = %c0 to %n step %c1 {
      %v = memref.load %x[%i] : memref<512xf32>
      %d = arith.addf %v, %v : f32
      memref.store %d, %y[%i] : memref<512xf32>
    }
    return
  }
}
