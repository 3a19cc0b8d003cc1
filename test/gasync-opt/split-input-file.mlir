// --split-input-file: each chunk is parsed, verified and printed on its
// own; the outputs are joined by the marker. An error in one chunk does not
// stop the others, and makes the exit code 1; diagnostics keep the file's
// line numbers.
// RUN: gasync-opt %s --split-input-file | filecheck %s
// With a pass flag and -o as well.
// RUN: gasync-opt %s --split-input-file --gasync-verify --canonicalize -o %t
// RUN: filecheck %s --input-file %t
// RUN: not gasync-opt %S/Inputs/split-with-error.mlir --split-input-file 2>%t.err | filecheck %s --check-prefix=PARTIAL
// RUN: filecheck %s --check-prefix=PARTIAL-ERR --input-file %t.err
// Without the flag the marker is only a comment: one module, where the
// second @f is a redefinition.
// RUN: not gasync-opt %s 2>&1 | filecheck %s --check-prefix=WHOLE

// CHECK: module {
// CHECK: func.func @f() attributes {gasync.async}
// CHECK: }
// CHECK: // -----
// CHECK: module {
// CHECK: func.func @f() -> i32 attributes {gasync.async}
// CHECK: }
// CHECK: // -----
// CHECK: module {
// CHECK: func.func @main()
// CHECK: "gasync.block_on"
func.func @f() attributes {gasync.async} {
  return
}

// -----

// WHOLE: split-input-file.mlir:[[# @LINE + 1]]:1: error: redefinition of symbol named 'f'
func.func @f() -> i32 attributes {gasync.async} {
  %c = arith.constant 7 : i32
  return %c : i32
}

// -----

func.func @f() attributes {gasync.async} {
  return
}

func.func @main() {
  %f = "gasync.future"() {callee = @f} : () -> !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// PARTIAL: func.func @first
// PARTIAL: // -----
// PARTIAL-NOT: @second
// PARTIAL: func.func @third

// PARTIAL-ERR: split-with-error.mlir:10:3: error: 'gasync.yield' is only allowed inside an async function or async block
// PARTIAL-ERR-NOT: error

