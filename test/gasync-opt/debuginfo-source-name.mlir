// Printed locations name the input as given on the command line (stdin as
// <stdin>), as mlir-opt's do, not the parse buffer "-"; in every chunk of
// --split-input-file, at the line of the whole file; in IR dumps too.
// RUN: gasync-opt %s --mlir-print-debuginfo | filecheck %s
// RUN: gasync-opt %s --mlir-pretty-debuginfo | filecheck %s --check-prefix=PRETTY
// RUN: gasync-opt --mlir-print-debuginfo < %s | filecheck %s --check-prefix=STDIN
// RUN: gasync-opt %s --split-input-file --mlir-print-debuginfo | filecheck %s --check-prefix=SPLIT
// RUN: gasync-opt %s --canonicalize --mlir-print-ir-after-all --mlir-print-debuginfo -o %t 2>&1 | filecheck %s --check-prefix=DUMP

// CHECK-NOT: loc("-"
// CHECK: = loc("{{.*}}debuginfo-source-name.mlir":19:18)
// CHECK-NOT: loc("-"
// CHECK: = loc("{{.*}}debuginfo-source-name.mlir":20:8)
// PRETTY: arith.addi {{.*}} {{.*}}debuginfo-source-name.mlir:20:8
// STDIN: = loc("<stdin>":20:8)
// STDIN-NOT: loc("-"
// DUMP: IR Dump After Canonicalizer
// DUMP: = loc("{{.*}}debuginfo-source-name.mlir":20:8)
func.func @first(%x: i32) -> i32 {
  %y = arith.addi %x, %x : i32
  return %y : i32
}

// -----

// SPLIT-NOT: loc("-"
// SPLIT: = loc("{{.*}}debuginfo-source-name.mlir":30:3)
// SPLIT-NOT: loc("-"
func.func @second() {
  return
}
