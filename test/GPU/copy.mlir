// A plain kernel (no gasync ops): memref and scalar marshalling, copy in and back.
// RUN: %gpu-run %s --emit=ptx | filecheck %s
// RUN: %gpu-run %s --emit=cubin -o %t.cubin
// RUN: %gpu-run %s --entry add1 --block 4 --arg 'memref<4xi32>=[1,2,3,4]' --arg 5 --emit-bundle %t.bundle --expect 'arg 0: [6, 7, 8, 9]'
// GPU-EXEC: --entry add1 --block 4 --arg 'memref<4xi32>=[1,2,3,4]' --arg 5
// GPU-EXPECT: arg 0: [6, 7, 8, 9]

// CHECK: .target sm_90
// CHECK: .visible .entry add1(
// CHECK-COUNT-5: .param .u64
// CHECK-NEXT: .param .u32
// CHECK: ld.global
// CHECK: st.global
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @add1(%a: memref<4xi32>, %n: i32) kernel {
      %t = gpu.thread_id x
      %v = memref.load %a[%t] : memref<4xi32>
      %c = arith.addi %v, %n : i32
      memref.store %c, %a[%t] : memref<4xi32>
      gpu.return
    }
  }
}
