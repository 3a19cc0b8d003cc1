// mlir-opt's IR printing flags, mapped onto PassManager.enable_ir_printing,
// and the printing flags of the final IR, mapped onto get_asm.
// RUN: gasync-opt %S/Inputs/simple.mlir -mlir-print-ir-before-all -canonicalize -o %t 2>&1 | filecheck %s --check-prefix=BEFORE
// RUN: gasync-opt %S/Inputs/simple.mlir --mlir-print-ir-after-change --gasync-verify --canonicalize --cse -o %t 2>&1 | filecheck %s --check-prefix=CHANGE
// RUN: not gasync-opt %S/Inputs/invalid.mlir --mlir-print-ir-after-failure --canonicalize -o %t 2>&1 | filecheck %s --check-prefix=FAILURE
// RUN: gasync-opt %S/Inputs/simple.mlir --mlir-print-ir-after-all --mlir-print-ir-module-scope --pass-pipeline='builtin.module(func.func(cse))' -o %t 2>&1 | filecheck %s --check-prefix=SCOPE
// RUN: gasync-opt %S/Inputs/simple.mlir --mlir-print-ir-after-all --mlir-print-ir-tree-dir=%t.tree --canonicalize -o %t 2>&1 | filecheck %s --check-prefix=TREE --allow-empty
// RUN: ls -R %t.tree | filecheck %s --check-prefix=TREE-FILES
// RUN: gasync-opt %S/Inputs/simple.mlir --mlir-print-local-scope | filecheck %s --check-prefix=LOCAL
// RUN: gasync-opt %S/Inputs/simple.mlir --mlir-print-debuginfo | filecheck %s --check-prefix=DEBUGINFO

// BEFORE: // -----// IR Dump Before gasync-verify (gasync-verify) //----- //
// BEFORE: // -----// IR Dump Before Canonicalizer (canonicalize) //----- //
// BEFORE-NOT: IR Dump After

// Only the passes that changed the IR: not gasync-verify.
// CHANGE-NOT: IR Dump After gasync-verify
// CHANGE: // -----// IR Dump After Canonicalizer (canonicalize) //----- //
// CHANGE: // -----// IR Dump After CSE (cse) //----- //

// FAILURE: invalid.mlir:7:3: error: 'gasync.await' is only allowed inside an async function or async block
// FAILURE: // -----// IR Dump After gasync-verify Failed (gasync-verify) //----- //
// FAILURE-NEXT: module {

// SCOPE: // -----// IR Dump After CSE (cse) ('func.func' operation: @add_zero) //----- //
// SCOPE-NEXT: module {

// TREE-NOT: IR Dump
// TREE-FILES: gasync-verify
// TREE-FILES: canonicalize

// LOCAL: func.func @add_zero(%arg0: i32)

// DEBUGINFO: func.func @add_zero({{.*}} loc(
// DEBUGINFO: = loc({{.*}}:{{[0-9]+}}:{{[0-9]+}})
