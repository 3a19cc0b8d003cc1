// The seed's concurrency demo: three independent tasks spawned from one
// future, each looping with yields and appending (task id, step) to a log.
// The executor runs ready tasks round-robin, so the log interleaves them:
// (1,0) (2,0) (3,0) (1,1) (2,1) (3,1) ...
//
// CPU:  gasync-run examples/tasks.mlir --entry main --arg 'memref<1x12x2xi32>' --arg 'memref<1xi32>'
// GPU:  gasync-run examples/tasks.mlir --target cuda --entry tasks_thread --block 32 \
//         --arg 'memref<32x12x2xi32>' --arg 'memref<32xi32>' --arg 'memref<32xi32>'
//       (tasks_warp: the same with a warp-scope executor; tasks_block, with
//       --block 128: one executor per block, the root on warp 0, whose lane
//       i logs into row i, and the tasks spread over the block's 4 warps)
// Each thread (GPU) logs into its own row `row` of the log.

module attributes {gpu.container_module} {
  // Append (id, step) at log[row, count[row]++]. Atomic: at block scope the
  // tasks of one row run on different warps at the same time.
  func.func private @append(%log: memref<?x12x2xi32>, %count: memref<?xi32>, %row: index,
                            %id: i32, %step: i32) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %one = arith.constant 1 : i32
    %n = memref.atomic_rmw addi %one, %count[%row] : (i32, memref<?xi32>) -> i32
    %i = arith.index_cast %n : i32 to index
    memref.store %id, %log[%row, %i, %c0] : memref<?x12x2xi32>
    memref.store %step, %log[%row, %i, %c1] : memref<?x12x2xi32>
    return
  }

  // A task: `steps` rounds of (log, yield); returns id * 100 + steps.
  func.func private @worker(%log: memref<?x12x2xi32>, %count: memref<?xi32>, %row: index,
                            %id: i32, %steps: i32) -> i32 attributes {gasync.async} {
    %c0 = arith.constant 0 : i32
    %c1 = arith.constant 1 : i32
    %done = scf.for %s = %c0 to %steps step %c1 iter_args(%acc = %c0) -> (i32) : i32 {
      func.call @append(%log, %count, %row, %id, %s)
          : (memref<?x12x2xi32>, memref<?xi32>, index, i32, i32) -> ()
      "gasync.yield"() : () -> ()
      %a = arith.addi %acc, %c1 : i32
      scf.yield %a : i32
    }
    %c100 = arith.constant 100 : i32
    %h = arith.muli %id, %c100 : i32
    %r = arith.addi %h, %done : i32
    return %r : i32
  }

  // Spawns the three workers, then joins them: 104 + 204 + 304 = 612.
  func.func private @three(%log: memref<?x12x2xi32>, %count: memref<?xi32>, %row: index)
      -> i32 attributes {gasync.async} {
    %c1 = arith.constant 1 : i32
    %c2 = arith.constant 2 : i32
    %c3 = arith.constant 3 : i32
    %c4 = arith.constant 4 : i32
    %f1 = "gasync.future"(%log, %count, %row, %c1, %c4) {callee = @worker}
        : (memref<?x12x2xi32>, memref<?xi32>, index, i32, i32) -> !gasync.fut<i32>
    %t1 = "gasync.spawn"(%f1) : (!gasync.fut<i32>) -> !gasync.task<i32>
    %f2 = "gasync.future"(%log, %count, %row, %c2, %c4) {callee = @worker}
        : (memref<?x12x2xi32>, memref<?xi32>, index, i32, i32) -> !gasync.fut<i32>
    %t2 = "gasync.spawn"(%f2) : (!gasync.fut<i32>) -> !gasync.task<i32>
    %f3 = "gasync.future"(%log, %count, %row, %c3, %c4) {callee = @worker}
        : (memref<?x12x2xi32>, memref<?xi32>, index, i32, i32) -> !gasync.fut<i32>
    %t3 = "gasync.spawn"(%f3) : (!gasync.fut<i32>) -> !gasync.task<i32>
    %r1 = "gasync.await"(%t1) : (!gasync.task<i32>) -> i32
    %r2 = "gasync.await"(%t2) : (!gasync.task<i32>) -> i32
    %r3 = "gasync.await"(%t3) : (!gasync.task<i32>) -> i32
    %s = arith.addi %r1, %r2 : i32
    %t = arith.addi %s, %r3 : i32
    return %t : i32
  }

  func.func @main(%log: memref<1x12x2xi32>, %count: memref<1xi32>) -> i32 {
    %l = memref.cast %log : memref<1x12x2xi32> to memref<?x12x2xi32>
    %c = memref.cast %count : memref<1xi32> to memref<?xi32>
    %row = arith.constant 0 : index
    %f = "gasync.future"(%l, %c, %row) {callee = @three}
        : (memref<?x12x2xi32>, memref<?xi32>, index) -> !gasync.fut<i32>
    %r = "gasync.block_on"(%f) {pool = 4 : i32} : (!gasync.fut<i32>) -> i32
    return %r : i32
  }

  gpu.module @kernels {
    // Thread scope: each thread its own executor, its own row.
    gpu.func @tasks_thread(%log: memref<32x12x2xi32>, %count: memref<32xi32>,
                           %result: memref<32xi32>) kernel {
      %row = gpu.thread_id x
      %l = memref.cast %log : memref<32x12x2xi32> to memref<?x12x2xi32>
      %c = memref.cast %count : memref<32xi32> to memref<?xi32>
      %f = "gasync.future"(%l, %c, %row) {callee = @three}
          : (memref<?x12x2xi32>, memref<?xi32>, index) -> !gasync.fut<i32>
      %r = "gasync.block_on"(%f) {pool = 4 : i32} : (!gasync.fut<i32>) -> i32
      memref.store %r, %result[%row] : memref<32xi32>
      gpu.return
    }
    // Warp scope: the warp's lanes run one executor together (each lane
    // its own frames and row), deciding every step as one.
    gpu.func @tasks_warp(%log: memref<32x12x2xi32>, %count: memref<32xi32>,
                         %result: memref<32xi32>) kernel {
      %row = gpu.thread_id x
      %l = memref.cast %log : memref<32x12x2xi32> to memref<?x12x2xi32>
      %c = memref.cast %count : memref<32xi32> to memref<?xi32>
      %f = "gasync.future"(%l, %c, %row) {callee = @three}
          : (memref<?x12x2xi32>, memref<?xi32>, index) -> !gasync.fut<i32>
      %r = "gasync.block_on"(%f) {pool = 4 : i32, scope = "warp"} : (!gasync.fut<i32>) -> i32
      memref.store %r, %result[%row] : memref<32xi32>
      gpu.return
    }
    // Block scope: one executor for the block's 4 warps, in shared memory.
    // The root runs on warp 0 (lane i with row i); in each round the three
    // tasks run at once on three warps, so within a round their log entries
    // land in any order: lane i then orders each round's three entries by
    // task id, which leaves the log as on the other scopes exactly when
    // every round held one step of each task.
    gpu.func @tasks_block(%log: memref<32x12x2xi32>, %count: memref<32xi32>,
                          %result: memref<32xi32>) kernel {
      %tid = gpu.thread_id x
      %c32 = arith.constant 32 : index
      %row = arith.remui %tid, %c32 : index
      %l = memref.cast %log : memref<32x12x2xi32> to memref<?x12x2xi32>
      %c = memref.cast %count : memref<32xi32> to memref<?xi32>
      %f = "gasync.future"(%l, %c, %row) {callee = @three}
          : (memref<?x12x2xi32>, memref<?xi32>, index) -> !gasync.fut<i32>
      %r = "gasync.block_on"(%f) {pool = 4 : i32, scope = "block"} : (!gasync.fut<i32>) -> i32
      %warp0 = arith.cmpi ult, %tid, %c32 : index
      scf.if %warp0 {
        memref.store %r, %result[%row] : memref<32xi32>
        %c0 = arith.constant 0 : index
        %c1 = arith.constant 1 : index
        %c3 = arith.constant 3 : index
        %c12 = arith.constant 12 : index
        scf.for %p = %c0 to %c12 step %c3 {
          %p1 = arith.addi %p, %c1 : index
          %p2 = arith.addi %p1, %c1 : index
          func.call @order(%log, %row, %p, %p1) : (memref<32x12x2xi32>, index, index, index) -> ()
          func.call @order(%log, %row, %p1, %p2) : (memref<32x12x2xi32>, index, index, index) -> ()
          func.call @order(%log, %row, %p, %p1) : (memref<32x12x2xi32>, index, index, index) -> ()
        }
      }
      gpu.return
    }
    // Swap log entries a and b of `row` if a's task id is larger.
    func.func private @order(%log: memref<32x12x2xi32>, %row: index, %a: index, %b: index) {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %ia = memref.load %log[%row, %a, %c0] : memref<32x12x2xi32>
      %sa = memref.load %log[%row, %a, %c1] : memref<32x12x2xi32>
      %ib = memref.load %log[%row, %b, %c0] : memref<32x12x2xi32>
      %sb = memref.load %log[%row, %b, %c1] : memref<32x12x2xi32>
      %swap = arith.cmpi sgt, %ia, %ib : i32
      scf.if %swap {
        memref.store %ib, %log[%row, %a, %c0] : memref<32x12x2xi32>
        memref.store %sb, %log[%row, %a, %c1] : memref<32x12x2xi32>
        memref.store %ia, %log[%row, %b, %c0] : memref<32x12x2xi32>
        memref.store %sa, %log[%row, %b, %c1] : memref<32x12x2xi32>
      }
      return
    }
  }
}
