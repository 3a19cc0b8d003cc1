// The `demo_async` kernel of the Rust-on-GPU write-up that started gasync,
// in gasync's dialect (docs/design.md, "The dialect").
// Each case of the Rust demo is one block_on in @main:
//   simple, chained, conditional, multi-step, an async block, and the
//   `ready(val).then(|v| ready(v * 2 + 100))` combinator.
//
// CPU:  gasync-run examples/seed_demo.mlir --entry main --arg 21 --arg 1
//       prints 42, 126, 42, 84, 294, 142 (--arg 0 for the flag: 21 third).
// GPU:  gasync-run examples/seed_demo.mlir --target cuda --entry seed_kernel \
//         --grid 2 --block 128 --arg 'memref<256x6xi32>' --arg 21 --arg 1
//       thread i runs the six cases with val + i; row i equals the CPU run
//       of @main(val + i), as `--entry seed_table` (that loop on the CPU)
//       prints.

module attributes {gpu.container_module} {
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

  // The CPU's table of what each GPU thread computes: row i = @main(val + i).
  func.func @seed_table(%out: memref<256x6xi32>, %val: i32, %flag: i32) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 256 : index
    scf.for %i = %c0 to %n step %c1 {
      %ii = arith.index_cast %i : index to i32
      %v = arith.addi %val, %ii : i32
      %r:6 = func.call @main(%v, %flag) : (i32, i32) -> (i32, i32, i32, i32, i32, i32)
      func.call @store_row(%out, %i, %r#0, %r#1, %r#2, %r#3, %r#4, %r#5)
          : (memref<256x6xi32>, index, i32, i32, i32, i32, i32, i32) -> ()
    }
    return
  }

  func.func @store_row(%out: memref<256x6xi32>, %i: index, %a: i32, %b: i32, %c: i32, %d: i32,
                       %e: i32, %f: i32) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c3 = arith.constant 3 : index
    %c4 = arith.constant 4 : index
    %c5 = arith.constant 5 : index
    memref.store %a, %out[%i, %c0] : memref<256x6xi32>
    memref.store %b, %out[%i, %c1] : memref<256x6xi32>
    memref.store %c, %out[%i, %c2] : memref<256x6xi32>
    memref.store %d, %out[%i, %c3] : memref<256x6xi32>
    memref.store %e, %out[%i, %c4] : memref<256x6xi32>
    memref.store %f, %out[%i, %c5] : memref<256x6xi32>
    return
  }

  gpu.module @kernels {
    // Thread i (of the whole grid) runs the seed's six cases with val + i,
    // each by a block_on of the top-level async functions (the GPU pipeline
    // clones them into this gpu.module), as the seed's Rust kernel did.
    gpu.func @seed_kernel(%out: memref<256x6xi32>, %val: i32, %flag: i32) kernel {
      %bid = gpu.block_id x
      %bdim = gpu.block_dim x
      %tid = gpu.thread_id x
      %base = arith.muli %bid, %bdim : index
      %i = arith.addi %base, %tid : index
      %ii = arith.index_cast %i : index to i32
      %v = arith.addi %val, %ii : i32
      %c0 = arith.constant 0 : i32
      %do_double = arith.cmpi ne, %flag, %c0 : i32
      %f_doubled = "gasync.future"(%v) {callee = @async_double} : (i32) -> !gasync.fut<i32>
      %doubled = "gasync.block_on"(%f_doubled) : (!gasync.fut<i32>) -> i32
      %f_chained = "gasync.future"(%v, %doubled) {callee = @async_add_then_double} : (i32, i32) -> !gasync.fut<i32>
      %chained = "gasync.block_on"(%f_chained) : (!gasync.fut<i32>) -> i32
      %f_cond = "gasync.future"(%v, %do_double) {callee = @async_conditional} : (i32, i1) -> !gasync.fut<i32>
      %conditional = "gasync.block_on"(%f_cond) : (!gasync.fut<i32>) -> i32
      %f_multi = "gasync.future"(%v) {callee = @async_multi_step} : (i32) -> !gasync.fut<i32>
      %multi_step = "gasync.block_on"(%f_multi) : (!gasync.fut<i32>) -> i32
      %f_block = "gasync.future"() ({
        %fa = "gasync.future"(%v) {callee = @async_double} : (i32) -> !gasync.fut<i32>
        %a = "gasync.await"(%fa) : (!gasync.fut<i32>) -> i32
        %fb = "gasync.future"(%chained) {callee = @async_double} : (i32) -> !gasync.fut<i32>
        %b = "gasync.await"(%fb) : (!gasync.fut<i32>) -> i32
        %sum = arith.addi %a, %b : i32
        "gasync.return"(%sum) : (i32) -> ()
      }) : () -> !gasync.fut<i32>
      %from_block = "gasync.block_on"(%f_block) : (!gasync.fut<i32>) -> i32
      %f_ready = "gasync.ready"(%v) : (i32) -> !gasync.fut<i32>
      %f_then = "gasync.then"(%f_ready) {callee = @mul2_add100} : (!gasync.fut<i32>) -> !gasync.fut<i32>
      %from_combinator = "gasync.block_on"(%f_then) : (!gasync.fut<i32>) -> i32
      %k0 = arith.constant 0 : index
      %k1 = arith.constant 1 : index
      %k2 = arith.constant 2 : index
      %k3 = arith.constant 3 : index
      %k4 = arith.constant 4 : index
      %k5 = arith.constant 5 : index
      memref.store %doubled, %out[%i, %k0] : memref<256x6xi32>
      memref.store %chained, %out[%i, %k1] : memref<256x6xi32>
      memref.store %conditional, %out[%i, %k2] : memref<256x6xi32>
      memref.store %multi_step, %out[%i, %k3] : memref<256x6xi32>
      memref.store %from_block, %out[%i, %k4] : memref<256x6xi32>
      memref.store %from_combinator, %out[%i, %k5] : memref<256x6xi32>
      gpu.return
    }
  }
}
