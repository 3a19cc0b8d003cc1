// A kernel that stores through a bad pointer: exit 3 naming the kernel.
// RUN: %gpu-run %s --emit=ptx | filecheck %s
// GPU-EXEC: --entry wild --block 1 --arg 42
// GPU-EXIT: 3
// GPU-STDERR: kernel 'wild' failed on the GPU: CUDA_ERROR_ILLEGAL_ADDRESS

// CHECK: .visible .entry wild(
// CHECK: st.volatile.global.b32
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @wild(%v: i32) kernel {
      %addr = llvm.mlir.constant(16 : i64) : i64
      %p = llvm.inttoptr %addr : i64 to !llvm.ptr<1>
      llvm.store volatile %v, %p : i32, !llvm.ptr<1>
      gpu.return
    }
  }
}
