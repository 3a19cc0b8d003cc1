// The call of test/gasync-opt/call-in-async-block.mlir from an async function: it runs.
func.func @helper(%x: i32) -> i32 {
  %c1 = arith.constant 1 : i32
  %r = arith.addi %x, %c1 : i32
  return %r : i32
}
func.func private @body() -> i32 attributes {gasync.async} {
  %c = arith.constant 41 : i32
  "gasync.yield"() : () -> ()
  %v = func.call @helper(%c) : (i32) -> i32
  return %v : i32
}
func.func @main() -> i32 {
  %f = "gasync.future"() {callee = @body} : () -> !gasync.fut<i32>
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}
