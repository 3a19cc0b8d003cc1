// The CPU pipeline refuses memory in a GPU address space with a located
// error (MLIR's convert-to-llvm would leave an error that the Python
// bindings abort on); the GPU pipeline compiles the same module.
// RUN: not gasync-opt %s --gasync-to-llvm 2>&1 | filecheck %s
// RUN: gasync-opt %s --gasync-to-nvvm | filecheck %s --check-prefix=GPU
// CHECK: cpu-memory-spaces.mlir:[[# @LINE + 5]]:5: error: 'memref<256xf32, #gpu.address_space<workgroup>>' is in the GPU address space #gpu.address_space<workgroup>: the CPU pipeline cannot lower it (compile GPU code with gasync-to-nvvm; on the CPU, use memory with no memory space)
// CHECK-NOT: Assertion
// GPU: llvm.mlir.global private @tile() {addr_space = 3 : i32
module attributes {gpu.container_module} {
  gpu.module @kernels {
    memref.global "private" @tile : memref<256xf32, #gpu.address_space<workgroup>> {alignment = 128 : i64}
    gpu.func @k(%x: memref<256xf32>) kernel {
      %tile = memref.get_global @tile : memref<256xf32, #gpu.address_space<workgroup>>
      %c0 = arith.constant 0 : index
      %v = memref.load %tile[%c0] : memref<256xf32, #gpu.address_space<workgroup>>
      memref.store %v, %x[%c0] : memref<256xf32>
      gpu.return
    }
  }
}
