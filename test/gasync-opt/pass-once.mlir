// Each pass runs once per pipeline: gasync-verify is prepended only when the
// pipeline does not start with it (gasync-coro does), the GPU pipeline clones
// into gpu.modules once (inside gasync-coro), and --mlir-pass-statistics
// prints MLIR's report only when an upstream pass has counters.
// RUN: gasync-opt %S/Inputs/simple.mlir --gasync-coro --mlir-print-ir-after-all -o %t 2>&1 | filecheck %s
// RUN: gasync-opt %S/Inputs/simple.mlir --gasync-coro --dump-pass-pipeline -o %t 2>&1 | filecheck %s --check-prefix=CORO
// RUN: gasync-opt %S/Inputs/simple.mlir --canonicalize --dump-pass-pipeline -o %t 2>&1 | filecheck %s --check-prefix=PREPENDED
// RUN: gasync-opt %S/../../examples/seed_demo.mlir --gasync-to-nvvm --dump-pass-pipeline -o %t 2>&1 | filecheck %s --check-prefix=NVVM
// RUN: gasync-opt %S/Inputs/simple.mlir --gasync-coro --mlir-pass-statistics -o %t 2>&1 | filecheck %s --check-prefix=STATS
// RUN: gasync-opt %S/Inputs/simple.mlir --gasync-coro --cse --mlir-pass-statistics -o %t 2>&1 | filecheck %s --check-prefix=MLIR-STATS

// CHECK: IR Dump After gasync-verify (gasync-verify)
// CHECK-NOT: IR Dump After gasync-verify
// CHECK: IR Dump After gasync-lower-block-on

// CORO: builtin.module(gasync-verify,gasync-clone-into-gpu-modules,gasync-lower-hardware-futures{idle-wait-ms=2000},gasync-outline-async-blocks,gasync-lower-combinators,gasync-coro-lower,gasync-fault-sites,gasync-lower-block-on{watchdog=100000000})
// PREPENDED: builtin.module(gasync-verify,canonicalize{

// NVVM: builtin.module(gasync-verify,gasync-clone-into-gpu-modules,
// NVVM-NOT: gasync-clone-into-gpu-modules

// STATS-NOT: Pass statistics report
// STATS: gasync pass statistics
// STATS: 'gasync-coro-lower'

// MLIR-STATS: Pass statistics report
// MLIR-STATS: (S) {{[0-9]+}} num-cse'd
// MLIR-STATS: gasync pass statistics
