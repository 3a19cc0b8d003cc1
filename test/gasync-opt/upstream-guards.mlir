// Upstream passes that abort on gasync IR (MLIR asserts on unregistered ops
// it cannot analyse) are refused first, with a located error: `inline` on an
// async block (SIGABRT "expected uses to be valid", fuzz cmdline 746),
// `remove-dead-values` on a future's callee reference ("expected a call-like
// user"). Once the IR is safe for them, they run.
// RUN: not gasync-opt %s --inline 2>&1 | filecheck %s --check-prefix=INLINE
// RUN: not gasync-opt %s --pass-pipeline='builtin.module(func.func(inline))' 2>&1 | filecheck %s --check-prefix=INLINE
// RUN: not gasync-opt %s --remove-dead-values 2>&1 | filecheck %s --check-prefix=RDV
// RUN: not gasync-opt %s --pass-pipeline='builtin.module(gasync-outline-async-blocks,remove-dead-values)' 2>&1 | filecheck %s --check-prefix=RDV-OUTLINED
// After the async blocks are outlined, the inliner runs and inlines @twice.
// RUN: gasync-opt %s --pass-pipeline='builtin.module(gasync-outline-async-blocks,inline)' | filecheck %s --check-prefix=OUTLINED
// RUN: gasync-opt %s --pass-pipeline='builtin.module(gasync-coro,inline)' | filecheck %s --check-prefix=LOWERED

// INLINE-NOT: Assertion
// RDV-NOT: Assertion

func.func private @spin(%n: i32) -> i32 attributes {gasync.async} {
  return %n : i32
}

func.func private @twice(%n: i32) -> i32 {
  %s = arith.addi %n, %n : i32
  return %s : i32
}

// OUTLINED-LABEL: func.func @main
// OUTLINED-NOT: call @twice
// OUTLINED: arith.addi
// OUTLINED: return
// LOWERED-LABEL: func.func @main
// LOWERED-NOT: gasync.
// LOWERED: return
func.func @main(%n: i32) -> i32 {
  %m = func.call @twice(%n) : (i32) -> i32
  // RDV: upstream-guards.mlir:[[# @LINE + 1]]:8: error: pass 'remove-dead-values' is not supported on IR that holds 'gasync.future' here
  %h = "gasync.future"(%m) {callee = @spin} : (i32) -> !gasync.fut<i32>
  %v = "gasync.block_on"(%h) : (!gasync.fut<i32>) -> i32
  // INLINE: upstream-guards.mlir:[[# @LINE + 1]]:8: error: pass 'inline' is not supported on IR that holds 'gasync.future' here: MLIR cannot list the symbol uses inside an op it does not know that holds regions (an async block), and its inliner aborts on it (run it after gasync-outline-async-blocks, or after gasync-coro)
  %g = "gasync.future"() ({
    // The outlined block's body comes first in the module.
    // RDV-OUTLINED: upstream-guards.mlir:[[# @LINE + 1]]:10: error: pass 'remove-dead-values' is not supported on IR that holds 'gasync.future' here: the pass takes every user of a function for a call, or needs the symbol uses inside it, and aborts on an op it does not know that names a function or holds regions (only IR without gasync ops, after gasync-coro, can be given to it)
    %k = "gasync.future"(%v) {callee = @spin} : (i32) -> !gasync.fut<i32>
    %w = "gasync.await"(%k) : (!gasync.fut<i32>) -> i32
    "gasync.return"(%w) : (i32) -> ()
  }) : () -> !gasync.fut<i32>
  %u = "gasync.block_on"(%g) : (!gasync.fut<i32>) -> i32
  return %u : i32
}
