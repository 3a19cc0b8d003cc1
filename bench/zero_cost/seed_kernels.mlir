// The zero-cost benchmark (issue 4 item 5): the seed's six cases per thread,
// written with futures (@seed_async: block_on over the async functions of
// examples/seed_demo.mlir, defined at the top level and cloned into the
// gpu.module) and without (@seed_plain: the same arithmetic through plain
// func.call helpers). Both go through the same pipeline (gasync-to-cubin).
// Thread i computes with v = val + i and writes out[i] = the six results.
module attributes {gpu.container_module} {
  func.func @async_double(%x: i32) -> i32 attributes {gasync.async} {
    %c2 = arith.constant 2 : i32
    %r = arith.muli %x, %c2 : i32
    return %r : i32
  }
  func.func @async_add_then_double(%a: i32, %b: i32) -> i32 attributes {gasync.async} {
    %sum = arith.addi %a, %b : i32
    %f = "gasync.future"(%sum) {callee = @async_double} : (i32) -> !gasync.fut<i32>
    %r = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
    return %r : i32
  }
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
  func.func @async_multi_step(%x: i32) -> i32 attributes {gasync.async} {
    %f1 = "gasync.future"(%x) {callee = @async_double} : (i32) -> !gasync.fut<i32>
    %s1 = "gasync.await"(%f1) : (!gasync.fut<i32>) -> i32
    %f2 = "gasync.future"(%s1) {callee = @async_double} : (i32) -> !gasync.fut<i32>
    %s2 = "gasync.await"(%f2) : (!gasync.fut<i32>) -> i32
    return %s2 : i32
  }
  func.func @mul2_add100(%v: i32) -> i32 attributes {gasync.async} {
    %c2 = arith.constant 2 : i32
    %c100 = arith.constant 100 : i32
    %m = arith.muli %v, %c2 : i32
    %r = arith.addi %m, %c100 : i32
    %f = "gasync.ready"(%r) : (i32) -> !gasync.fut<i32>
    %w = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
    return %w : i32
  }

  gpu.module @kernels {
    gpu.func @seed_async(%out: memref<4194304x6xi32>, %val0: i32, %flag: i32) kernel {
      %bid = gpu.block_id x
      %bdim = gpu.block_dim x
      %tid = gpu.thread_id x
      %base = arith.muli %bid, %bdim : index
      %i = arith.addi %base, %tid : index
      %ii = arith.index_cast %i : index to i32
      %val = arith.addi %val0, %ii : i32
      %c0i = arith.constant 0 : i32
      %do_double = arith.cmpi ne, %flag, %c0i : i32
      %f1 = "gasync.future"(%val) {callee = @async_double} : (i32) -> !gasync.fut<i32>
      %doubled = "gasync.block_on"(%f1) : (!gasync.fut<i32>) -> i32
      %f2 = "gasync.future"(%val, %doubled) {callee = @async_add_then_double} : (i32, i32) -> !gasync.fut<i32>
      %chained = "gasync.block_on"(%f2) : (!gasync.fut<i32>) -> i32
      %f3 = "gasync.future"(%val, %do_double) {callee = @async_conditional} : (i32, i1) -> !gasync.fut<i32>
      %conditional = "gasync.block_on"(%f3) : (!gasync.fut<i32>) -> i32
      %f4 = "gasync.future"(%val) {callee = @async_multi_step} : (i32) -> !gasync.fut<i32>
      %multi = "gasync.block_on"(%f4) : (!gasync.fut<i32>) -> i32
      %f5 = "gasync.future"() ({
        %fa = "gasync.future"(%val) {callee = @async_double} : (i32) -> !gasync.fut<i32>
        %a = "gasync.await"(%fa) : (!gasync.fut<i32>) -> i32
        %fb = "gasync.future"(%chained) {callee = @async_double} : (i32) -> !gasync.fut<i32>
        %b = "gasync.await"(%fb) : (!gasync.fut<i32>) -> i32
        %s = arith.addi %a, %b : i32
        "gasync.return"(%s) : (i32) -> ()
      }) : () -> !gasync.fut<i32>
      %from_block = "gasync.block_on"(%f5) : (!gasync.fut<i32>) -> i32
      %f6r = "gasync.ready"(%val) : (i32) -> !gasync.fut<i32>
      %f6 = "gasync.then"(%f6r) {callee = @mul2_add100} : (!gasync.fut<i32>) -> !gasync.fut<i32>
      %comb = "gasync.block_on"(%f6) : (!gasync.fut<i32>) -> i32
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c2 = arith.constant 2 : index
      %c3 = arith.constant 3 : index
      %c4 = arith.constant 4 : index
      %c5 = arith.constant 5 : index
      memref.store %doubled, %out[%i, %c0] : memref<4194304x6xi32>
      memref.store %chained, %out[%i, %c1] : memref<4194304x6xi32>
      memref.store %conditional, %out[%i, %c2] : memref<4194304x6xi32>
      memref.store %multi, %out[%i, %c3] : memref<4194304x6xi32>
      memref.store %from_block, %out[%i, %c4] : memref<4194304x6xi32>
      memref.store %comb, %out[%i, %c5] : memref<4194304x6xi32>
      gpu.return
    }

    func.func private @double(%x: i32) -> i32 {
      %c2 = arith.constant 2 : i32
      %r = arith.muli %x, %c2 : i32
      return %r : i32
    }
    func.func private @add_then_double(%a: i32, %b: i32) -> i32 {
      %sum = arith.addi %a, %b : i32
      %r = func.call @double(%sum) : (i32) -> i32
      return %r : i32
    }
    func.func private @conditional(%x: i32, %do_double: i1) -> i32 {
      %r = scf.if %do_double -> (i32) {
        %d = func.call @double(%x) : (i32) -> i32
        scf.yield %d : i32
      } else {
        scf.yield %x : i32
      }
      return %r : i32
    }
    func.func private @multi_step(%x: i32) -> i32 {
      %s1 = func.call @double(%x) : (i32) -> i32
      %s2 = func.call @double(%s1) : (i32) -> i32
      return %s2 : i32
    }
    func.func private @mul2_add100p(%v: i32) -> i32 {
      %c2 = arith.constant 2 : i32
      %c100 = arith.constant 100 : i32
      %m = arith.muli %v, %c2 : i32
      %r = arith.addi %m, %c100 : i32
      return %r : i32
    }
    gpu.func @seed_plain(%out: memref<4194304x6xi32>, %val0: i32, %flag: i32) kernel {
      %bid = gpu.block_id x
      %bdim = gpu.block_dim x
      %tid = gpu.thread_id x
      %base = arith.muli %bid, %bdim : index
      %i = arith.addi %base, %tid : index
      %ii = arith.index_cast %i : index to i32
      %val = arith.addi %val0, %ii : i32
      %c0i = arith.constant 0 : i32
      %do_double = arith.cmpi ne, %flag, %c0i : i32
      %doubled = func.call @double(%val) : (i32) -> i32
      %chained = func.call @add_then_double(%val, %doubled) : (i32, i32) -> i32
      %conditional = func.call @conditional(%val, %do_double) : (i32, i1) -> i32
      %multi = func.call @multi_step(%val) : (i32) -> i32
      %a = func.call @double(%val) : (i32) -> i32
      %b = func.call @double(%chained) : (i32) -> i32
      %from_block = arith.addi %a, %b : i32
      %comb = func.call @mul2_add100p(%val) : (i32) -> i32
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c2 = arith.constant 2 : index
      %c3 = arith.constant 3 : index
      %c4 = arith.constant 4 : index
      %c5 = arith.constant 5 : index
      memref.store %doubled, %out[%i, %c0] : memref<4194304x6xi32>
      memref.store %chained, %out[%i, %c1] : memref<4194304x6xi32>
      memref.store %conditional, %out[%i, %c2] : memref<4194304x6xi32>
      memref.store %multi, %out[%i, %c3] : memref<4194304x6xi32>
      memref.store %from_block, %out[%i, %c4] : memref<4194304x6xi32>
      memref.store %comb, %out[%i, %c5] : memref<4194304x6xi32>
      gpu.return
    }
  }
}
