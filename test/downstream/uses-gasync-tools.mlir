// A downstream test written as upstream writes them: single-dash flags,
// FileCheck, gasync-opt and gasync-run by name (substituted by
// gasync.tools.lit_support.configure; PATH holds none of them).
// REQUIRES: gasync, filecheck
// RUN: gasync-opt %s -pass-pipeline='builtin.module(gasync-verify,canonicalize)' | FileCheck %s
// RUN: gasync-run %s --entry main --arg 20 | FileCheck %s --check-prefix=RESULT
// RUN: not gasync-opt %s -no-such-flag 2>&1 | FileCheck %s --check-prefix=BAD

// CHECK-LABEL: func.func @plus_one(
// CHECK-SAME: attributes {gasync.async}
// CHECK-LABEL: func.func @main(
// CHECK: "gasync.block_on"

// RESULT: result 0: 21

// BAD: gasync-opt: error: unknown option '-no-such-flag'

func.func @plus_one(%x: i32) -> i32 attributes {gasync.async} {
  %c1 = arith.constant 1 : i32
  %r = arith.addi %x, %c1 : i32
  return %r : i32
}

func.func @main(%x: i32) -> i32 {
  %f = "gasync.future"(%x) {callee = @plus_one} : (i32) -> !gasync.fut<i32>
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}
