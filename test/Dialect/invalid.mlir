// Every rule of the gasync verifier (docs/design.md, "The dialect"), one invalid
// program per chunk, each with the located diagnostic it must produce.
// RUN: gasync-opt %s --split-input-file --verify-diagnostics
//
// The chunks are grouped as the rules are in dialect/verifier.py:
// types, the op catalogue, placement, callees, async functions, function
// boundaries, linearity, cycles.

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

func.func @unknown_type_kind() {
  // expected-error@+1 {{unknown gasync type '!gasync.promise<i32>'}}
  %f = "gasync.ready"() : () -> !gasync.promise<i32>
  return
}

// -----

func.func @type_without_value(%x: i32) {
  // expected-error@+1 {{'!gasync.fut' needs a value type, as in !gasync.fut<i32>}}
  %f = "gasync.ready"(%x) : (i32) -> !gasync.fut
  return
}

// -----

func.func @task_without_value() attributes {gasync.async} {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-error@+1 {{'!gasync.task<>' needs a value type}}
  %t = "gasync.spawn"(%f) : (!gasync.fut<none>) -> !gasync.task<>
  return
}

// -----

func.func @bad_value_type(%x: i32) {
  // expected-error@+1 {{cannot parse the value type 'i32, i32' of '!gasync.fut<i32, i32>'}}
  %f = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32, i32>
  return
}

// -----

func.func @future_of_future() {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-error@+2 {{'!gasync.fut<!gasync.fut<none>>': a future or task of a future or task is not supported}}
  // expected-error@+1 {{a future cannot be used by 'gasync.ready'}}
  %g = "gasync.ready"(%f) : (!gasync.fut<none>) -> !gasync.fut<!gasync.fut<none>>
  return
}

// -----

// A malformed type of a block argument (here a function's parameter) is
// reported at the op owning the region.
// expected-error@+1 {{unknown gasync type '!gasync.chan<i32>'}}
func.func @malformed_block_arg_type(%c: !gasync.chan<i32>) {
  return
}

// -----

// Types of other unregistered dialects are rejected (without
// --allow-unregistered-dialect).
// expected-error@+1 {{type '!foo.bar' of unregistered dialect 'foo'}}
func.func @other_dialect_type(%x: !foo.bar) {
  return
}

// -----

// Types that MLIR accepts but whose LLVM lowering asserts or aborts are
// rejected where they appear, and inside other types (a future, a memref, a
// function's signature).
func.func @zero_bit_integer() {
  // expected-error@+1 {{type 'i0' is not supported: LLVM has no 0-bit integers}}
  %c = arith.constant 0 : i0
  return
}

// -----

func.func @scalable_vector(%x: i32) {
  // expected-error@+1 {{type 'vector<[4]xi32>' is not supported: scalable vectors exist on neither of gasync's targets}}
  %v = vector.broadcast %x : i32 to vector<[4]xi32>
  return
}

// -----

// expected-error@+1 {{type 'memref<4xvector<[2]xf32>>' is not supported: it holds 'vector<[2]xf32>': scalable vectors}}
func.func private @declaration(memref<4xvector<[2]xf32>>)

// -----

// expected-error@+1 {{type 'i16777215' is not supported: LLVM's integers are at most 8388608 bits wide}}
func.func private @too_wide(%x: i16777215) -> i16777215 attributes {gasync.async} {
  // expected-error@+1 {{type 'i16777215' is not supported}}
  return %x : i16777215
}

// -----

func.func @future_of_zero_bits() {
  // expected-error@+1 {{type '!gasync.fut<i0>' is not supported: it holds 'i0'}}
  %f = "gasync.ready"() : () -> !gasync.fut<i0>
  return
}

//===----------------------------------------------------------------------===//
// The op catalogue
//===----------------------------------------------------------------------===//

// -----

func.func @unknown_op() {
  // expected-error@+1 {{unknown operation 'gasync.nap' in the gasync dialect (the gasync ops are: gasync.future, gasync.return, gasync.ready, gasync.then, gasync.await, gasync.spawn, gasync.yield, gasync.block_on, gasync.flag_wait, gasync.mbarrier_wait, gasync.bulk_store, gasync.sleep, gasync.send, gasync.recv, gasync.flag_store, gasync.flag_add, gasync.mbarrier_init, gasync.mbarrier_arrive, gasync.mbarrier_arrive_expect_tx, gasync.bulk_load, gasync.channel_init, gasync.release)}}
  "gasync.nap"() : () -> ()
  return
}

// -----

func.func @other_namespace() {
  // expected-error@+1 {{unregistered operation 'foo.bar' found in dialect ('foo') that does not allow unknown operations}}
  "foo.bar"() : () -> ()
  return
}

// -----

func.func @await_without_operand() attributes {gasync.async} {
  // expected-error@+1 {{'gasync.await' expects 1 operand(s), found 0}}
  %v = "gasync.await"() : () -> i32
  return
}

// -----

func.func @yield_with_operand(%x: i32) attributes {gasync.async} {
  // expected-error@+1 {{'gasync.yield' expects 0 operand(s), found 1}}
  "gasync.yield"(%x) : (i32) -> ()
  return
}

// -----

func.func @spawn_without_result() attributes {gasync.async} {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-error@+1 {{'gasync.spawn' expects 1 result(s), found 0}}
  "gasync.spawn"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @await_two_results() attributes {gasync.async} {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-error@+1 {{'gasync.await' expects 0 to 1 result(s), found 2}}
  %a, %b = "gasync.await"(%f) : (!gasync.fut<none>) -> (i32, i32)
  return
}

// -----

func.func @await_with_region() attributes {gasync.async} {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-error@+1 {{'gasync.await' expects 0 region(s), found 1}}
  "gasync.await"(%f) ({
    "gasync.yield"() : () -> ()
  }) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @future_two_regions() {
  // expected-error@+1 {{'gasync.future' expects 0 or 1 region(s), found 2}}
  %f = "gasync.future"() ({
  }, {
  }) : () -> !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @g(%v: i32) -> i32 attributes {gasync.async} {
  return %v : i32
}

func.func @then_without_callee(%x: i32) {
  %f = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32>
  // expected-error@+1 {{'gasync.then' requires the attribute 'callee'}}
  %g = "gasync.then"(%f) : (!gasync.fut<i32>) -> !gasync.fut<i32>
  %v = "gasync.block_on"(%g) : (!gasync.fut<i32>) -> i32
  return
}

// -----

func.func @yield_with_successor() attributes {gasync.async} {
  // expected-error@+1 {{'gasync.yield' cannot have successors}}
  "gasync.yield"() [^bb1] : () -> ()
^bb1:
  return
}

// -----

func.func @future_neither_callee_nor_region() {
  // expected-error@+1 {{'gasync.future' needs either a 'callee' attribute (call form) or a region (async block form)}}
  %f = "gasync.future"() : () -> !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @future_of_non_future_type() {
  // expected-error@+1 {{'gasync.future' must produce a !gasync.fut, found '!gasync.task<none>'}}
  %f = "gasync.future"() ({
    "gasync.return"() : () -> ()
  }) : () -> !gasync.task<none>
  return
}

// -----

// Each gasync op checks the kind of handle it takes and gives.
func.func @await_of_a_value(%x: i32) attributes {gasync.async} {
  // expected-error@+1 {{'gasync.await' expects a !gasync.fut or !gasync.task operand, found 'i32'}}
  %v = "gasync.await"(%x) : (i32) -> i32
  return
}

// -----

func.func @await_wrong_result(%x: i32) attributes {gasync.async} {
  %f = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32>
  // expected-error@+1 {{'gasync.await' of '!gasync.fut<i32>' must have result types (i32), found (i64)}}
  %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i64
  return
}

// -----

func.func @await_none_with_result() attributes {gasync.async} {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-error@+1 {{'gasync.await' of '!gasync.fut<none>' must have result types (), found (i32)}}
  %v = "gasync.await"(%f) : (!gasync.fut<none>) -> i32
  return
}

// -----

func.func @spawn_of_a_task() attributes {gasync.async} {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  %t = "gasync.spawn"(%f) : (!gasync.fut<none>) -> !gasync.task<none>
  // expected-error@+1 {{'gasync.spawn' expects a !gasync.fut operand, found '!gasync.task<none>'}}
  %u = "gasync.spawn"(%t) : (!gasync.task<none>) -> !gasync.task<none>
  return
}

// -----

func.func @spawn_wrong_result(%x: i32) attributes {gasync.async} {
  %f = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32>
  // expected-error@+1 {{'gasync.spawn' result type must be '!gasync.task<i32>', found '!gasync.fut<i32>'}}
  %t = "gasync.spawn"(%f) : (!gasync.fut<i32>) -> !gasync.fut<i32>
  return
}

// -----

func.func @block_on_wrong_result(%x: i32) -> i64 {
  %f = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32>
  // expected-error@+1 {{'gasync.block_on' of '!gasync.fut<i32>' must have result types (i32), found (i64)}}
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i64
  return %v : i64
}

// -----

func.func @block_on_of_a_value(%x: i32) -> i32 {
  // expected-error@+1 {{'gasync.block_on' expects a !gasync.fut operand, found 'i32'}}
  %v = "gasync.block_on"(%x) : (i32) -> i32
  return %v : i32
}

// -----

func.func @ready_wrong_result(%x: i32) {
  // expected-error@+1 {{'gasync.ready' result type must be '!gasync.fut<i32>', found '!gasync.fut<i64>'}}
  %f = "gasync.ready"(%x) : (i32) -> !gasync.fut<i64>
  return
}

// -----

func.func @ready_none_wrong_result() {
  // expected-error@+1 {{'gasync.ready' result type must be '!gasync.fut<none>', found 'i32'}}
  %f = "gasync.ready"() : () -> i32
  return
}

// -----

func.func @ready_of_a_future() {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-error@+2 {{'gasync.ready' of a future or task is not supported}}
  // expected-error@+1 {{a future cannot be used by 'gasync.ready'}}
  %g = "gasync.ready"(%f) : (!gasync.fut<none>) -> !gasync.fut<none>
  return
}

// -----

func.func @g(%v: i32) -> i32 attributes {gasync.async} {
  return %v : i32
}

func.func @then_of_a_value(%x: i32) {
  // expected-error@+1 {{'gasync.then' expects a !gasync.fut operand, found 'i32'}}
  %g = "gasync.then"(%x) {callee = @g} : (i32) -> !gasync.fut<i32>
  return
}

// -----

// An integer attribute wider than 64 bits cannot even be read (LLVM asserts).
func.func @wide_pool() {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-error@+1 {{'gasync.block_on' attribute 'pool' is 1267650600228229401496703205376 : i128: integers wider than 64 bits are not supported}}
  "gasync.block_on"(%f) {pool = 1267650600228229401496703205376 : i128} : (!gasync.fut<none>) -> ()
  return
}

//===----------------------------------------------------------------------===//
// Async blocks and gasync.return
//===----------------------------------------------------------------------===//

// -----

func.func @async_block_without_return() {
  %f = "gasync.future"() ({
    %c = arith.constant 1 : i32
    // expected-error@+1 {{an async block must end with 'gasync.return'}}
    "gasync.yield"() : () -> ()
  }) : () -> !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @async_block_empty_body() {
  // expected-error@+1 {{an async block must have a body ending in 'gasync.return'}}
  %f = "gasync.future"() ({
  }) : () -> !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @async_block_empty_block() {
  // expected-error@+1 {{an async block must end with 'gasync.return'}}
  %f = "gasync.future"() ({
  ^bb0:
  }) : () -> !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @async_block_with_callee() attributes {gasync.async} {
  return
}

func.func @main() {
  // expected-error@+1 {{an async block (gasync.future with a region) cannot also have a callee}}
  %f = "gasync.future"() ({
    "gasync.return"() : () -> ()
  }) {callee = @async_block_with_callee} : () -> !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @async_block_with_operands(%x: i32) {
  // expected-error@+1 {{an async block takes no operands: it captures the values it uses}}
  %f = "gasync.future"(%x) ({
    "gasync.return"() : () -> ()
  }) : (i32) -> !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @return_outside_async_block() {
  // expected-error@+1 {{'gasync.return' must terminate an async block (the region of a gasync.future)}}
  "gasync.return"() : () -> ()
  return
}

// -----

func.func @return_in_nested_region(%c: i1) {
  %f = "gasync.future"() ({
    scf.if %c {
      // expected-error@+1 {{'gasync.return' must terminate an async block}}
      "gasync.return"() : () -> ()
      scf.yield
    }
    "gasync.return"() : () -> ()
  }) : () -> !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @return_not_last() {
  %f = "gasync.future"() ({
    // expected-error@+1 {{'gasync.return' must be the last op of its block}}
    "gasync.return"() : () -> ()
    // expected-error@+1 {{an async block must end with 'gasync.return'}}
    "gasync.yield"() : () -> ()
  }) : () -> !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @return_wrong_type(%x: i64) -> i32 {
  %f = "gasync.future"() ({
    // expected-error@+1 {{'gasync.return' operand types (i64) do not match the async block's future value (i32)}}
    "gasync.return"(%x) : (i64) -> ()
  }) : () -> !gasync.fut<i32>
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}

// -----

func.func @return_missing_value() -> i32 {
  %f = "gasync.future"() ({
    // expected-error@+1 {{'gasync.return' operand types () do not match the async block's future value (i32)}}
    "gasync.return"() : () -> ()
  }) : () -> !gasync.fut<i32>
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}

//===----------------------------------------------------------------------===//
// Placement: await/spawn/yield only in async code, block_on only outside
//===----------------------------------------------------------------------===//

// -----

func.func @a() -> i32 attributes {gasync.async} {
  %c = arith.constant 1 : i32
  return %c : i32
}

func.func @await_in_sync_function() -> i32 {
  %f = "gasync.future"() {callee = @a} : () -> !gasync.fut<i32>
  // expected-error@+1 {{'gasync.await' is only allowed inside an async function or async block}}
  %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}

// -----

func.func @spawn_in_sync_function() {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-error@+1 {{'gasync.spawn' is only allowed inside an async function or async block}}
  %t = "gasync.spawn"(%f) : (!gasync.fut<none>) -> !gasync.task<none>
  return
}

// -----

func.func @yield_in_sync_function(%c: i1) {
  scf.if %c {
    // expected-error@+1 {{'gasync.yield' is only allowed inside an async function or async block}}
    "gasync.yield"() : () -> ()
  }
  return
}

// -----

// A kernel is not async code either.
gpu.module @kernels {
  gpu.func @kernel() kernel {
    // expected-error@+1 {{'gasync.yield' is only allowed inside an async function or async block}}
    "gasync.yield"() : () -> ()
    gpu.return
  }
}

// -----

func.func @block_on_in_async_function() attributes {gasync.async} {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-error@+1 {{'gasync.block_on' is only allowed outside async functions and async blocks (inside async code, use gasync.await)}}
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @block_on_in_async_block() {
  %f = "gasync.future"() ({
    %g = "gasync.ready"() : () -> !gasync.fut<none>
    // expected-error@+1 {{'gasync.block_on' is only allowed outside async functions and async blocks}}
    "gasync.block_on"(%g) : (!gasync.fut<none>) -> ()
    "gasync.return"() : () -> ()
  }) : () -> !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

// The executor's options on block_on: `pool` (task slots) and `scope`.
func.func @block_on_bad_pool() {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-error@+1 {{'gasync.block_on' attribute 'pool' must be an integer from 1 to 65536 (the executor's task slots), not 0}}
  "gasync.block_on"(%f) {pool = 0 : i64} : (!gasync.fut<none>) -> ()
  %g = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-error@+1 {{'gasync.block_on' attribute 'pool' must be an integer from 1 to 65536 (the executor's task slots), not 65537}}
  "gasync.block_on"(%g) {pool = 65537 : i64} : (!gasync.fut<none>) -> ()
  %h = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-error@+1 {{'gasync.block_on' attribute 'pool' must be an integer from 1 to 65536 (the executor's task slots), not "8"}}
  "gasync.block_on"(%h) {pool = "8"} : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @block_on_bad_scope() {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-error@+1 {{'gasync.block_on' attribute 'scope' must be one of 'thread', 'warp', 'block', not "grid"}}
  "gasync.block_on"(%f) {scope = "grid"} : (!gasync.fut<none>) -> ()
  %g = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-error@+1 {{'gasync.block_on' attribute 'scope' must be one of 'thread', 'warp', 'block', not 1}}
  "gasync.block_on"(%g) {scope = 1 : i32} : (!gasync.fut<none>) -> ()
  return
}

//===----------------------------------------------------------------------===//
// Callees
//===----------------------------------------------------------------------===//

// -----

func.func @missing_callee() {
  // expected-error@+1 {{'gasync.future' refers to '@nowhere', which does not exist}}
  %f = "gasync.future"() {callee = @nowhere} : () -> !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @then_missing_callee() {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-error@+1 {{'gasync.then' refers to '@nowhere', which does not exist}}
  %g = "gasync.then"(%f) {callee = @nowhere} : (!gasync.fut<none>) -> !gasync.fut<none>
  return
}

// -----

// expected-note@+1 {{'@sync' defined here}}
func.func @sync() {
  return
}

func.func @callee_not_async() {
  // expected-error@+1 {{'gasync.future' callee '@sync' is not an async function (mark a func.func with the unit attribute 'gasync.async')}}
  %f = "gasync.future"() {callee = @sync} : () -> !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

// expected-note@+1 {{'@sync' defined here}}
func.func @sync(%v: i32) -> i32 {
  return %v : i32
}

func.func @then_callee_not_async(%x: i32) {
  %f = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32>
  // expected-error@+1 {{'gasync.then' callee '@sync' is not an async function}}
  %g = "gasync.then"(%f) {callee = @sync} : (!gasync.fut<i32>) -> !gasync.fut<i32>
  return
}

// -----

module @outer {
  module @inner {
    func.func @f() attributes {gasync.async} {
      return
    }
  }
  func.func @nested_reference() {
    // expected-error@+1 {{'gasync.future' attribute 'callee' must be a flat symbol reference (@name), found @inner::@f}}
    %f = "gasync.future"() {callee = @inner::@f} : () -> !gasync.fut<none>
    "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
    return
  }
}

// -----

// The lookup goes outward from the op: a function of a sibling gpu.module
// is not visible.
gpu.module @other {
  func.func @hidden() attributes {gasync.async} {
    return
  }
}
func.func @not_visible() {
  // expected-error@+1 {{'gasync.future' refers to '@hidden', which does not exist}}
  %f = "gasync.future"() {callee = @hidden} : () -> !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @add(%a: i32, %b: i32) -> i32 attributes {gasync.async} {
  %s = arith.addi %a, %b : i32
  return %s : i32
}

func.func @wrong_argument_types(%x: i32) -> i32 {
  // expected-error@+1 {{'gasync.future' argument types (i32) do not match the parameters (i32, i32) of '@add'}}
  %f = "gasync.future"(%x) {callee = @add} : (i32) -> !gasync.fut<i32>
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}

// -----

func.func @add(%a: i32, %b: i32) -> i32 attributes {gasync.async} {
  %s = arith.addi %a, %b : i32
  return %s : i32
}

func.func @wrong_result_type(%x: i32) {
  // expected-error@+1 {{'gasync.future' of type '!gasync.fut<none>' does not match the result types (i32) of '@add'}}
  %f = "gasync.future"(%x, %x) {callee = @add} : (i32, i32) -> !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @add(%a: i32, %b: i32) -> i32 attributes {gasync.async} {
  %s = arith.addi %a, %b : i32
  return %s : i32
}

// then passes the awaited value first, then the extra operands.
func.func @then_wrong_arguments(%x: i32, %y: i64) -> i32 {
  %f = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32>
  // expected-error@+1 {{'gasync.then' passes (i32, i64) (the awaited value, then the extra operands), but '@add' takes (i32, i32)}}
  %g = "gasync.then"(%f, %y) {callee = @add} : (!gasync.fut<i32>, i64) -> !gasync.fut<i32>
  %v = "gasync.block_on"(%g) : (!gasync.fut<i32>) -> i32
  return %v : i32
}

// -----

func.func @add(%a: i32, %b: i32) -> i32 attributes {gasync.async} {
  %s = arith.addi %a, %b : i32
  return %s : i32
}

// A future of none gives the callee no value: only the extras are passed.
func.func @then_none_value(%x: i32) -> i32 {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-error@+1 {{'gasync.then' passes (i32) (the awaited value, then the extra operands), but '@add' takes (i32, i32)}}
  %g = "gasync.then"(%f, %x) {callee = @add} : (!gasync.fut<none>, i32) -> !gasync.fut<i32>
  %v = "gasync.block_on"(%g) : (!gasync.fut<i32>) -> i32
  return %v : i32
}

// -----

func.func @inc(%a: i32) -> i32 attributes {gasync.async} {
  return %a : i32
}

func.func @then_wrong_result(%x: i32) {
  %f = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32>
  // expected-error@+1 {{'gasync.then' result type must be '!gasync.fut<i32>', found '!gasync.fut<none>'}}
  %g = "gasync.then"(%f) {callee = @inc} : (!gasync.fut<i32>) -> !gasync.fut<none>
  return
}

//===----------------------------------------------------------------------===//
// Async functions
//===----------------------------------------------------------------------===//

// -----

// expected-note@+1 {{'@a' defined here}}
func.func @a() attributes {gasync.async} {
  return
}

func.func @call_of_async_function() {
  // expected-error@+1 {{async function '@a' cannot be called with func.call: create a future with "gasync.future"(...) {callee = @a} and await it}}
  func.call @a() : () -> ()
  return
}

// -----

// expected-note@+1 {{'@a' defined here}}
func.func @a(%x: i32) -> i32 attributes {gasync.async} {
  return %x : i32
}

func.func @call_from_async_function(%x: i32) -> i32 attributes {gasync.async} {
  // expected-error@+1 {{async function '@a' cannot be called with func.call}}
  %v = func.call @a(%x) : (i32) -> i32
  return %v : i32
}

// -----

// expected-error@+1 {{'gasync.async' marks async functions: it belongs on a func.func, not on 'arith.constant'}}
%c = arith.constant {gasync.async} 0 : i32

// -----

// expected-error@+1 {{'gasync.async' must be a unit attribute}}
func.func @not_unit() attributes {gasync.async = 1 : i32} {
  return
}

// -----

// expected-error@+1 {{async function '@two_results' returns 2 values; an async function returns at most one value (the future's output)}}
func.func @two_results(%x: i32) -> (i32, i32) attributes {gasync.async} {
  return %x, %x : i32, i32
}

// -----

// expected-error@+1 {{async function '@external' has no body (external async functions are not supported)}}
func.func private @external() attributes {gasync.async}

// -----

gpu.module @kernels {
  // expected-error@+1 {{'gasync.async' marks async functions: it belongs on a func.func, not on 'gpu.func'}}
  gpu.func @kernel() kernel attributes {gasync.async} {
    gpu.return
  }
}

// -----

gpu.module @kernels {
  // expected-error@+1 {{a kernel cannot be async: '@kernel'}}
  func.func @kernel() attributes {gasync.async, gpu.kernel} {
    return
  }
}

// -----

// MLIR takes an unregistered op at the end of a block for a terminator; no
// gasync op but gasync.return is one, so a body ending in one lacks its return.
func.func private @no_return() attributes {gasync.async} {
  // expected-error@+1 {{'gasync.yield' cannot end a block of 'func.func': it is not a terminator (the block needs one after it, e.g. 'return')}}
  "gasync.yield"() : () -> ()
}

// -----

func.func private @g() -> i32 attributes {gasync.async} {
  %c = arith.constant 1 : i32
  return %c : i32
}

func.func private @ends_with_await() -> i32 attributes {gasync.async} {
  %f = "gasync.future"() {callee = @g} : () -> !gasync.fut<i32>
  // expected-error@+1 {{'gasync.await' cannot end a block of 'func.func'}}
  %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
}

// -----

func.func private @g() attributes {gasync.async} {
  return
}

func.func @block_on_without_return() {
  %f = "gasync.future"() {callee = @g} : () -> !gasync.fut<none>
  // expected-error@+1 {{'gasync.block_on' cannot end a block of 'func.func'}}
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
}

//===----------------------------------------------------------------------===//
// Futures do not cross function boundaries or merge through control flow
//===----------------------------------------------------------------------===//

// -----

// expected-error@+1 {{function '@takes_future' takes or returns '!gasync.fut<i32>': passing futures or tasks across functions is not supported}}
func.func @takes_future(%f: !gasync.fut<i32>) attributes {gasync.async} {
  return
}

// -----

// expected-error@+1 {{function '@returns_task' takes or returns '!gasync.task<none>': passing futures or tasks across functions is not supported}}
func.func @returns_task() -> !gasync.task<none> attributes {gasync.async} {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  %t = "gasync.spawn"(%f) : (!gasync.fut<none>) -> !gasync.task<none>
  // expected-error@+1 {{a task cannot be used by 'func.return': a task may only be consumed by gasync.await, gasync.spawn, gasync.then or gasync.block_on (passing futures through control flow or across functions is not supported)}}
  return %t : !gasync.task<none>
}

// -----

// expected-error@+1 {{function '@consume' takes or returns '!gasync.fut<none>'}}
func.func @consume(%f: !gasync.fut<none>) {
  return
}

func.func @future_as_call_argument() {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-error@+1 {{a future cannot be used by 'func.call'}}
  func.call @consume(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

// The only operand a consumer consumes is its first: a future passed as an
// extra argument of gasync.then would cross into the callee.
func.func @g(%v: i32, %w: i32) -> i32 attributes {gasync.async} {
  return %v : i32
}

func.func @future_as_then_extra(%x: i32) -> i32 {
  %f = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32>
  %e = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32>
  // expected-error@+2 {{a future cannot be used by 'gasync.then'}}
  // expected-error@+1 {{'gasync.then' passes (i32, !gasync.fut<i32>)}}
  %g = "gasync.then"(%f, %e) {callee = @g} : (!gasync.fut<i32>, !gasync.fut<i32>) -> !gasync.fut<i32>
  %v = "gasync.block_on"(%g) : (!gasync.fut<i32>) -> i32
  return %v : i32
}

// -----

func.func @merge_through_scf_if(%c: i1, %x: i32) -> i32 {
  // expected-error@+1 {{'scf.if' produces a future ('!gasync.fut<i32>'): merging or passing futures through control flow is not supported (await the future in each branch instead)}}
  %f = scf.if %c -> (!gasync.fut<i32>) {
    %a = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32>
    // expected-error@+1 {{a future cannot be used by 'scf.yield'}}
    scf.yield %a : !gasync.fut<i32>
  } else {
    %b = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32>
    // expected-error@+1 {{a future cannot be used by 'scf.yield'}}
    scf.yield %b : !gasync.fut<i32>
  }
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}

// -----

func.func @merge_through_select(%c: i1) {
  %a = "gasync.ready"() : () -> !gasync.fut<none>
  %b = "gasync.ready"() : () -> !gasync.fut<none>
  // (the two uses by arith.select give the same diagnostic, reported once)
  // expected-error@+2 {{'arith.select' produces a future ('!gasync.fut<none>'): merging or passing futures through control flow is not supported}}
  // expected-error@+1 {{a future cannot be used by 'arith.select'}}
  %f = arith.select %c, %a, %b : !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @merge_through_block_argument(%c: i1, %x: i32) -> i32 {
  %a = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32>
  // expected-error@+1 {{a future cannot be used by 'cf.br'}}
  cf.br ^join(%a : !gasync.fut<i32>)
// expected-error@+1 {{a block argument of type '!gasync.fut<i32>' would merge futures through control flow: not supported (await the future in each branch instead)}}
^join(%f: !gasync.fut<i32>):
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}

// -----

func.func @future_as_loop_carried_value(%n: index, %x: i32) attributes {gasync.async} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32>
  // expected-error@+2 {{a future cannot be used by 'scf.for'}}
  // expected-error@+1 {{a block argument of type '!gasync.fut<i32>' would merge futures through control flow}}
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%g = %f) -> (!gasync.fut<i32>) {
    scf.yield %g : !gasync.fut<i32>
  }
  // expected-error@-3 {{'scf.for' produces a future}}
  %v = "gasync.await"(%r) : (!gasync.fut<i32>) -> i32
  return
}

// -----

// A gpu.func's parameters are block arguments of its entry block.
gpu.module @kernels {
  // expected-error@+1 {{'gpu.func' '@kernel' takes a '!gasync.fut<none>' argument: passing futures or tasks across functions is not supported}}
  gpu.func @kernel(%f: !gasync.fut<none>) kernel {
    "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
    gpu.return
  }
}

//===----------------------------------------------------------------------===//
// Linearity: a future or task is consumed at most once
//===----------------------------------------------------------------------===//

// -----

func.func @a() -> i32 attributes {gasync.async} {
  %c = arith.constant 1 : i32
  return %c : i32
}

func.func @block_on_twice() -> i32 {
  // expected-note@+1 {{the future was created here}}
  %f = "gasync.future"() {callee = @a} : () -> !gasync.fut<i32>
  // expected-note@+1 {{the future may have been consumed here}}
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  // expected-error@+1 {{use of a moved future}}
  %w = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %w : i32
}

// -----

func.func @await_then_spawn() attributes {gasync.async} {
  // expected-note@+1 {{the future was created here}}
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-note@+1 {{the future may have been consumed here}}
  "gasync.await"(%f) : (!gasync.fut<none>) -> ()
  // expected-error@+1 {{use of a moved future}}
  %t = "gasync.spawn"(%f) : (!gasync.fut<none>) -> !gasync.task<none>
  "gasync.await"(%t) : (!gasync.task<none>) -> ()
  return
}

// -----

func.func @g(%v: i32) -> i32 attributes {gasync.async} {
  return %v : i32
}

func.func @then_twice(%x: i32) -> i32 attributes {gasync.async} {
  // expected-note@+1 {{the future was created here}}
  %f = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32>
  // expected-note@+1 {{the future may have been consumed here}}
  %g1 = "gasync.then"(%f) {callee = @g} : (!gasync.fut<i32>) -> !gasync.fut<i32>
  // expected-error@+1 {{use of a moved future}}
  %g2 = "gasync.then"(%f) {callee = @g} : (!gasync.fut<i32>) -> !gasync.fut<i32>
  %v1 = "gasync.await"(%g1) : (!gasync.fut<i32>) -> i32
  %v2 = "gasync.await"(%g2) : (!gasync.fut<i32>) -> i32
  return %v1 : i32
}

// -----

// Task handles are linear too: joining twice is a second move.
func.func @join_twice() attributes {gasync.async} {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  // expected-note@+1 {{the task was created here}}
  %t = "gasync.spawn"(%f) : (!gasync.fut<none>) -> !gasync.task<none>
  // expected-note@+1 {{the task may have been consumed here}}
  "gasync.await"(%t) : (!gasync.task<none>) -> ()
  // expected-error@+1 {{use of a moved task}}
  "gasync.await"(%t) : (!gasync.task<none>) -> ()
  return
}

// -----

// After an scf.if that may have consumed it, the future is possibly moved.
func.func @moved_in_scf_if(%c: i1) attributes {gasync.async} {
  // expected-note@+1 {{the future was created here}}
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  scf.if %c {
    // expected-note@+1 {{the future may have been consumed here}}
    "gasync.await"(%f) : (!gasync.fut<none>) -> ()
  }
  // expected-error@+1 {{use of a moved future}}
  "gasync.await"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

// The same with the consumer in the else branch, and the later use nested.
func.func @moved_in_scf_if_else(%c: i1, %d: i1) attributes {gasync.async} {
  // expected-note@+1 {{the future was created here}}
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  scf.if %c {
  } else {
    // expected-note@+1 {{the future may have been consumed here}}
    "gasync.await"(%f) : (!gasync.fut<none>) -> ()
  }
  scf.if %d {
    // expected-error@+1 {{use of a moved future}}
    "gasync.await"(%f) : (!gasync.fut<none>) -> ()
  }
  return
}

// -----

// Consumed in a branch of a cf.cond_br, then again where the branches join.
func.func @moved_in_cf_branch(%c: i1) attributes {gasync.async} {
  // expected-note@+1 {{the future was created here}}
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  cf.cond_br %c, ^consume, ^skip
^consume:
  // expected-note@+1 {{the future may have been consumed here}}
  "gasync.await"(%f) : (!gasync.fut<none>) -> ()
  cf.br ^join
^skip:
  cf.br ^join
^join:
  // expected-error@+1 {{use of a moved future}}
  "gasync.await"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

// A later consumer in a block reached from the first one only through
// several branches (cf.switch included).
func.func @moved_in_cf_switch(%i: i32) -> i32 {
  // expected-note@+1 {{the future was created here}}
  %f = "gasync.ready"(%i) : (i32) -> !gasync.fut<i32>
  cf.switch %i : i32, [
    default: ^other,
    0: ^consume
  ]
^consume:
  // expected-note@+1 {{the future may have been consumed here}}
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  cf.br ^middle
^middle:
  cf.br ^other
^other:
  // expected-error@+1 {{use of a moved future}}
  %w = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  return %w : i32
}

// -----

func.func @moved_in_scf_for(%n: index) attributes {gasync.async} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-note@+1 {{the future was created outside the loop here}}
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  scf.for %i = %c0 to %n step %c1 {
    // expected-error@+1 {{use of a moved future: it is consumed inside a loop, so a later iteration would use it again}}
    "gasync.await"(%f) : (!gasync.fut<none>) -> ()
  }
  return
}

// -----

// Nested deeper in the loop body (under an scf.if) it is still repeated.
func.func @moved_in_scf_while(%c: i1) attributes {gasync.async} {
  // expected-note@+1 {{the future was created outside the loop here}}
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  scf.while : () -> () {
    scf.condition(%c)
  } do {
    scf.if %c {
      // expected-error@+1 {{use of a moved future: it is consumed inside a loop}}
      "gasync.await"(%f) : (!gasync.fut<none>) -> ()
    }
    scf.yield
  }
  return
}

// -----

// Consumed in both regions of an scf.while: each region is repeated, and
// the "do" region runs after the condition region (two regions of one op
// that are not exclusive).
func.func @moved_in_both_while_regions(%c: i1) attributes {gasync.async} {
  // expected-note@+3 {{the future was created here}}
  // expected-note@+2 {{the future was created outside the loop here}}
  // expected-note@+1 {{the future was created outside the loop here}}
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  scf.while : () -> () {
    // expected-note@+2 {{the future may have been consumed here}}
    // expected-error@+1 {{use of a moved future: it is consumed inside a loop}}
    "gasync.await"(%f) : (!gasync.fut<none>) -> ()
    scf.condition(%c)
  } do {
    // expected-error@+2 {{use of a moved future: it is consumed inside a loop}}
    // expected-error@+1 {{use of a moved future}}
    "gasync.await"(%f) : (!gasync.fut<none>) -> ()
    scf.yield
  }
  return
}

// -----

func.func @moved_in_cf_cycle(%c: i1) attributes {gasync.async} {
  // expected-note@+1 {{the future was created outside the loop here}}
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  cf.br ^loop
^loop:
  // expected-error@+1 {{use of a moved future: it is consumed inside a loop, so a later iteration would use it again}}
  "gasync.await"(%f) : (!gasync.fut<none>) -> ()
  cf.cond_br %c, ^loop, ^exit
^exit:
  return
}

// -----

// A CFG cycle around the region op that holds the consumer repeats it too.
func.func @moved_in_cf_cycle_nested(%c: i1) attributes {gasync.async} {
  // expected-note@+1 {{the future was created outside the loop here}}
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  cf.br ^loop
^loop:
  scf.if %c {
    // expected-error@+1 {{use of a moved future: it is consumed inside a loop}}
    "gasync.await"(%f) : (!gasync.fut<none>) -> ()
  }
  cf.cond_br %c, ^loop, ^exit
^exit:
  return
}

// -----

// A future cannot be captured by an async block: the block may run after
// another use, or never.
func.func @future_captured_by_async_block() {
  // expected-note@+1 {{the future was created here}}
  %g = "gasync.ready"() : () -> !gasync.fut<none>
  %f = "gasync.future"() ({
    // expected-error@+1 {{a future created outside an async block cannot be used inside it: capturing futures is not supported (create the future inside the block)}}
    "gasync.await"(%g) : (!gasync.fut<none>) -> ()
    "gasync.return"() : () -> ()
  }) : () -> !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @never_consumed() {
  // expected-warning@+1 {{this future is never awaited, spawned or blocked on: it does nothing}}
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  return
}

// -----

// A task that nothing joins may be dropped unfinished: the executor runs until
// the future of its block_on completes.
func.func private @g() attributes {gasync.async} {
  return
}

func.func private @never_joined() attributes {gasync.async} {
  %f = "gasync.future"() {callee = @g} : () -> !gasync.fut<none>
  // expected-warning@+1 {{this task is never awaited: nothing joins it, so it is dropped unfinished if the future of its block_on completes first (await the task to join it)}}
  %t = "gasync.spawn"(%f) : (!gasync.fut<none>) -> !gasync.task<none>
  return
}

//===----------------------------------------------------------------------===//
// No cycle of async functions through futures
//===----------------------------------------------------------------------===//

// -----

func.func @forever() attributes {gasync.async} {
  // expected-error@+1 {{async functions form a cycle through futures: @forever -> @forever (an async function that awaits itself would need an infinitely large frame)}}
  %f = "gasync.future"() {callee = @forever} : () -> !gasync.fut<none>
  "gasync.await"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @ping(%x: i32) -> i32 attributes {gasync.async} {
  %f = "gasync.future"(%x) {callee = @pong} : (i32) -> !gasync.fut<i32>
  %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}

func.func @pong(%x: i32) -> i32 attributes {gasync.async} {
  %r = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32>
  // expected-error@+1 {{async functions form a cycle through futures: @ping -> @pong -> @ping}}
  %f = "gasync.then"(%r) {callee = @ping} : (!gasync.fut<i32>) -> !gasync.fut<i32>
  %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}

// -----

// A cycle through an async block and a spawned task is still a cycle.
func.func @leaf() attributes {gasync.async} {
  return
}

func.func @one() attributes {gasync.async} {
  %b = "gasync.future"() ({
    %f = "gasync.future"() {callee = @two} : () -> !gasync.fut<none>
    %t = "gasync.spawn"(%f) : (!gasync.fut<none>) -> !gasync.task<none>
    "gasync.await"(%t) : (!gasync.task<none>) -> ()
    "gasync.return"() : () -> ()
  }) : () -> !gasync.fut<none>
  "gasync.await"(%b) : (!gasync.fut<none>) -> ()
  return
}

func.func @two() attributes {gasync.async} {
  %l = "gasync.future"() {callee = @leaf} : () -> !gasync.fut<none>
  "gasync.await"(%l) : (!gasync.fut<none>) -> ()
  // expected-error@+1 {{async functions form a cycle through futures: @one -> @two -> @one}}
  %f = "gasync.future"() {callee = @one} : () -> !gasync.fut<none>
  "gasync.await"(%f) : (!gasync.fut<none>) -> ()
  return
}
