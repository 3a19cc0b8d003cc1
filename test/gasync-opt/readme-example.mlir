// The README's example: gasync-coro on the seed demo, whose kernel names
// top-level async functions (directly and through gasync.then). gasync-coro
// clones them into the gpu.module first, so every call in device code names
// a function of its own module; the top-level originals stay for the CPU.
// RUN: gasync-opt %S/../../examples/seed_demo.mlir --gasync-coro > %t.flag
// RUN: gasync-opt %S/../../examples/seed_demo.mlir --pass-pipeline='builtin.module(gasync-coro)' > %t.pipeline
// RUN: diff %t.flag %t.pipeline
// RUN: filecheck %s --input-file %t.flag
// RUN: filecheck %s --input-file %t.flag --check-prefix=NO-GASYNC
// The CPU pipeline (gpu.modules are the GPU pipeline's) also runs.
// RUN: gasync-opt %S/../../examples/seed_demo.mlir --gasync-to-llvm -o %t.llvm
// gasync passes nest in gpu.module(...): only device code is lowered.
// RUN: gasync-opt %S/../../examples/seed_demo.mlir --pass-pipeline='builtin.module(gasync-clone-into-gpu-modules,gpu.module(gasync-outline-async-blocks,gasync-lower-combinators,gasync-coro-lower,gasync-lower-block-on,cse))' | filecheck %s --check-prefix=NESTED

// CHECK-LABEL: func.func private @mul2_add100$then$init(
// CHECK-LABEL: func.func @main(
// CHECK: gpu.module @kernels {
// CHECK-DAG: gpu.func @seed_kernel(
// CHECK-DAG: func.func private @mul2_add100$init(
// CHECK-DAG: func.func private @mul2_add100$then$init(
// CHECK-DAG: func.func private @async_double$poll(
// CHECK-DAG: func.func private @async_multi_step$poll(

// NO-GASYNC-NOT: "gasync.

// NESTED-LABEL: func.func @async_double(
// NESTED-SAME: attributes {gasync.async}
// NESTED: "gasync.block_on"
// NESTED: gpu.module @kernels attributes {gasync.fault_sites = {{\[\[}}"the block_on of
// NESTED-NOT: "gasync.
// NESTED: gpu.func @seed_kernel(
