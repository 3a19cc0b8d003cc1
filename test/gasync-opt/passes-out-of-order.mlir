// gasync's passes run out of their pipeline's order give a located error
// that names the passes to run first, not an internal error.
// RUN: not gasync-opt %s --split-input-file --gasync-lower-block-on 2>&1 | filecheck %s
// CHECK-NOT: internal error

func.func @main() -> i32 {
  %f = "gasync.future"() ({
    %c = arith.constant 1 : i32
    "gasync.return"(%c) : (i32) -> ()
  }) : () -> !gasync.fut<i32>
  // CHECK: passes-out-of-order.mlir:[[# @LINE + 1]]:8: error: gasync.block_on of an async block: run gasync-outline-async-blocks and gasync-coro-lower before gasync-lower-block-on
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}

// gasync-coro-lower takes futures of async functions only: async blocks and
// combinators are lowered before it (it was an internal KeyError: fuzz
// cmdline 359).
// RUN: not gasync-opt %s --split-input-file --gasync-coro-lower 2>&1 | filecheck %s --check-prefix=CORO
// CORO-NOT: internal error
// CORO: passes-out-of-order.mlir:7:8: error: gasync-coro-lower cannot lower an async block: run gasync-outline-async-blocks before it (gasync-coro does)

// -----

func.func private @inc(%x: i32) -> i32 attributes {gasync.async} {
  return %x : i32
}

func.func private @twice(%x: i32) -> i32 attributes {gasync.async} {
  %f = "gasync.future"(%x) {callee = @inc} : (i32) -> !gasync.fut<i32>
  %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
  // CORO: passes-out-of-order.mlir:[[# @LINE + 1]]:8: error: gasync-coro-lower cannot lower 'gasync.ready': run gasync-lower-combinators before it (gasync-coro does)
  %r = "gasync.ready"(%v) : (i32) -> !gasync.fut<i32>
  %w = "gasync.await"(%r) : (!gasync.fut<i32>) -> i32
  return %w : i32
}

// -----

func.func @then(%n: i32) -> i32 {
  %f = "gasync.future"(%n) {callee = @inc} : (i32) -> !gasync.fut<i32>
  // CORO: passes-out-of-order.mlir:[[# @LINE + 1]]:8: error: gasync-coro-lower cannot lower 'gasync.then': run gasync-lower-combinators before it (gasync-coro does)
  %t = "gasync.then"(%f) {callee = @inc} : (!gasync.fut<i32>) -> !gasync.fut<i32>
  %u = "gasync.block_on"(%t) : (!gasync.fut<i32>) -> i32
  return %u : i32
}

func.func private @inc(%x: i32) -> i32 attributes {gasync.async} {
  return %x : i32
}
