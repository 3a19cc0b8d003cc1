// An await chain four deep, each level suspending once; two futures created
// before either is awaited, awaited in reverse order; futures of none that
// write through a memref.
// RUN: gasync-run %s --entry main --arg 5 --arg 'memref<2xi32>' | filecheck %s
// CHECK: result 0: 23
// CHECK-NEXT: result 1: 17
// CHECK-NEXT: arg 1: [5, 6]

func.func private @level0(%x: i32) -> i32 attributes {gasync.async} {
  "gasync.yield"() : () -> ()
  %c1 = arith.constant 1 : i32
  %r = arith.addi %x, %c1 : i32
  return %r : i32
}

func.func private @level1(%x: i32) -> i32 attributes {gasync.async} {
  %f = "gasync.future"(%x) {callee = @level0} : (i32) -> !gasync.fut<i32>
  %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
  %r = arith.addi %v, %x : i32
  return %r : i32
}

func.func private @level2(%x: i32) -> i32 attributes {gasync.async} {
  "gasync.yield"() : () -> ()
  %f = "gasync.future"(%x) {callee = @level1} : (i32) -> !gasync.fut<i32>
  %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
  %c2 = arith.constant 2 : i32
  %r = arith.addi %v, %c2 : i32
  return %r : i32
}

// 4 deep: main's future -> level3 -> level2 -> level1 -> level0.
func.func private @level3(%x: i32) -> i32 attributes {gasync.async} {
  %f = "gasync.future"(%x) {callee = @level2} : (i32) -> !gasync.fut<i32>
  %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
  %r = arith.addi %v, %x : i32
  "gasync.yield"() : () -> ()
  %s = arith.addi %r, %x : i32
  return %s : i32
}

func.func private @sub(%a: i32, %b: i32) -> i32 attributes {gasync.async} {
  "gasync.yield"() : () -> ()
  %r = arith.subi %a, %b : i32
  return %r : i32
}

func.func private @write(%m: memref<2xi32>, %i: index, %v: i32) attributes {gasync.async} {
  "gasync.yield"() : () -> ()
  memref.store %v, %m[%i] : memref<2xi32>
  return
}

// Two futures alive at once (their frames must not share storage), awaited
// in the reverse order of their creation; then two futures of none.
func.func private @reverse(%x: i32, %m: memref<2xi32>) -> i32 attributes {gasync.async} {
  %c10 = arith.constant 10 : i32
  %c3 = arith.constant 3 : i32
  %a = "gasync.future"(%c10, %x) {callee = @sub} : (i32, i32) -> !gasync.fut<i32>
  %b = "gasync.future"(%x, %c3) {callee = @sub} : (i32, i32) -> !gasync.fut<i32>
  %vb = "gasync.await"(%b) : (!gasync.fut<i32>) -> i32
  %va = "gasync.await"(%a) : (!gasync.fut<i32>) -> i32
  // 10 - 5 = 5 and 5 - 3 = 2: a*3 + b = 17 tells the order apart
  %t = arith.muli %va, %c3 : i32
  %r = arith.addi %t, %vb : i32
  %i0 = arith.constant 0 : index
  %i1 = arith.constant 1 : index
  %one = arith.constant 1 : i32
  %x1 = arith.addi %x, %one : i32
  %w1 = "gasync.future"(%m, %i1, %x1) {callee = @write} : (memref<2xi32>, index, i32) -> !gasync.fut<none>
  %w0 = "gasync.future"(%m, %i0, %x) {callee = @write} : (memref<2xi32>, index, i32) -> !gasync.fut<none>
  "gasync.await"(%w0) : (!gasync.fut<none>) -> ()
  "gasync.await"(%w1) : (!gasync.fut<none>) -> ()
  return %r : i32
}

func.func @main(%x: i32, %m: memref<2xi32>) -> (i32, i32) {
  %f = "gasync.future"(%x) {callee = @level3} : (i32) -> !gasync.fut<i32>
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  %g = "gasync.future"(%x, %m) {callee = @reverse} : (i32, memref<2xi32>) -> !gasync.fut<i32>
  %w = "gasync.block_on"(%g) : (!gasync.fut<i32>) -> i32
  return %v, %w : i32, i32
}
