// Bad pass options, as flags or inside --pass-pipeline, for gasync passes,
// gasync pipelines and upstream passes: one clear error line, exit 1, never
// a traceback (LLVM's own complaint on stderr is folded into it).
// RUN: not gasync-opt %S/Inputs/simple.mlir --gasync-coro=watchdg=5 2>&1 | filecheck %s --check-prefix=PIPELINE-KEY
// RUN: not gasync-opt %S/Inputs/simple.mlir --gasync-coro=watchdog=soon 2>&1 | filecheck %s --check-prefix=PIPELINE-VALUE
// RUN: not gasync-opt %S/Inputs/simple.mlir --pass-pipeline='builtin.module(gasync-lower-block-on{watchdg=3})' 2>&1 | filecheck %s --check-prefix=PASS-KEY
// RUN: not gasync-opt %S/Inputs/simple.mlir --canonicalize=max-iteratons=3 2>&1 | filecheck %s --check-prefix=UPSTREAM-KEY
// RUN: not gasync-opt %S/Inputs/simple.mlir --pass-pipeline='builtin.module(func.func(canonicalize{max-iterations=x}))' 2>&1 | filecheck %s --check-prefix=UPSTREAM-VALUE
// RUN: not gasync-opt %S/Inputs/simple.mlir --pass-pipeline='builtin.module(gasync-verify{' 2>&1 | filecheck %s --check-prefix=SYNTAX
// Good options reach the pass: a watchdog of 7 polls for the block_on lowering.
// RUN: gasync-opt %S/Inputs/simple.mlir --gasync-coro=watchdog=7 --dump-pass-pipeline -o %t 2>&1 | filecheck %s --check-prefix=GOOD

// PIPELINE-KEY: gasync-opt: error: pipeline 'gasync-coro' has no option 'watchdg' (options: watchdog, idle-wait-ms); did you mean 'watchdog'?
// PIPELINE-KEY-NOT: Traceback
// PIPELINE-VALUE: gasync-opt: error: option 'watchdog' of 'gasync-lower-block-on' takes an integer, got 'soon'
// PASS-KEY: gasync-opt: error: pass 'gasync-lower-block-on' has no option 'watchdg' (options: watchdog); did you mean 'watchdog'?
// UPSTREAM-KEY: gasync-opt: error: pass 'canonicalize' has no option 'max-iteratons'; did you mean 'max-iterations'?
// UPSTREAM-KEY-NOT: Pass-Options-Parser
// UPSTREAM-VALUE: gasync-opt: error: option 'max-iterations' of pass 'canonicalize': 'x' value invalid for long argument
// UPSTREAM-VALUE-NOT: {{.}}
// SYNTAX: gasync-opt: error: unbalanced '{'

// GOOD: gasync-lower-block-on{watchdog=7})
