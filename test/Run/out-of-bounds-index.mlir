// A store at a constant index far out of bounds, inside a task: gasync-run
// reports it at the store with exit 1 (it was a SIGSEGV, fuzz case structural
// 71); the rule is in test/Dialect/out-of-bounds.mlir.
// RUN: not gasync-run %s --entry main --arg 'memref<1xi32>' --arg 5 2>&1 | filecheck %s

func.func private @poke(%st: memref<1xi32>, %x: i32) attributes {gasync.async} {
  "gasync.yield"() : () -> ()
  %c = arith.constant -2147483648 : index
  // CHECK: out-of-bounds-index.mlir:[[# @LINE + 1]]:3: error: 'memref.store' index -2147483648 is out of bounds for dimension 0 of 'memref<1xi32>' (size 1)
  memref.store %x, %st[%c] : memref<1xi32>
  return
}

// CHECK-NOT: error
func.func @main(%st: memref<1xi32>, %x: i32) {
  %f = "gasync.future"(%st, %x) {callee = @poke} : (memref<1xi32>, i32) -> !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}
