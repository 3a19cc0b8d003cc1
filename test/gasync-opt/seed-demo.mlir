// The seed demo (examples/seed_demo.mlir) verifies and prints back; the
// printed form parses and prints the same again.
// RUN: gasync-opt %S/../../examples/seed_demo.mlir > %t.1.mlir 2> %t.err
// RUN: filecheck %s --input-file %t.1.mlir
// No diagnostics at all, not even a warning.
// RUN: filecheck %s --check-prefix=EMPTY --input-file %t.err --allow-empty
// RUN: gasync-opt %t.1.mlir > %t.2.mlir
// RUN: diff %t.1.mlir %t.2.mlir

// EMPTY-NOT: {{.}}

// CHECK-LABEL: func.func @async_double(
// CHECK-SAME: attributes {gasync.async}
// CHECK-LABEL: func.func @async_add_then_double(
// CHECK: "gasync.future"(%{{.*}}) {callee = @async_double} : (i32) -> !gasync.fut<i32>
// CHECK: "gasync.await"
// CHECK-LABEL: func.func @async_conditional(
// CHECK: scf.if
// CHECK-LABEL: func.func @async_multi_step(
// CHECK-LABEL: func.func @mul2_add100(
// CHECK: "gasync.ready"
// CHECK-LABEL: func.func @main(
// CHECK-SAME: -> (i32, i32, i32, i32, i32, i32) {
// CHECK-COUNT-4: "gasync.block_on"
// CHECK: "gasync.future"() ({
// CHECK: "gasync.return"
// CHECK-NEXT: }) : () -> !gasync.fut<i32>
// CHECK-NEXT: "gasync.block_on"
// CHECK: "gasync.then"(%{{.*}}) {callee = @mul2_add100} : (!gasync.fut<i32>) -> !gasync.fut<i32>
// CHECK-NEXT: "gasync.block_on"
// CHECK-NEXT: return
