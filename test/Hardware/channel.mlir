// A scalar channel of 3 slots between two tasks of one CPU executor: the
// producer sends i*i for i < n, the consumer sums what it receives. With
// n > 3 the producer must wait for free slots (the empty barriers' phases).
// RUN: gasync-run %s --entry main --arg 10 | filecheck %s
// CHECK: result 0: 285
// RUN: gasync-run %s --entry main --arg 1000 | filecheck %s --check-prefix=MANY
// MANY: result 0: 332833500

func.func private @producer(%slots: memref<3xi32>, %state: memref<6xi64>, %n: index) attributes {gasync.async} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %i32 = arith.index_cast %i : index to i32
    %sq = arith.muli %i32, %i32 : i32
    %s = "gasync.send"(%slots, %state, %i, %sq) : (memref<3xi32>, memref<6xi64>, index, i32) -> !gasync.fut<none>
    "gasync.await"(%s) : (!gasync.fut<none>) -> ()
  }
  return
}

func.func private @consumer(%slots: memref<3xi32>, %state: memref<6xi64>, %n: index) -> i32 attributes {gasync.async} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0 : i32
  %sum = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (i32) {
    %r = "gasync.recv"(%slots, %state, %i) : (memref<3xi32>, memref<6xi64>, index) -> !gasync.fut<i32>
    %v = "gasync.await"(%r) : (!gasync.fut<i32>) -> i32
    %a = arith.addi %acc, %v : i32
    scf.yield %a : i32
  }
  return %sum : i32
}

func.func private @both(%slots: memref<3xi32>, %state: memref<6xi64>, %n: index) -> i32 attributes {gasync.async} {
  %c = "gasync.future"(%slots, %state, %n) {callee = @consumer} : (memref<3xi32>, memref<6xi64>, index) -> !gasync.fut<i32>
  %tc = "gasync.spawn"(%c) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %p = "gasync.future"(%slots, %state, %n) {callee = @producer} : (memref<3xi32>, memref<6xi64>, index) -> !gasync.fut<none>
  "gasync.await"(%p) : (!gasync.fut<none>) -> ()
  %sum = "gasync.await"(%tc) : (!gasync.task<i32>) -> i32
  return %sum : i32
}

func.func @main(%n: index) -> i32 {
  %slots = memref.alloca() : memref<3xi32>
  %state = memref.alloca() : memref<6xi64>
  %one = arith.constant 1 : i32
  "gasync.channel_init"(%slots, %state, %one) : (memref<3xi32>, memref<6xi64>, i32) -> ()
  %f = "gasync.future"(%slots, %state, %n) {callee = @both} : (memref<3xi32>, memref<6xi64>, index) -> !gasync.fut<i32>
  %r = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %r : i32
}
