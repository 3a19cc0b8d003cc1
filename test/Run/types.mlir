// Values of types i1, i32, i64, f32, index and memref live across suspension
// points (each gasync.yield suspends once), and a memref written by a task.
// RUN: gasync-run %s --entry main --arg 1 --arg 7 --arg 5000000000 --arg 1.5 --arg 3 --arg 'memref<4xi32>=[1, 2, 3, 4]' | filecheck %s
// CHECK: result 0: 1
// CHECK-NEXT: result 1: 14
// CHECK-NEXT: result 2: 10000000000
// CHECK-NEXT: result 3: 3.000000e+00
// CHECK-NEXT: result 4: 6
// CHECK-NEXT: result 5: 10
// CHECK-NEXT: arg 5: [7, 2, 3, 4]

func.func private @keep(%b: i1, %x: i32, %y: i64, %f: f32, %i: index, %m: memref<4xi32>)
    -> (i1) attributes {gasync.async} {
  %nb = arith.xori %b, %b : i1
  "gasync.yield"() : () -> ()
  %r = arith.ori %nb, %b : i1
  return %r : i1
}

func.func private @twice(%b: i1, %x: i32, %y: i64, %f: f32, %i: index, %m: memref<4xi32>)
    -> (i32) attributes {gasync.async} {
  // Values defined before the suspensions, used after them.
  %x2 = arith.addi %x, %x : i32
  %i2 = arith.addi %i, %i : index
  %c0 = arith.constant 0 : index
  %m0 = memref.load %m[%c0] : memref<4xi32>
  "gasync.yield"() : () -> ()
  "gasync.yield"() : () -> ()
  %k = "gasync.future"(%b, %x, %y, %f, %i, %m) {callee = @keep}
      : (i1, i32, i64, f32, index, memref<4xi32>) -> !gasync.fut<i1>
  %kb = "gasync.await"(%k) : (!gasync.fut<i1>) -> i1
  %sel = arith.select %kb, %x2, %x : i32
  // Store the results of this task where the host reads them.
  %ii = arith.index_cast %i2 : index to i32
  %seven = arith.addi %m0, %ii : i32
  memref.store %seven, %m[%c0] : memref<4xi32>
  return %sel : i32
}

func.func private @wide(%y: i64) -> i64 attributes {gasync.async} {
  %y2 = arith.addi %y, %y : i64
  "gasync.yield"() : () -> ()
  return %y2 : i64
}

func.func private @flt(%f: f32) -> f32 attributes {gasync.async} {
  "gasync.yield"() : () -> ()
  %f2 = arith.addf %f, %f : f32
  return %f2 : f32
}

func.func private @idx(%i: index) -> index attributes {gasync.async} {
  %i2 = arith.addi %i, %i : index
  "gasync.yield"() : () -> ()
  return %i2 : index
}

func.func private @sum4(%m: memref<4xi32>) -> i32 attributes {gasync.async} {
  "gasync.yield"() : () -> ()
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %z = arith.constant 0 : i32
  %s = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %z) -> (i32) {
    %v = memref.load %m[%i] : memref<4xi32>
    %a = arith.addi %acc, %v : i32
    scf.yield %a : i32
  }
  return %s : i32
}

func.func @main(%b: i1, %x: i32, %y: i64, %f: f32, %i: index, %m: memref<4xi32>)
    -> (i1, i32, i64, f32, index, i32) {
  %s = "gasync.future"(%m) {callee = @sum4} : (memref<4xi32>) -> !gasync.fut<i32>
  %rs = "gasync.block_on"(%s) : (!gasync.fut<i32>) -> i32
  %k = "gasync.future"(%b, %x, %y, %f, %i, %m) {callee = @keep}
      : (i1, i32, i64, f32, index, memref<4xi32>) -> !gasync.fut<i1>
  %rb = "gasync.block_on"(%k) : (!gasync.fut<i1>) -> i1
  %t = "gasync.future"(%b, %x, %y, %f, %i, %m) {callee = @twice}
      : (i1, i32, i64, f32, index, memref<4xi32>) -> !gasync.fut<i32>
  %rx = "gasync.block_on"(%t) : (!gasync.fut<i32>) -> i32
  %w = "gasync.future"(%y) {callee = @wide} : (i64) -> !gasync.fut<i64>
  %ry = "gasync.block_on"(%w) : (!gasync.fut<i64>) -> i64
  %fl = "gasync.future"(%f) {callee = @flt} : (f32) -> !gasync.fut<f32>
  %rf = "gasync.block_on"(%fl) : (!gasync.fut<f32>) -> f32
  %ix = "gasync.future"(%i) {callee = @idx} : (index) -> !gasync.fut<index>
  %ri = "gasync.block_on"(%ix) : (!gasync.fut<index>) -> index
  return %rb, %rx, %ry, %rf, %ri, %rs : i1, i32, i64, f32, index, i32
}
