// --mlir-print-op-generic prints every op in the generic form; the output
// parses again.
// RUN: gasync-opt %S/Inputs/simple.mlir --mlir-print-op-generic | filecheck %s
// RUN: gasync-opt %S/Inputs/simple.mlir --mlir-print-op-generic | gasync-opt | filecheck %s --check-prefix=CUSTOM

// CHECK: "builtin.module"() ({
// CHECK: "func.func"() <{function_type = (i32) -> i32, sym_name = "add_zero"}> ({
// CHECK: "arith.addi"
// CHECK: "func.return"
// CHECK: }) {gasync.async} : () -> ()
// CHECK: "func.func"() <{function_type = (i32) -> i32, sym_name = "main"}> ({
// CHECK: "gasync.future"(%{{.*}}) {callee = @add_zero} : (i32) -> !gasync.fut<i32>
// CHECK: "gasync.block_on"(%{{.*}}) : (!gasync.fut<i32>) -> i32
// CHECK: }) : () -> ()
// CHECK-NOT: func.func @

// CUSTOM: func.func @add_zero(%{{.*}}: i32) -> i32 attributes {gasync.async}
