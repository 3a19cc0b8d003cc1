// Integer division on the GPU is defined for every divisor
// (gasync-guard-division): a compare and a select on the divisor, the fault
// call on a cold path. Dividing by zero records the fault, naming the op's
// source, in the status record; the host reads it after the launch (exit 3,
// the context survives: not a device fault). INT_MIN / -1 wraps to INT_MIN.
// RUN: %gpu-run %s --emit=ptx | filecheck %s
// RUN: %gpu-run %s --emit=mlir | filecheck %s --check-prefix=MLIR
// GPU-EXEC: --entry divide --block 4 --arg memref<4xi32>=[7,-2147483648,9,12] --arg memref<4xi32>=[2,-1,3,0]
// GPU-EXIT: 3
// GPU-STDERR: thread (3,0,0) stopped: integer division by zero (at the arith.divsi in '@divide' at
// GPU-STDERR: division-by-zero.mlir:33:12)
// (division-wraps.mlir runs the first three threads: no fault.)

// The site table reaches the host; the hook is linked and inlined.
// MLIR: gasync.fault_sites = {{\[\[}}"the arith.divsi", "divide", "{{.*}}division-by-zero.mlir:33:12"]]
// MLIR: llvm.func internal @gasync_rt_fault
// The divisor is replaced by a select, with no branch around the division:
// only the fault call is behind one, out of line after the return. No local
// memory, no call.
// CHECK: .visible .entry divide(
// CHECK-NOT: .local
// CHECK-NOT: call
// CHECK: selp.b32 {{.*}}, 1, {{%r[0-9]+}}, {{.*}};
// CHECK: div.s32
// CHECK: ret;
// CHECK: atom.{{.*}}cas.b32 {{.*}}[gasync_rt_status], 0, {{[0-9]+}};
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @divide(%x: memref<4xi32>, %d: memref<4xi32>) kernel {
      %t = gpu.thread_id x
      %a = memref.load %x[%t] : memref<4xi32>
      %b = memref.load %d[%t] : memref<4xi32>
      %q = arith.divsi %a, %b : i32
      memref.store %q, %x[%t] : memref<4xi32>
      gpu.return
    }
  }
}
