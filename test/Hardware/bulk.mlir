// Bulk copies and mbarriers on the CPU: a memcpy that completes its bytes on
// the mbarrier, a phase whose parity flips each round, a bulk store back, a
// timer. y = 2x over 4 tiles of 16.
// RUN: gasync-run %s --entry main --arg 'memref<64xf32>=[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63]' --arg 'memref<64xf32>' | filecheck %s
// CHECK: result 0: 0
// CHECK-NEXT: result 1: 1
// CHECK: arg 1: [0.000000e+00, 2.000000e+00, 4.000000e+00, 6.000000e+00, 8.000000e+00, 1.000000e+01, 1.200000e+01, 1.400000e+01, 1.600000e+01, 1.800000e+01, 2.000000e+01, 2.200000e+01, 2.400000e+01, 2.600000e+01, 2.800000e+01, 3.000000e+01, 3.200000e+01, 3.400000e+01, 3.600000e+01, 3.800000e+01, 4.000000e+01, 4.200000e+01, 4.400000e+01, 4.600000e+01, 4.800000e+01, 5.000000e+01, 5.200000e+01, 5.400000e+01, 5.600000e+01, 5.800000e+01, 6.000000e+01, 6.200000e+01, 6.400000e+01, 6.600000e+01, 6.800000e+01, 7.000000e+01, 7.200000e+01, 7.400000e+01, 7.600000e+01, 7.800000e+01, 8.000000e+01, 8.200000e+01, 8.400000e+01, 8.600000e+01, 8.800000e+01, 9.000000e+01, 9.200000e+01, 9.400000e+01, 9.600000e+01, 9.800000e+01, 1.000000e+02, 1.020000e+02, 1.040000e+02, 1.060000e+02, 1.080000e+02, 1.100000e+02, 1.120000e+02, 1.140000e+02, 1.160000e+02, 1.180000e+02, 1.200000e+02, 1.220000e+02, 1.240000e+02, 1.260000e+02]
func.func @main(%src: memref<64xf32>, %dst: memref<64xf32>) -> (i32, i1) {
  %tile = memref.alloca() {alignment = 16 : i64} : memref<16xf32>
  %bar = memref.alloca() : memref<1xi64>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %one = arith.constant 1 : i32
  %zero = arith.constant 0 : i32
  %bytes = arith.constant 64 : i32
  "gasync.mbarrier_init"(%bar, %one) : (memref<1xi64>, i32) -> ()
  %phases = scf.for %i = %c0 to %c4 step %c1 iter_args(%parity = %zero) -> (i32) {
    %off = arith.muli %i, %c16 : index
    %s = memref.subview %src[%off] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1], offset: ?>>
    %d = memref.subview %dst[%off] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1], offset: ?>>
    "gasync.mbarrier_arrive_expect_tx"(%bar, %bytes) : (memref<1xi64>, i32) -> ()
    "gasync.bulk_load"(%tile, %s, %bar) : (memref<16xf32>, memref<16xf32, strided<[1], offset: ?>>, memref<1xi64>) -> ()
    %w = "gasync.mbarrier_wait"(%bar, %parity) : (memref<1xi64>, i32) -> !gasync.fut<none>
    "gasync.block_on"(%w) : (!gasync.fut<none>) -> ()
    scf.for %j = %c0 to %c16 step %c1 {
      %x = memref.load %tile[%j] : memref<16xf32>
      %y = arith.addf %x, %x : f32
      memref.store %y, %tile[%j] : memref<16xf32>
    }
    %st = "gasync.bulk_store"(%d, %tile) : (memref<16xf32, strided<[1], offset: ?>>, memref<16xf32>) -> !gasync.fut<none>
    "gasync.block_on"(%st) : (!gasync.fut<none>) -> ()
    %next = arith.xori %parity, %one : i32
    scf.yield %next : i32
  }
  // A 2 ms nap takes at least 2 ms.
  %ns = arith.constant 2000000 : i64
  %t0 = func.call @clock_ns() : () -> i64
  %t = "gasync.sleep"(%ns) : (i64) -> !gasync.fut<none>
  "gasync.block_on"(%t) : (!gasync.fut<none>) -> ()
  %t1 = func.call @clock_ns() : () -> i64
  %slept = arith.subi %t1, %t0 : i64
  %enough = arith.cmpi uge, %slept, %ns : i64
  return %phases, %enough : i32, i1
}

// The monotonic clock, as the timer reads it.
func.func private @clock_ns() -> i64 {
  %c1 = arith.constant 1 : i32
  %spec = llvm.alloca %c1 x !llvm.struct<(i64, i64)> : (i32) -> !llvm.ptr
  %rc = llvm.call @clock_gettime(%c1, %spec) : (i32, !llvm.ptr) -> i32
  %s = llvm.load %spec : !llvm.ptr -> i64
  %nsp = llvm.getelementptr %spec[0, 1] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(i64, i64)>
  %ns = llvm.load %nsp : !llvm.ptr -> i64
  %billion = arith.constant 1000000000 : i64
  %sn = arith.muli %s, %billion : i64
  %t = arith.addi %sn, %ns : i64
  return %t : i64
}
llvm.func @clock_gettime(i32, !llvm.ptr) -> i32
