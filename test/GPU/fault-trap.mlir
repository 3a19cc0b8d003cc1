// A kernel that traps: gasync-run exits 3 naming the kernel, and never hangs.
// RUN: %gpu-run %s --emit=ptx | filecheck %s
// GPU-EXEC: --entry boom --block 32 --arg 'memref<32xi32>'
// GPU-EXIT: 3
// GPU-STDERR: kernel 'boom' failed on the GPU

// CHECK: .visible .entry boom(
// CHECK: trap;
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @boom(%a: memref<32xi32>) kernel {
      %t = gpu.thread_id x
      %c7 = arith.constant 7 : index
      %is7 = arith.cmpi eq, %t, %c7 : index
      scf.if %is7 {
        llvm.intr.trap
      }
      %c1 = arith.constant 1 : i32
      memref.store %c1, %a[%t] : memref<32xi32>
      gpu.return
    }
  }
}
