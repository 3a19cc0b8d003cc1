// Passes by --pass-pipeline (gasync passes mixed with upstream ones, nested
// pipelines included) or as flags; errors in the pipeline text exit 1.
// RUN: gasync-opt %S/Inputs/simple.mlir --pass-pipeline='builtin.module(gasync-verify,canonicalize,cse)' | filecheck %s
// RUN: gasync-opt %S/Inputs/simple.mlir --pass-pipeline='builtin.module(canonicalize,func.func(cse),gasync-verify)' | filecheck %s
// RUN: gasync-opt %S/Inputs/simple.mlir --gasync-verify --canonicalize --cse | filecheck %s
// gasync-verify alone leaves the IR as it is.
// RUN: gasync-opt %S/Inputs/simple.mlir --gasync-verify | filecheck %s --check-prefix=NOCHANGE
// RUN: gasync-opt %S/Inputs/simple.mlir --pass-pipeline='builtin.module(gasync-verify)' | filecheck %s --check-prefix=NOCHANGE
// gasync-verify runs before any pass, even when the pipeline does not name
// it: an invalid module is rejected before canonicalize would touch it.
// RUN: not gasync-opt %S/Inputs/invalid.mlir --canonicalize 2>&1 | filecheck %s --check-prefix=VERIFY-FIRST
// RUN: not gasync-opt %S/Inputs/invalid.mlir --pass-pipeline='builtin.module(canonicalize)' 2>&1 | filecheck %s --check-prefix=VERIFY-FIRST
// A gasync pass inside the pipeline: outlining the async block of a
// program works with canonicalize after it.
// RUN: gasync-opt %s --pass-pipeline='builtin.module(gasync-verify,gasync-outline-async-blocks,canonicalize,cse)' | filecheck %s --check-prefix=OUTLINE
// Errors: an unknown pass; pass flags mixed with --pass-pipeline.
// RUN: not gasync-opt %S/Inputs/simple.mlir --pass-pipeline='builtin.module(no-such-pass)' 2>&1 | filecheck %s --check-prefix=UNKNOWN
// RUN: not gasync-opt %S/Inputs/simple.mlir --no-such-pass 2>&1 | filecheck %s --check-prefix=UNKNOWN-FLAG
// RUN: not gasync-opt %S/Inputs/simple.mlir --cse --pass-pipeline='builtin.module(cse)' 2>&1 | filecheck %s --check-prefix=MIXED

// CHECK: func.func @add_zero(%[[X:.*]]: i32) -> i32 attributes {gasync.async}
// CHECK-NEXT: return %[[X]] : i32
// CHECK: func.func @main(
// CHECK-NEXT: %[[F:.*]] = "gasync.future"(%{{.*}}) {callee = @add_zero} : (i32) -> !gasync.fut<i32>
// CHECK-NEXT: %[[V:.*]] = "gasync.block_on"(%[[F]]) : (!gasync.fut<i32>) -> i32
// CHECK-NEXT: %[[W:.*]] = arith.addi %[[V]], %[[V]] : i32
// CHECK-NEXT: %[[R:.*]] = arith.muli %[[W]], %[[W]] : i32
// CHECK-NEXT: return %[[R]] : i32

// NOCHANGE: arith.constant 0 : i32
// NOCHANGE: arith.addi
// NOCHANGE: arith.addi
// NOCHANGE: arith.addi
// NOCHANGE: arith.muli

// VERIFY-FIRST: invalid.mlir:7:3: error: 'gasync.await' is only allowed inside an async function or async block
// VERIFY-FIRST-NOT: func.func

// OUTLINE-NOT: "gasync.future"() ({
// OUTLINE: "gasync.future"(%{{.*}}) {callee = @{{.*}}} : (i32) -> !gasync.fut<i32>
// OUTLINE: "gasync.block_on"

// UNKNOWN: gasync-opt: error: unknown pass or pipeline 'no-such-pass'
// UNKNOWN-NOT: Traceback

// UNKNOWN-FLAG: gasync-opt: error: unknown option '--no-such-pass' (try --help)

// MIXED: gasync-opt: error: pass flags cannot be combined with --pass-pipeline

func.func @main(%x: i32) -> i32 {
  %f = "gasync.future"() ({
    "gasync.return"(%x) : (i32) -> ()
  }) : () -> !gasync.fut<i32>
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}
