// An executor lives on the stack of the function that runs block_on: the
// executors one function keeps there may take 4 MiB on the CPU (half of a
// common 8 MiB thread stack; runtime/abi.py's MAX_STACK_BYTES). Past that, a
// compile error at the block_on rather than a stack overflow at run time.
// (max-pool.mlir: the maximum pool with small frames fits and runs.)
// RUN: not gasync-opt %s --gasync-to-llvm 2>&1 | filecheck %s
// RUN: not gasync-run %s --entry big_frames --arg 1 2>&1 | filecheck %s --check-prefix=JIT

// A task whose frame keeps eight i64 values across its yield.
func.func private @eight(%x: i64) -> i64 attributes {gasync.async} {
  %c1 = arith.constant 1 : i64
  %a = arith.addi %x, %c1 : i64
  %b = arith.addi %a, %c1 : i64
  %c = arith.addi %b, %c1 : i64
  %d = arith.addi %c, %c1 : i64
  %e = arith.addi %d, %c1 : i64
  %f = arith.addi %e, %c1 : i64
  %g = arith.addi %f, %c1 : i64
  %h = arith.addi %g, %c1 : i64
  "gasync.yield"() : () -> ()
  %s1 = arith.muli %a, %b : i64
  %s2 = arith.muli %c, %d : i64
  %s3 = arith.muli %e, %f : i64
  %s4 = arith.muli %g, %h : i64
  %s5 = arith.xori %s1, %s2 : i64
  %s6 = arith.xori %s3, %s4 : i64
  %s = arith.xori %s5, %s6 : i64
  return %s : i64
}

func.func private @spawn_eight(%x: i64) -> i64 attributes {gasync.async} {
  %f = "gasync.future"(%x) {callee = @eight} : (i64) -> !gasync.fut<i64>
  %t = "gasync.spawn"(%f) : (!gasync.fut<i64>) -> !gasync.task<i64>
  %r = "gasync.await"(%t) : (!gasync.task<i64>) -> i64
  return %r : i64
}

// The documented maximum pool with these frames: more than 6 MiB.
// CHECK: stack-limit.mlir:[[# @LINE + 3]]:8: error: this executor needs {{[0-9]+}} bytes of stack (65537 slots of {{[0-9]+}}-byte frames), more than the 4194304 that executors may take on the CPU: lower its pool
func.func @big_frames(%x: i64) -> i64 {
  %f = "gasync.future"(%x) {callee = @spawn_eight} : (i64) -> !gasync.fut<i64>
  %r = "gasync.block_on"(%f) {pool = 65536 : i32} : (!gasync.fut<i64>) -> i64
  return %r : i64
}

// Each of these fits; the two together, on one stack, do not.
// CHECK-NOT: stack-limit.mlir:[[# @LINE + 4]]:{{.*}}error
// CHECK: stack-limit.mlir:[[# @LINE + 5]]:9: error: this executor needs {{[0-9]+}} bytes of stack (30001 slots of {{[0-9]+}}-byte frames) (with the function's other executors, {{[0-9]+}}), more than the 4194304 that executors may take on the CPU: lower its pool
func.func @two_executors(%x: i64) -> i64 {
  %f1 = "gasync.future"(%x) {callee = @spawn_eight} : (i64) -> !gasync.fut<i64>
  %r1 = "gasync.block_on"(%f1) {pool = 30000 : i32} : (!gasync.fut<i64>) -> i64
  %f2 = "gasync.future"(%x) {callee = @spawn_eight} : (i64) -> !gasync.fut<i64>
  %r2 = "gasync.block_on"(%f2) {pool = 30000 : i32} : (!gasync.fut<i64>) -> i64
  %r = arith.addi %r1, %r2 : i64
  return %r : i64
}
// JIT: error: this executor needs {{[0-9]+}} bytes of stack
// JIT-NOT: result
