// A small valid program: an async function with a foldable add, and a host
// function that blocks on a future of it.
func.func @add_zero(%x: i32) -> i32 attributes {gasync.async} {
  %c0 = arith.constant 0 : i32
  %y = arith.addi %x, %c0 : i32
  return %y : i32
}

func.func @main(%x: i32) -> i32 {
  %f = "gasync.future"(%x) {callee = @add_zero} : (i32) -> !gasync.fut<i32>
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  %w = arith.addi %v, %v : i32
  %u = arith.addi %v, %v : i32
  %r = arith.muli %w, %u : i32
  return %r : i32
}
