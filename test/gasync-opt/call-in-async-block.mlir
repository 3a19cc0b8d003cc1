// A func.call inside an async block cannot be resolved by MLIR's symbol
// verifier (gasync's ops are unregistered; MLIR takes an unregistered op with
// a region for a possible symbol table). The error says so and names the way
// that works: the call from an async function, which runs.
// RUN: not gasync-opt %s 2>&1 | FileCheck %s --check-prefix=BLOCK
// RUN: gasync-run %S/Inputs/call-in-async-function.mlir --entry main | FileCheck %s --check-prefix=CALL
// CALL: result 0: 42

func.func @helper(%x: i32) -> i32 {
  %c1 = arith.constant 1 : i32
  %r = arith.addi %x, %c1 : i32
  return %r : i32
}
func.func @main() -> i32 {
  %f = "gasync.future"() ({
    %c = arith.constant 41 : i32
    // BLOCK: call-in-async-block.mlir:[[@LINE+2]]:10: error: 'func.call' op 'helper' does not reference a valid function
    // BLOCK: call-in-async-block.mlir:[[@LINE+1]]:10: note: a call inside an async block (a region of a gasync op) cannot be resolved by MLIR: {{.*}} call the function from an async function (a func.func with gasync.async) instead
    %v = func.call @helper(%c) : (i32) -> i32
    "gasync.return"(%v) : (i32) -> ()
  }) : () -> !gasync.fut<i32>
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}
