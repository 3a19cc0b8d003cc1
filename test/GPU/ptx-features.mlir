// NVVM ops that need a newer PTX ISA than the target's default: LLVM's NVPTX
// backend aborts the process on them ("Cannot select"); gasync reports a
// located error instead, and compiles them once the features are given.
// RUN: not %gpu-run %s --emit=ptx 2>&1 | filecheck %s --check-prefix=DEFAULT
// RUN: not gasync-opt %s --gasync-to-cubin 2>&1 | filecheck %s --check-prefix=DEFAULT
// RUN: %gpu-run %s --emit=ptx --features +ptx86 | filecheck %s
// RUN: not %gpu-run %s --emit=ptx --features 'ptx86 x' 2>&1 | filecheck %s --check-prefix=BAD

// DEFAULT: ptx-features.mlir:13:3: error: LLVM's NVPTX backend cannot compile this code: LLVM ERROR: Cannot select: intrinsic %llvm.nvvm.fence.mbarrier_init
// DEFAULT: note: NVVM ops may need a newer PTX ISA than the target's default
// DEFAULT-NOT: Traceback
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.mlir.global internal @bar() {addr_space = 3 : i32, alignment = 8 : i64} : i64
    // CHECK: .version 8.6
    // CHECK-LABEL: .entry init_barrier
    // CHECK: mbarrier.init.shared.b64
    // CHECK: fence.mbarrier_init.release.cluster
    gpu.func @init_barrier() kernel {
      %b = llvm.mlir.addressof @bar : !llvm.ptr<3>
      %c1 = llvm.mlir.constant(1 : i32) : i32
      nvvm.mbarrier.init %b, %c1 : !llvm.ptr<3>, i32
      nvvm.fence.mbarrier.init
      gpu.return
    }
  }
}
// BAD: error: 'ptx86 x' is not a list of target features
