// Syntax errors and malformed gasync types: each is a located error of the
// form `file:line:col: error: ...`, the exit code is 1, and no Python
// traceback is printed.
// RUN: not gasync-opt %s --split-input-file 2>&1 | filecheck %s
// RUN: not gasync-opt %s --split-input-file 2>&1 | filecheck %s --check-prefix=NOTRACE
// Without --split-input-file the first error stops the parse, still located.
// RUN: not gasync-opt %s 2>&1 | filecheck %s --check-prefix=WHOLE
// RUN: not gasync-opt %s --split-input-file -o %t 2>&1 | filecheck %s --check-prefix=NOTRACE

// (`[[# @LINE + 1]]` is the line-number form this filecheck accepts.)
// NOTRACE-NOT: Traceback
// NOTRACE-NOT: Exception
// WHOLE: invalid-syntax.mlir:{{[0-9]+}}:{{[0-9]+}}: error:
// WHOLE-NOT: Traceback

func.func @missing_brace(%x: i32) -> i32 {
  // CHECK: invalid-syntax.mlir:[[# @LINE + 1]]:18: error: expected operation name in quotes
  return %x : i32

// -----

func.func @undefined_value() {
  // CHECK: invalid-syntax.mlir:[[# @LINE + 1]]:21: error: use of undeclared SSA value name
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @unterminated_type(%x: i32) {
  // CHECK: invalid-syntax.mlir:[[# @LINE + 1]]:49: error: unbalanced '<' character in pretty dialect name
  %f = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32
  return
}

// -----

func.func @bad_value_type_text() {
  // CHECK: invalid-syntax.mlir:[[# @LINE + 1]]:8: error: cannot parse the value type 'i3 2' of '!gasync.fut<i3 2>'
  %f = "gasync.ready"() : () -> !gasync.fut<i3 2>
  return
}

// -----

func.func @empty_value_type() {
  // CHECK: invalid-syntax.mlir:[[# @LINE + 1]]:8: error: '!gasync.fut<>' needs a value type, as in !gasync.fut<i32> or !gasync.fut<none>
  %f = "gasync.ready"() : () -> !gasync.fut<>
  return
}

// -----

func.func @unknown_value_type() {
  // CHECK: invalid-syntax.mlir:[[# @LINE + 1]]:8: error: cannot parse the value type 'int' of '!gasync.task<int>'
  %t = "gasync.ready"() : () -> !gasync.task<int>
  return
}

// -----

func.func @nested_unbalanced() {
  // CHECK: invalid-syntax.mlir:[[# @LINE + 1]]:44: error: unbalanced '<' character in pretty dialect name
  %f = "gasync.ready"() : () -> !gasync.fut<!gasync.fut<i32>
  return
}

// -----

func.func @type_count_mismatch(%x: i32) {
  // CHECK: invalid-syntax.mlir:[[# @LINE + 1]]:29: error: expected 1 operand type{{.*}}but had 2
  %f = "gasync.ready"(%x) : (i32, i32) -> !gasync.fut<i32>
  return
}

// -----

func.func @operand_type_mismatch(%x: i32) {
  // CHECK: invalid-syntax.mlir:[[# @LINE + 1]]:23: error: use of value '%x' expects different type than prior uses: 'i64' vs 'i32'
  %f = "gasync.ready"(%x) : (i64) -> !gasync.fut<i64>
  return
}

// -----

func.func @missing_function_type(%x: i32) {
  // MLIR locates this error just past the end of the op's text.
  // CHECK: invalid-syntax.mlir:[[# @LINE + 1]]:26: error: expected ':' followed by operation type
  %f = "gasync.ready"(%x)
  return
}

// -----

func.func @bad_callee_attr() {
  // CHECK: invalid-syntax.mlir:[[# @LINE + 1]]:37: error: @ identifier expected to start with letter or '_'
  %f = "gasync.future"() {callee = @} : () -> !gasync.fut<none>
  return
}

// -----

func.func @redefinition() {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // CHECK: invalid-syntax.mlir:[[# @LINE + 1]]:3: error: redefinition of SSA value '%f'
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  return
}

// -----

// MLIR's own verifier runs first; its errors are located the same way.
func.func @mlir_verifier_error(%x: i32) -> i64 {
  // CHECK: invalid-syntax.mlir:[[# @LINE + 1]]:3: error: type of return operand 0 ('i32') doesn't match function result type ('i64')
  return %x : i32
}

// -----

func.func @string_unterminated() {
  // CHECK: invalid-syntax.mlir:[[# @LINE + 1]]:43: error: expected '"' in string literal
  "gasync.yield"() {msg = "abc} : () -> ()
  return
}
