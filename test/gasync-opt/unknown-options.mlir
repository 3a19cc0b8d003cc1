// An unknown flag is an unknown option, with the closest option or pass as a
// hint; an unknown pass (in --pass-pipeline) is an unknown pass, with the
// closest gasync or upstream pass; an mlir-opt flag gasync-opt cannot
// support says why. All exit 1 with one line, no traceback.
// RUN: not gasync-opt %S/Inputs/simple.mlir --mlir-print-ir-after-al 2>&1 | filecheck %s --check-prefix=OPTION
// RUN: not gasync-opt %S/Inputs/simple.mlir -canonicalise 2>&1 | filecheck %s --check-prefix=UPSTREAM-FLAG
// RUN: not gasync-opt %S/Inputs/simple.mlir --gasync-cor 2>&1 | filecheck %s --check-prefix=GASYNC-FLAG
// RUN: not gasync-opt %S/Inputs/simple.mlir --qwertyuiop 2>&1 | filecheck %s --check-prefix=NO-HINT
// RUN: not gasync-opt %S/Inputs/simple.mlir --pass-pipeline='builtin.module(gasync-coro-lowr)' 2>&1 | filecheck %s --check-prefix=PASS
// RUN: not gasync-opt %S/Inputs/simple.mlir --pass-pipeline='builtin.module(func.func(csee))' 2>&1 | filecheck %s --check-prefix=UPSTREAM-PASS
// RUN: not gasync-opt %S/Inputs/simple.mlir -mlir-print-ir-after=cse 2>&1 | filecheck %s --check-prefix=NOT-SUPPORTED
// RUN: not gasync-opt %S/Inputs/simple.mlir --verify-each=maybe 2>&1 | filecheck %s --check-prefix=BOOL

// OPTION: gasync-opt: error: unknown option '--mlir-print-ir-after-al' (try --help); did you mean '--mlir-print-ir-after-all'?
// OPTION-NOT: Traceback
// UPSTREAM-FLAG: gasync-opt: error: unknown option '-canonicalise' (try --help); did you mean the pass '--canonicalize'?
// GASYNC-FLAG: gasync-opt: error: unknown option '--gasync-cor' (try --help); did you mean the pass '--gasync-coro'?
// NO-HINT: gasync-opt: error: unknown option '--qwertyuiop' (try --help){{$}}
// PASS: gasync-opt: error: unknown pass or pipeline 'gasync-coro-lowr'; did you mean 'gasync-coro-lower'?
// UPSTREAM-PASS: gasync-opt: error: unknown pass or pipeline 'csee'; did you mean 'cse'?
// NOT-SUPPORTED: gasync-opt: error: option '-mlir-print-ir-after=cse' is not supported: the bindings' enable_ir_printing prints before or after all passes
// BOOL: gasync-opt: error: option '--verify-each' takes true or false, not 'maybe'
