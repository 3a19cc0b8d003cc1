// -o writes the IR to a file and nothing to stdout.
// RUN: gasync-opt %S/Inputs/simple.mlir -o %t.mlir > %t.stdout
// RUN: filecheck %s --input-file %t.mlir
// RUN: filecheck %s --check-prefix=EMPTY --input-file %t.stdout --allow-empty
// The file it writes parses again.
// RUN: gasync-opt %t.mlir | filecheck %s
// `-o -` is stdout.
// RUN: gasync-opt %S/Inputs/simple.mlir -o - | filecheck %s
// A file that cannot be written is an error (exit 1), located by name.
// RUN: not gasync-opt %S/Inputs/simple.mlir -o %t.nodir/out.mlir 2>&1 | filecheck %s --check-prefix=NOWRITE

// CHECK: module {
// CHECK: func.func @add_zero(%{{.*}}: i32) -> i32 attributes {gasync.async}
// CHECK: func.func @main(
// CHECK: "gasync.future"(%{{.*}}) {callee = @add_zero} : (i32) -> !gasync.fut<i32>
// CHECK: "gasync.block_on"(%{{.*}}) : (!gasync.fut<i32>) -> i32

// EMPTY-NOT: {{.}}

// NOWRITE: gasync-opt: error: cannot write '{{.*}}out.mlir'
