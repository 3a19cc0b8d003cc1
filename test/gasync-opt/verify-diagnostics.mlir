// --verify-diagnostics: exit 0 when every diagnostic is expected and every
// expectation is met (this file); exit 1 otherwise, naming what differs.
// RUN: gasync-opt %s --verify-diagnostics --split-input-file
// RUN: not gasync-opt %S/Inputs/wrong-expectations.mlir --verify-diagnostics 2>&1 | filecheck %s --check-prefix=WRONG
// A file with errors and no expectations fails too.
// RUN: not gasync-opt %S/Inputs/invalid.mlir --verify-diagnostics 2>&1 | filecheck %s --check-prefix=UNEXPECTED
// With expectations met, diagnostics are not echoed and nothing is printed
// to stderr.
// RUN: gasync-opt %s --verify-diagnostics --split-input-file 2>&1 >/dev/null | filecheck %s --check-prefix=QUIET --allow-empty

// WRONG-DAG: wrong-expectations.mlir:4: error: expected error "this message is never produced" was not produced
// WRONG-DAG: wrong-expectations.mlir:10:3: error: unexpected error: 'gasync.await' is only allowed inside an async function or async block
// WRONG-NOT: Traceback

// UNEXPECTED: invalid.mlir:7:3: error: unexpected error: 'gasync.await' is only allowed

// QUIET-NOT: {{.}}

// The @+N, @-N, @above, @below and @LINE forms, errors, warnings and notes.
func.func @a() -> i32 attributes {gasync.async} {
  %c = arith.constant 1 : i32
  return %c : i32
}

func.func @main() -> i32 {
  // expected-note@below {{the future was created here}}
  %f = "gasync.future"() {callee = @a} : () -> !gasync.fut<i32>
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  // expected-note@-1 {{the future may have been consumed here}}
  %w = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32 // expected-error {{use of a moved future}}
  return %w : i32
}

// -----

func.func @unused() {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-warning@above {{this future is never awaited, spawned or blocked on}}
  return
}

// -----

func.func @await_outside() {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-error@+2 {{'gasync.await' is only allowed inside an async function or async block}}

  "gasync.await"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

// A chunk without diagnostics and without expectations passes.
func.func @fine() attributes {gasync.async} {
  return
}
