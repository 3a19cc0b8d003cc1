// The seed write-up's `demo_async` kernel, in gasync (DESIGN.md section 3).
// Each case of the Rust demo is one block_on in @main:
//   simple, chained, conditional, multi-step, an async block, and the
//   `ready(val).then(|v| ready(v * 2 + 100))` combinator.
// gasync-run examples/seed_demo.mlir --entry main --arg 21 --arg 1
// prints 42, 126, 42, 84, 294, 142.

// async fn async_double(x: i32) -> i32 { x * 2 }
func.func @async_double(%x: i32) -> i32 attributes {gasync.async} {
  %c2 = arith.constant 2 : i32
  %r = arith.muli %x, %c2 : i32
  return %r : i32
}

// async fn async_add_then_double(a, b) { async_double(a + b).await }
func.func @async_add_then_double(%a: i32, %b: i32) -> i32 attributes {gasync.async} {
  %sum = arith.addi %a, %b : i32
  %f = "gasync.future"(%sum) {callee = @async_double} : (i32) -> !gasync.fut<i32>
  %r = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
  return %r : i32
}

// async fn async_conditional(x, do_double) { if do_double { async_double(x).await } else { x } }
func.func @async_conditional(%x: i32, %do_double: i1) -> i32 attributes {gasync.async} {
  %r = scf.if %do_double -> (i32) {
    %f = "gasync.future"(%x) {callee = @async_double} : (i32) -> !gasync.fut<i32>
    %d = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
    scf.yield %d : i32
  } else {
    scf.yield %x : i32
  }
  return %r : i32
}

// async fn async_multi_step(x) { let s1 = async_double(x).await; async_double(s1).await }
func.func @async_multi_step(%x: i32) -> i32 attributes {gasync.async} {
  %f1 = "gasync.future"(%x) {callee = @async_double} : (i32) -> !gasync.fut<i32>
  %step1 = "gasync.await"(%f1) : (!gasync.fut<i32>) -> i32
  %f2 = "gasync.future"(%step1) {callee = @async_double} : (i32) -> !gasync.fut<i32>
  %step2 = "gasync.await"(%f2) : (!gasync.fut<i32>) -> i32
  return %step2 : i32
}

// The closure of the combinator case: |v| ready(v.wrapping_mul(2).wrapping_add(100)).
func.func @mul2_add100(%v: i32) -> i32 attributes {gasync.async} {
  %c2 = arith.constant 2 : i32
  %c100 = arith.constant 100 : i32
  %m = arith.muli %v, %c2 : i32
  %r = arith.addi %m, %c100 : i32
  %f = "gasync.ready"(%r) : (i32) -> !gasync.fut<i32>
  %w = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
  return %w : i32
}

func.func @main(%val: i32, %flag: i32) -> (i32, i32, i32, i32, i32, i32) {
  %c0 = arith.constant 0 : i32
  %do_double = arith.cmpi ne, %flag, %c0 : i32

  // let doubled = block_on(async_double(val));
  %f_doubled = "gasync.future"(%val) {callee = @async_double} : (i32) -> !gasync.fut<i32>
  %doubled = "gasync.block_on"(%f_doubled) : (!gasync.fut<i32>) -> i32

  // let chained = block_on(async_add_then_double(val, doubled));
  %f_chained = "gasync.future"(%val, %doubled) {callee = @async_add_then_double} : (i32, i32) -> !gasync.fut<i32>
  %chained = "gasync.block_on"(%f_chained) : (!gasync.fut<i32>) -> i32

  // let conditional = block_on(async_conditional(val, flag));
  %f_cond = "gasync.future"(%val, %do_double) {callee = @async_conditional} : (i32, i1) -> !gasync.fut<i32>
  %conditional = "gasync.block_on"(%f_cond) : (!gasync.fut<i32>) -> i32

  // let multi_step = block_on(async_multi_step(val));
  %f_multi = "gasync.future"(%val) {callee = @async_multi_step} : (i32) -> !gasync.fut<i32>
  %multi_step = "gasync.block_on"(%f_multi) : (!gasync.fut<i32>) -> i32

  // let from_block = block_on(async {
  //   let doubled_a = async_double(val).await;
  //   let doubled_b = async_double(chained).await;
  //   doubled_a.wrapping_add(doubled_b) });
  %f_block = "gasync.future"() ({
    %fa = "gasync.future"(%val) {callee = @async_double} : (i32) -> !gasync.fut<i32>
    %a = "gasync.await"(%fa) : (!gasync.fut<i32>) -> i32
    %fb = "gasync.future"(%chained) {callee = @async_double} : (i32) -> !gasync.fut<i32>
    %b = "gasync.await"(%fb) : (!gasync.fut<i32>) -> i32
    %sum = arith.addi %a, %b : i32
    "gasync.return"(%sum) : (i32) -> ()
  }) : () -> !gasync.fut<i32>
  %from_block = "gasync.block_on"(%f_block) : (!gasync.fut<i32>) -> i32

  // let from_combinator = block_on(ready(val).then(move |v| ready(v * 2 + 100)));
  %f_ready = "gasync.ready"(%val) : (i32) -> !gasync.fut<i32>
  %f_then = "gasync.then"(%f_ready) {callee = @mul2_add100} : (!gasync.fut<i32>) -> !gasync.fut<i32>
  %from_combinator = "gasync.block_on"(%f_then) : (!gasync.fut<i32>) -> i32

  return %doubled, %chained, %conditional, %multi_step, %from_block, %from_combinator
      : i32, i32, i32, i32, i32, i32
}
