// --mlir-print-ir-after-all prints the IR after every pass, gasync's Python
// passes and upstream passes alike, to stderr; gasync-verify runs first.
// RUN: gasync-opt %S/Inputs/simple.mlir --mlir-print-ir-after-all --canonicalize --cse -o %t 2>&1 | filecheck %s
// RUN: gasync-opt %S/Inputs/simple.mlir --mlir-print-ir-after-all --pass-pipeline='builtin.module(gasync-verify,canonicalize,cse)' -o %t 2>&1 | filecheck %s
// RUN: gasync-opt %S/Inputs/simple.mlir --mlir-print-ir-after-all --mlir-print-op-generic -o %t 2>&1 | filecheck %s --check-prefix=VERIFY-ONLY

// CHECK: // -----// IR Dump After gasync-verify (gasync-verify) //----- //
// CHECK-NEXT: module {
// CHECK: arith.addi %{{.*}}, %c0_i32 : i32
// CHECK: // -----// IR Dump After Canonicalizer (canonicalize) //----- //
// CHECK-NEXT: module {
// CHECK-NOT: %c0_i32
// CHECK: // -----// IR Dump After CSE (cse) //----- //
// CHECK-NEXT: module {
// CHECK: %[[W:.*]] = arith.addi %[[V:.*]], %[[V]] : i32
// CHECK-NEXT: arith.muli %[[W]], %[[W]] : i32

// VERIFY-ONLY: // -----// IR Dump After gasync-verify (gasync-verify) //----- //
// VERIFY-ONLY-NOT: IR Dump After
