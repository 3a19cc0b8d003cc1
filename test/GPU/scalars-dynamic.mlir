// Every scalar type passed with its exact MLIR type, and a memref of dynamic
// shape (its sizes come from the argument).
// RUN: %gpu-run %s --emit=ptx | filecheck %s
// GPU-EXEC: --entry scalars --block 3 --arg 'memref<3x6xi32>' --arg 1 --arg -5 --arg -300 --arg 2.5 --arg 1000 --arg 1.25 --arg -7 --arg 'memref<2xf64>' --arg 'memref<1xf16>'
// GPU-EXPECT: arg 0: [[1, -5, -300, 1000, -7, 3], [1, -5, -300, 1001, -7, 3], [1, -5, -300, 1002, -7, 3]]
// GPU-EXPECT: arg 8: [1.250000e+00, 0.000000e+00]
// GPU-EXPECT: arg 9: [2.500000e+00]

// CHECK: .visible .entry scalars(
// CHECK-COUNT-7: .param .u64
// CHECK-NEXT: .param .u8
// CHECK-NEXT: .param .u8
// CHECK-NEXT: .param .u16
// CHECK-NEXT: .param .align 2 .b8 {{.*}}[2]
// CHECK-NEXT: .param .u64
// CHECK-NEXT: .param .f64
// CHECK-NEXT: .param .u64
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @scalars(%out: memref<?x6xi32>, %b: i1, %c: i8, %d: i16, %e: f16, %f: index,
                      %g: f64, %h: i64, %fo: memref<2xf64>, %ho: memref<1xf16>) kernel {
      %t = gpu.thread_id x
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c2 = arith.constant 2 : index
      %c3 = arith.constant 3 : index
      %c4 = arith.constant 4 : index
      %c5 = arith.constant 5 : index
      %vb = arith.extui %b : i1 to i32
      memref.store %vb, %out[%t, %c0] : memref<?x6xi32>
      %vc = arith.extsi %c : i8 to i32
      memref.store %vc, %out[%t, %c1] : memref<?x6xi32>
      %vd = arith.extsi %d : i16 to i32
      memref.store %vd, %out[%t, %c2] : memref<?x6xi32>
      %ft = arith.addi %f, %t : index
      %vf = arith.index_cast %ft : index to i32
      memref.store %vf, %out[%t, %c3] : memref<?x6xi32>
      %vh = arith.trunci %h : i64 to i32
      memref.store %vh, %out[%t, %c4] : memref<?x6xi32>
      %n = memref.dim %out, %c0 : memref<?x6xi32>
      %vn = arith.index_cast %n : index to i32
      memref.store %vn, %out[%t, %c5] : memref<?x6xi32>
      memref.store %g, %fo[%c0] : memref<2xf64>
      memref.store %e, %ho[%c0] : memref<1xf16>
      gpu.return
    }
  }
}
