// spawn / join / yield semantics on the CPU executor.
// RUN: gasync-run %s --entry main --arg 'memref<16xi32>' --arg 'memref<1xi32>' | filecheck %s

// Log `v` at log[count++].
func.func private @note(%log: memref<16xi32>, %count: memref<1xi32>, %v: i32) {
  %c0 = arith.constant 0 : index
  %n = memref.load %count[%c0] : memref<1xi32>
  %i = arith.index_cast %n : i32 to index
  memref.store %v, %log[%i] : memref<16xi32>
  %one = arith.constant 1 : i32
  %m = arith.addi %n, %one : i32
  memref.store %m, %count[%c0] : memref<1xi32>
  return
}

// Logs v, yields `yields` times, logs v + 1, returns v * 10.
func.func private @task(%log: memref<16xi32>, %count: memref<1xi32>, %v: i32, %yields: i32)
    -> i32 attributes {gasync.async} {
  func.call @note(%log, %count, %v) : (memref<16xi32>, memref<1xi32>, i32) -> ()
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  scf.for %i = %c0 to %yields step %c1 : i32 {
    "gasync.yield"() : () -> ()
  }
  %v1 = arith.addi %v, %c1 : i32
  func.call @note(%log, %count, %v1) : (memref<16xi32>, memref<1xi32>, i32) -> ()
  %c10 = arith.constant 10 : i32
  %r = arith.muli %v, %c10 : i32
  return %r : i32
}

// A task that spawns a task of its own and joins it (nested spawn).
func.func private @parent(%log: memref<16xi32>, %count: memref<1xi32>) -> i32 attributes {gasync.async} {
  %c50 = arith.constant 50 : i32
  %c0 = arith.constant 0 : i32
  %f = "gasync.future"(%log, %count, %c50, %c0) {callee = @task} : (memref<16xi32>, memref<1xi32>, i32, i32) -> !gasync.fut<i32>
  %t = "gasync.spawn"(%f) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %r = "gasync.await"(%t) : (!gasync.task<i32>) -> i32
  %one = arith.constant 1 : i32
  %s = arith.addi %r, %one : i32
  return %s : i32
}

// Spawned tasks do not run until the spawner suspends; joining a task that
// is not done parks the joiner until it finishes; a task joined after it
// finished gives its result at once; slots are reused after a join.
func.func private @root(%log: memref<16xi32>, %count: memref<1xi32>) -> i32 attributes {gasync.async} {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c2 = arith.constant 2 : i32
  %c10 = arith.constant 10 : i32
  %c20 = arith.constant 20 : i32
  %c99 = arith.constant 99 : i32
  %fa = "gasync.future"(%log, %count, %c10, %c2) {callee = @task} : (memref<16xi32>, memref<1xi32>, i32, i32) -> !gasync.fut<i32>
  %ta = "gasync.spawn"(%fa) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %fb = "gasync.future"(%log, %count, %c20, %c0) {callee = @task} : (memref<16xi32>, memref<1xi32>, i32, i32) -> !gasync.fut<i32>
  %tb = "gasync.spawn"(%fb) : (!gasync.fut<i32>) -> !gasync.task<i32>
  // Nothing spawned has run yet: 99 comes first in the log.
  func.call @note(%log, %count, %c99) : (memref<16xi32>, memref<1xi32>, i32) -> ()
  %ra = "gasync.await"(%ta) : (!gasync.task<i32>) -> i32
  // b finished long ago (no yields): joined at once.
  %rb = "gasync.await"(%tb) : (!gasync.task<i32>) -> i32
  %fp = "gasync.future"(%log, %count) {callee = @parent} : (memref<16xi32>, memref<1xi32>) -> !gasync.fut<i32>
  %tp = "gasync.spawn"(%fp) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %rp = "gasync.await"(%tp) : (!gasync.task<i32>) -> i32
  %s = arith.addi %ra, %rb : i32
  %t = arith.addi %s, %rp : i32
  return %t : i32
}

func.func @main(%log: memref<16xi32>, %count: memref<1xi32>) -> i32 {
  %f = "gasync.future"(%log, %count) {callee = @root} : (memref<16xi32>, memref<1xi32>) -> !gasync.fut<i32>
  // Two task slots: a, b, then parent and its child reuse them.
  %r = "gasync.block_on"(%f) {pool = 2 : i32} : (!gasync.fut<i32>) -> i32
  return %r : i32
}
// 100 + 200 + 501
// CHECK: result 0: 801
// log: 99 (root first), a starts, b runs to the end, a yields twice then ends,
// then parent's child.
// CHECK-NEXT: arg 0: [99, 10, 20, 21, 11, 50, 51, 0, 0, 0, 0, 0, 0, 0, 0, 0]
// CHECK-NEXT: arg 1: [7]
