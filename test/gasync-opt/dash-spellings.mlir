// mlir-opt's spellings: every flag with one dash or two, `-o FILE`,
// `-o=FILE`, boolean flags with =true/=false. The first RUN line is copied
// in upstream's style (single dashes, FileCheck).
// RUN: gasync-opt %s -split-input-file -pass-pipeline='builtin.module(canonicalize)' | FileCheck %s
// RUN: gasync-opt %s --split-input-file --pass-pipeline='builtin.module(canonicalize)' | filecheck %s
// RUN: gasync-opt %s -split-input-file -canonicalize -o %t && filecheck %s --input-file %t
// RUN: gasync-opt %s --split-input-file --canonicalize --o=%t.2 && filecheck %s --input-file %t.2
// RUN: gasync-opt %s -split-input-file -pass-pipeline 'builtin.module(canonicalize)' -mlir-print-op-generic=false | filecheck %s
// RUN: gasync-opt %s -split-input-file -canonicalize -mlir-print-op-generic=true | filecheck %s --check-prefix=GENERIC

// CHECK-LABEL: func.func @folds(
// CHECK-NEXT: return %{{.*}} : i32
// CHECK: // -----
// CHECK-LABEL: func.func @second(

// GENERIC: "func.func"() <{function_type = (i32) -> i32, sym_name = "folds"}>

func.func @folds(%x: i32) -> i32 {
  %c0 = arith.constant 0 : i32
  %y = arith.addi %x, %c0 : i32
  return %y : i32
}

// -----

func.func @second() {
  return
}
