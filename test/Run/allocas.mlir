// An alloca in an async function whose memory is used after a suspension
// point lives in the frame (as a Rust local held across an await lives in the
// generator): before, the frame kept only its address, into the stack of a
// poll that had returned, and the load read garbage.
// RUN: gasync-run %s --entry main --arg 7 | filecheck %s
// RUN: gasync-opt %s --gasync-coro | filecheck %s --check-prefix=IR
// CHECK: result 0: 7
// CHECK-NEXT: result 1: 9
// CHECK-NEXT: result 2: 3007
// CHECK-NEXT: result 3: 60
// CHECK-NEXT: result 4: 12

// The reproducer of the issue: memref.alloca, block_on.
// IR-LABEL: func.func private @stored$poll(
// IR-NOT: memref.alloca
// IR: return
func.func private @stored(%x: i32) -> i32 attributes {gasync.async} {
  %a = memref.alloca() : memref<1xi32>
  %c0 = arith.constant 0 : index
  memref.store %x, %a[%c0] : memref<1xi32>
  "gasync.yield"() : () -> ()
  %v = memref.load %a[%c0] : memref<1xi32>
  return %v : i32
}

// llvm.alloca of two i32s; only the second element survives the yield.
func.func private @llvm_alloca(%x: i32) -> i32 attributes {gasync.async} {
  %n = llvm.mlir.constant(2 : i64) : i64
  %p = llvm.alloca %n x i32 : (i64) -> !llvm.ptr
  %q = llvm.getelementptr %p[1] : (!llvm.ptr) -> !llvm.ptr, i32
  %c2 = arith.constant 2 : i32
  %y = arith.addi %x, %c2 : i32
  llvm.store %y, %q : i32, !llvm.ptr
  "gasync.yield"() : () -> ()
  %v = llvm.load %q : !llvm.ptr -> i32
  return %v : i32
}

// Two tasks run interleaved on one executor, each with its own alloca: the
// stack they poll on is shared, their frames are not.
func.func private @task(%x: i32) -> i32 attributes {gasync.async} {
  %a = memref.alloca() : memref<2xi32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  memref.store %x, %a[%c0] : memref<2xi32>
  "gasync.yield"() : () -> ()
  %v = memref.load %a[%c0] : memref<2xi32>
  %w = arith.muli %v, %v : i32
  memref.store %w, %a[%c1] : memref<2xi32>
  "gasync.yield"() : () -> ()
  %r = memref.load %a[%c1] : memref<2xi32>
  return %r : i32
}

func.func private @spawner(%x: i32) -> i32 attributes {gasync.async} {
  %c1000 = arith.constant 1000 : i32
  %f = "gasync.future"(%x) {callee = @task} : (i32) -> !gasync.fut<i32>
  %t = "gasync.spawn"(%f) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %y = arith.addi %x, %c1000 : i32
  %g = "gasync.future"(%c1000) {callee = @task} : (i32) -> !gasync.fut<i32>
  %u = "gasync.spawn"(%g) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %a = "gasync.await"(%t) : (!gasync.task<i32>) -> i32
  %b = "gasync.await"(%u) : (!gasync.task<i32>) -> i32
  // 49 + 1,000,000 -> 1,000,049; minus 997,042 = 3007 for x = 7
  %s = arith.addi %a, %b : i32
  %k = arith.constant 997042 : i32
  %r = arith.subi %s, %k : i32
  return %r : i32
}

// An alloca in a loop body (its frame memory is reused by every iteration):
// each iteration stores 2 * i and reads it back after a yield, adding it to an
// accumulator alloca outside the loop: 2 * (0 + ... + 5) = 30, doubled: 60.
func.func private @looped(%n: index) -> i32 attributes {gasync.async} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %z = arith.constant 0 : i32
  %acc = memref.alloca() : memref<i32>
  memref.store %z, %acc[] : memref<i32>
  scf.for %i = %c0 to %n step %c1 {
    %a = memref.alloca() : memref<1xi32>
    %iv = arith.index_cast %i : index to i32
    %two = arith.addi %iv, %iv : i32
    memref.store %two, %a[%c0] : memref<1xi32>
    "gasync.yield"() : () -> ()
    %v = memref.load %a[%c0] : memref<1xi32>
    %old = memref.load %acc[] : memref<i32>
    %new = arith.addi %old, %v : i32
    memref.store %new, %acc[] : memref<i32>
  }
  %sum = memref.load %acc[] : memref<i32>
  %r = arith.addi %sum, %sum : i32
  return %r : i32
}

// The alloca's address escapes into a child future that reads it after its
// own yield; an alloca used only before the first suspension stays on the
// stack.
// IR-LABEL: func.func private @escapes$poll(
// IR: memref.alloca() : memref<1xi32>
// IR-NOT: memref.alloca
// IR: return
func.func private @reader(%m: memref<1xi32>) -> i32 attributes {gasync.async} {
  %c0 = arith.constant 0 : index
  "gasync.yield"() : () -> ()
  %v = memref.load %m[%c0] : memref<1xi32>
  return %v : i32
}

func.func private @escapes(%x: i32) -> i32 attributes {gasync.async} {
  %c0 = arith.constant 0 : index
  %local = memref.alloca() : memref<1xi32>
  memref.store %x, %local[%c0] : memref<1xi32>
  %y = memref.load %local[%c0] : memref<1xi32>
  %shared = memref.alloca() : memref<1xi32>
  %z = arith.addi %y, %y : i32
  memref.store %z, %shared[%c0] : memref<1xi32>
  %f = "gasync.future"(%shared) {callee = @reader} : (memref<1xi32>) -> !gasync.fut<i32>
  %r = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
  %c2 = arith.constant 2 : i32
  %s = arith.subi %r, %c2 : i32
  return %s : i32
}

func.func @main(%x: i32) -> (i32, i32, i32, i32, i32) {
  %f = "gasync.future"(%x) {callee = @stored} : (i32) -> !gasync.fut<i32>
  %a = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  %g = "gasync.future"(%x) {callee = @llvm_alloca} : (i32) -> !gasync.fut<i32>
  %b = "gasync.block_on"(%g) : (!gasync.fut<i32>) -> i32
  %h = "gasync.future"(%x) {callee = @spawner} : (i32) -> !gasync.fut<i32>
  %c = "gasync.block_on"(%h) : (!gasync.fut<i32>) -> i32
  %six = arith.constant 6 : index
  %l = "gasync.future"(%six) {callee = @looped} : (index) -> !gasync.fut<i32>
  %d = "gasync.block_on"(%l) : (!gasync.fut<i32>) -> i32
  %e = "gasync.future"(%x) {callee = @escapes} : (i32) -> !gasync.fut<i32>
  %r = "gasync.block_on"(%e) : (!gasync.fut<i32>) -> i32
  return %a, %b, %c, %d, %r : i32, i32, i32, i32, i32
}
