// --mlir-timing reports the time of each pass, Python passes included, on
// stderr; the IR still goes to stdout.
// RUN: gasync-opt %S/Inputs/simple.mlir --mlir-timing --pass-pipeline='builtin.module(gasync-verify,canonicalize,cse)' 2>%t.err | filecheck %s --check-prefix=IR
// RUN: filecheck %s --input-file %t.err

// CHECK: Execution time report
// CHECK: Total Execution Time:
// CHECK: Wall Time
// CHECK-DAG: gasync-verify
// CHECK-DAG: Canonicalizer
// CHECK-DAG: CSE
// CHECK: Total

// IR: func.func @add_zero
// IR: func.func @main
