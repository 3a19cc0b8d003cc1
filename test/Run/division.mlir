// Integer division on the CPU is defined for every divisor
// (gasync-guard-division): dividing by zero is a run-time fault naming the
// op (exit 3), not a SIGFPE; INT_MIN / -1 wraps to INT_MIN, INT_MIN % -1 is 0.
// RUN: not gasync-run %s --entry divide --arg 7 --arg 0 2>&1 | filecheck %s --check-prefix=ZERO
// RUN: not gasync-run %s --entry remainder --arg 7 --arg 0 2>&1 | filecheck %s --check-prefix=ZERO-REM
// RUN: not gasync-run %s --entry in_task --arg 0 2>&1 | filecheck %s --check-prefix=ZERO-TASK
// RUN: gasync-run %s --entry divide --arg -2147483648 --arg -1 | filecheck %s --check-prefix=WRAP
// RUN: gasync-run %s --entry remainder --arg -2147483648 --arg -1 | filecheck %s --check-prefix=WRAP-REM
// RUN: gasync-run %s --entry floor --arg -2147483648 --arg -1 | filecheck %s --check-prefix=WRAP
// RUN: gasync-run %s --entry ceil --arg -2147483648 --arg -1 | filecheck %s --check-prefix=WRAP
// RUN: gasync-run %s --entry divide --arg -7 --arg 2 | filecheck %s --check-prefix=PLAIN
// RUN: gasync-run %s --entry in_task --arg 4 | filecheck %s --check-prefix=TASK
// RUN: gasync-run %s --entry unsigned --arg -2147483648 --arg -1 | filecheck %s --check-prefix=UNSIGNED
// RUN: not gasync-run %s --entry unsigned --arg 1 --arg 0 2>&1 | filecheck %s --check-prefix=ZERO-UNSIGNED
// RUN: not gasync-run %s --entry wide --arg 1 --arg 0 2>&1 | filecheck %s --check-prefix=ZERO-WIDE
// RUN: gasync-run %s --entry wide --arg -9223372036854775808 --arg -1 | filecheck %s --check-prefix=WRAP-WIDE

// ZERO: gasync-run: error: '@divide' failed while running: integer division by zero (at the arith.divsi in '@divide' at {{.*}}division.mlir:[[# @LINE + 13]]:8)
// ZERO-REM: (at the arith.remsi in '@remainder' at {{.*}}division.mlir:[[# @LINE + 17]]:8)
// ZERO-TASK: (at the arith.divui in '@quarter' at {{.*}}division.mlir:[[# @LINE + 34]]:8)
// ZERO-UNSIGNED: (at the arith.divui in '@unsigned' at {{.*}}division.mlir:[[# @LINE + 44]]:8)
// ZERO-WIDE: (at the llvm.sdiv in '@wide' at {{.*}}division.mlir:[[# @LINE + 48]]:8)
// WRAP: result 0: -2147483648
// WRAP-REM: result 0: 0
// PLAIN: result 0: -3
// TASK: result 0: 25
// UNSIGNED: result 0: 0
// WRAP-WIDE: result 0: -9223372036854775808

func.func @divide(%a: i32, %b: i32) -> i32 {
  %q = arith.divsi %a, %b : i32
  return %q : i32
}

func.func @remainder(%a: i32, %b: i32) -> i32 {
  %q = arith.remsi %a, %b : i32
  return %q : i32
}

func.func @floor(%a: i32, %b: i32) -> i32 {
  %q = arith.floordivsi %a, %b : i32
  return %q : i32
}

func.func @ceil(%a: i32, %b: i32) -> i32 {
  %q = arith.ceildivsi %a, %b : i32
  return %q : i32
}

// Inside an async function: the site names it, not its poll function.
func.func private @quarter(%d: i32) -> i32 attributes {gasync.async} {
  %c100 = arith.constant 100 : i32
  "gasync.yield"() : () -> ()
  %q = arith.divui %c100, %d : i32
  return %q : i32
}

func.func @in_task(%d: i32) -> i32 {
  %f = "gasync.future"(%d) {callee = @quarter} : (i32) -> !gasync.fut<i32>
  %r = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %r : i32
}

func.func @unsigned(%a: i32, %b: i32) -> i32 {
  %q = arith.divui %a, %b : i32
  return %q : i32
}

func.func @wide(%a: i64, %b: i64) -> i64 {
  %q = llvm.sdiv %a, %b : i64
  return %q : i64
}
