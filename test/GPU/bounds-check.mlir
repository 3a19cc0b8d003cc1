// Checked array accesses on the GPU (gasync-check-bounds, which the Python
// frontend asks for with bounds_check=True): thread 3 loads past the end;
// the fault, naming the access's source, goes to the status record and the
// host reads it after the launch (exit 3, the context survives: not a device
// fault). The other threads' stores happen; the faulting thread's load gives 0.
// RUN: %gpu-run %s --emit=mlir | filecheck %s --check-prefix=MLIR
// GPU-EXEC: --entry shift --block 4 --arg memref<4xi32>=[10,20,30,40] --arg memref<4xi32>
// GPU-EXIT: 3
// GPU-STDERR: thread (3,0,0) stopped: array subscript out of bounds (at the array load in '@shift' at
// GPU-STDERR: bounds-check.mlir:21:12)

// MLIR: gasync.fault_sites = {{\[\[}}"the array load", "shift", "{{.*}}bounds-check.mlir:21:12"]]
// MLIR: llvm.func internal @gasync_rt_fault
// MLIR-NOT: gasync.bounds_check
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @shift(%x: memref<4xi32>, %y: memref<4xi32>) kernel {
      %t = gpu.thread_id x
      %c1 = arith.constant 1 : index
      %next = arith.addi %t, %c1 : index
      %v = memref.load %x[%next] {gasync.bounds_check} : memref<4xi32>
      memref.store %v, %y[%t] : memref<4xi32>
      gpu.return
    }
  }
}
