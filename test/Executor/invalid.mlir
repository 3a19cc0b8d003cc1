// RUN: gasync-opt %s --split-input-file --verify-diagnostics --gasync-coro

func.func private @leaf() -> i32 attributes {gasync.async} {
  %c = arith.constant 1 : i32
  return %c : i32
}

func.func @bad_pool() -> i32 {
  %f = "gasync.future"() {callee = @leaf} : () -> !gasync.fut<i32>
  // expected-error@+1 {{'gasync.block_on' attribute 'pool' must be an integer from 1 to 65536 (the executor's task slots), not 0 : i32}}
  %r = "gasync.block_on"(%f) {pool = 0 : i32} : (!gasync.fut<i32>) -> i32
  return %r : i32
}

// -----

func.func private @leaf() -> i32 attributes {gasync.async} {
  %c = arith.constant 1 : i32
  return %c : i32
}

func.func @bad_pool_type() -> i32 {
  %f = "gasync.future"() {callee = @leaf} : () -> !gasync.fut<i32>
  // expected-error@+1 {{attribute 'pool' must be an integer from 1 to 65536}}
  %r = "gasync.block_on"(%f) {pool = "many"} : (!gasync.fut<i32>) -> i32
  return %r : i32
}

// -----

func.func private @leaf() -> i32 attributes {gasync.async} {
  %c = arith.constant 1 : i32
  return %c : i32
}

func.func @bad_scope() -> i32 {
  %f = "gasync.future"() {callee = @leaf} : () -> !gasync.fut<i32>
  // expected-error@+1 {{'gasync.block_on' attribute 'scope' must be one of 'thread', 'warp', 'block', not "grid"}}
  %r = "gasync.block_on"(%f) {scope = "grid"} : (!gasync.fut<i32>) -> i32
  return %r : i32
}

// -----

func.func private @leaf() -> i32 attributes {gasync.async} {
  %c = arith.constant 1 : i32
  return %c : i32
}

func.func private @spawner() -> i32 attributes {gasync.async} {
  %f = "gasync.future"() {callee = @leaf} : () -> !gasync.fut<i32>
  %t = "gasync.spawn"(%f) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %r = "gasync.await"(%t) : (!gasync.task<i32>) -> i32
  return %r : i32
}

// Lowering a block-scope executor is not supported yet: a clear error.
func.func @block_scope() -> i32 {
  %f = "gasync.future"() {callee = @spawner} : () -> !gasync.fut<i32>
  // expected-error@+1 {{gasync.block_on scope 'block' is not supported yet: only 'thread' and 'warp'}}
  %r = "gasync.block_on"(%f) {scope = "block"} : (!gasync.fut<i32>) -> i32
  return %r : i32
}
