// The device runtime is linked in as IR when a gpu.module uses it: the kernel
// reports "deadlock" through gasync_rt_status, which the host reads after the
// launch (exit 3 with the reason; the context survives: not a fault).
// RUN: %gpu-run %s --emit=ptx | filecheck %s
// RUN: %gpu-run %s --emit=mlir | filecheck %s --check-prefix=MLIR
// GPU-EXEC: --entry stuck --block 1
// GPU-EXIT: 3
// GPU-STDERR: stopped: deadlock

// The runtime's definition is merged (internal, so it inlines), the status
// word stays visible to the host, and no call is left.
// MLIR-DAG: llvm.mlir.global external @gasync_rt_status
// MLIR-DAG: llvm.func internal @gasync_rt_report
// CHECK: .visible .global .align 4 .b8 gasync_rt_status[60];
// CHECK: .visible .entry stuck(
// CHECK-NOT: call
// CHECK: atom.{{.*}}cas.b32
module attributes {gpu.container_module} {
  gpu.module @kernels {
    func.func private @gasync_rt_report(i32)
    gpu.func @stuck() kernel {
      %deadlock = arith.constant 1 : i32
      func.call @gasync_rt_report(%deadlock) : (i32) -> ()
      gpu.return
    }
  }
}
