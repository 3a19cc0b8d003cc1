// A kernel that never ends: the launcher's watchdog stops waiting, exit 3.
// RUN: %gpu-run %s --emit=ptx | filecheck %s
// GPU-EXEC: --entry spin --block 1 --timeout 3
// GPU-EXIT: 3
// GPU-STDERR: kernel 'spin' failed on the GPU: still running after 3 s

// CHECK: .visible .entry spin(
// CHECK: nanosleep
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @spin() kernel {
      %ns = arith.constant 1000 : i32
      cf.br ^loop
    ^loop:
      nvvm.nanosleep %ns
      cf.br ^loop
    }
  }
}
