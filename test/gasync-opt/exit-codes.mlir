// Exit codes: 0 for a valid program, 1 for an invalid one (diagnostics on
// stderr as `file:line:col: error:`, nothing on stdout), 1 for command-line
// and I/O errors. `not` fails unless the exit code is non-zero; the
// python line below compares it with 1 (python is the venv's, first on PATH).
// RUN: gasync-opt %S/Inputs/simple.mlir > %t
// RUN: not gasync-opt %S/Inputs/invalid.mlir > %t.out 2> %t.err
// RUN: filecheck %s --check-prefix=ERR --input-file %t.err
// RUN: filecheck %s --check-prefix=EMPTY --input-file %t.out --allow-empty
// RUN: python -c "import subprocess, sys; sys.exit(subprocess.run(['gasync-opt', r'%S/Inputs/invalid.mlir'], capture_output=True).returncode != 1)"
// RUN: not gasync-opt %t.does-not-exist.mlir 2>&1 | filecheck %s --check-prefix=NOFILE
// RUN: not gasync-opt %S/Inputs/simple.mlir --split-input-file=x --no-such-flag=1 2>&1 | filecheck %s --check-prefix=BADFLAG
// RUN: not gasync-opt %S/Inputs/simple.mlir extra.mlir 2>&1 | filecheck %s --check-prefix=USAGE
// A warning alone does not fail.
// RUN: gasync-opt %s 2>&1 | filecheck %s --check-prefix=WARN

// ERR: invalid.mlir:7:3: error: 'gasync.await' is only allowed inside an async function or async block
// ERR-NOT: Traceback

// EMPTY-NOT: {{.}}

// NOFILE: gasync-opt: error: cannot read '{{.*}}does-not-exist.mlir'

// BADFLAG: gasync-opt: error: unknown option '--no-such-flag=1'

// USAGE: usage: gasync-opt
// USAGE: gasync-opt: error: unrecognized arguments: extra.mlir

// WARN: exit-codes.mlir:[[# @LINE + 3]]:8: warning: this future is never awaited, spawned or blocked on: it does nothing
// WARN: func.func @warn_only
func.func @warn_only() {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  return
}
