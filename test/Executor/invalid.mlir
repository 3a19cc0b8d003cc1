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

// A block-scope executor lives in shared memory: one that does not fit is an
// error, not a launch failure.
module attributes {gpu.container_module} {
  gpu.module @kernels {
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
    gpu.func @k() kernel {
      %f = "gasync.future"() {callee = @spawner} : () -> !gasync.fut<i32>
      // expected-error@+1 {{this block-scope executor needs 533264 bytes of shared memory (1001 slots x 32 lanes x 16-byte frames), more than 49152: lower its pool}}
      %r = "gasync.block_on"(%f) {pool = 1000 : i32, scope = "block"} : (!gasync.fut<i32>) -> i32
      gpu.return
    }
  }
}
