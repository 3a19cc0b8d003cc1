// gasync-run --target cpu runs host code only, but the whole file is
// verified first, as gasync-opt verifies it: an invalid gpu.module is an
// error (exit 1), not dropped unseen with the device code.
// RUN: not gasync-run %s --entry main --arg 3 2>&1 | filecheck %s
// RUN: not gasync-opt %s 2>&1 | filecheck %s

// CHECK: verify-device-code.mlir:[[# @LINE + 5]]:12: error: cannot parse the value type 'i32, i32' of '!gasync.fut<i32, i32>'
// CHECK-NOT: result 0
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%x: i32) kernel {
      %f = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32, i32>
      gpu.return
    }
  }
  func.func @main(%x: i32) -> i32 {
    return %x : i32
  }
}
