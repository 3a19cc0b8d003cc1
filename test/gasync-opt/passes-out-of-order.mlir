// gasync's passes run out of their pipeline's order give a located error
// that names the passes to run first, not an internal error.
// RUN: not gasync-opt %s --gasync-lower-block-on 2>&1 | filecheck %s
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
