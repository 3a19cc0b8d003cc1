// A memref.get_global used after a suspension is recomputed at the poll's
// entry, as a constant is, rather than saved in the frame (a memref
// descriptor is five words): the frame holds only the state, the result and
// the argument (16 bytes).
// RUN: gasync-opt %s --pass-pipeline='builtin.module(gasync-coro-lower)' | filecheck %s
// RUN: gasync-run %s --entry main --arg 2 | filecheck %s --check-prefix=EXEC
// EXEC: result 0: 3

// CHECK-LABEL: func.func private @reads_after_yield$poll(
// CHECK-SAME: size = 16 : i64
// CHECK-NEXT: %[[T:.*]] = memref.get_global @table : memref<4xi32>
// CHECK-NEXT: llvm.load
// CHECK-NEXT: cf.switch
// CHECK: memref.load %[[T]][
memref.global "private" @table : memref<4xi32> = dense<[1, 2, 3, 4]>

func.func private @reads_after_yield(%i: index) -> i32 attributes {gasync.async} {
  %t = memref.get_global @table : memref<4xi32>
  "gasync.yield"() : () -> ()
  %v = memref.load %t[%i] : memref<4xi32>
  return %v : i32
}

func.func @main(%i: index) -> i32 {
  %f = "gasync.future"(%i) {callee = @reads_after_yield} : (index) -> !gasync.fut<i32>
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}
