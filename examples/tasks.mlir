// The seed's concurrency demo: three independent tasks spawned from one
// future, each looping with yields and appending (task id, step) to a log.
// The executor runs them round-robin, so the log interleaves them:
// (1,0) (2,0) (3,0) (1,1) (2,1) (3,1) ...
// Run: gasync-run examples/tasks.mlir --entry main --arg 'memref<12x2xi32>' --arg 'memref<1xi32>'

// Append (id, step) at log[count], count += 1.
func.func private @append(%log: memref<12x2xi32>, %count: memref<1xi32>, %id: i32, %step: i32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.load %count[%c0] : memref<1xi32>
  %i = arith.index_cast %n : i32 to index
  memref.store %id, %log[%i, %c0] : memref<12x2xi32>
  memref.store %step, %log[%i, %c1] : memref<12x2xi32>
  %one = arith.constant 1 : i32
  %m = arith.addi %n, %one : i32
  memref.store %m, %count[%c0] : memref<1xi32>
  return
}

// A task: `steps` rounds of (log, yield); returns its id * 100 + steps.
func.func private @worker(%log: memref<12x2xi32>, %count: memref<1xi32>, %id: i32, %steps: i32)
    -> i32 attributes {gasync.async} {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %done = scf.for %s = %c0 to %steps step %c1 iter_args(%acc = %c0) -> (i32) : i32 {
    func.call @append(%log, %count, %id, %s) : (memref<12x2xi32>, memref<1xi32>, i32, i32) -> ()
    "gasync.yield"() : () -> ()
    %a = arith.addi %acc, %c1 : i32
    scf.yield %a : i32
  }
  %c100 = arith.constant 100 : i32
  %h = arith.muli %id, %c100 : i32
  %r = arith.addi %h, %done : i32
  return %r : i32
}

func.func private @three(%log: memref<12x2xi32>, %count: memref<1xi32>) -> i32 attributes {gasync.async} {
  %c1 = arith.constant 1 : i32
  %c2 = arith.constant 2 : i32
  %c3 = arith.constant 3 : i32
  %c4 = arith.constant 4 : i32
  %f1 = "gasync.future"(%log, %count, %c1, %c4) {callee = @worker} : (memref<12x2xi32>, memref<1xi32>, i32, i32) -> !gasync.fut<i32>
  %t1 = "gasync.spawn"(%f1) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %f2 = "gasync.future"(%log, %count, %c2, %c4) {callee = @worker} : (memref<12x2xi32>, memref<1xi32>, i32, i32) -> !gasync.fut<i32>
  %t2 = "gasync.spawn"(%f2) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %f3 = "gasync.future"(%log, %count, %c3, %c4) {callee = @worker} : (memref<12x2xi32>, memref<1xi32>, i32, i32) -> !gasync.fut<i32>
  %t3 = "gasync.spawn"(%f3) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %r1 = "gasync.await"(%t1) : (!gasync.task<i32>) -> i32
  %r2 = "gasync.await"(%t2) : (!gasync.task<i32>) -> i32
  %r3 = "gasync.await"(%t3) : (!gasync.task<i32>) -> i32
  %s = arith.addi %r1, %r2 : i32
  %t = arith.addi %s, %r3 : i32
  return %t : i32
}

func.func @main(%log: memref<12x2xi32>, %count: memref<1xi32>) -> i32 {
  %f = "gasync.future"(%log, %count) {callee = @three} : (memref<12x2xi32>, memref<1xi32>) -> !gasync.fut<i32>
  %r = "gasync.block_on"(%f) {pool = 4 : i32} : (!gasync.fut<i32>) -> i32
  return %r : i32
}
