// Programs the verifier must accept without any diagnostic, not even a
// warning: --verify-diagnostics with no expectations fails on any
// diagnostic. Each chunk guards against a false positive of one rule.
// RUN: gasync-opt %s --split-input-file --verify-diagnostics
// RUN: gasync-opt %s --split-input-file 2>&1 | filecheck %s
// CHECK-NOT: error
// CHECK-NOT: warning

// Consumed once in each exclusive branch: scf.if, scf.index_switch,
// affine.if.
func.func @exclusive_regions(%c: i1, %i: index) attributes {gasync.async} {
  %f = "gasync.ready"() : () -> !gasync.fut<none>
  scf.if %c {
    "gasync.await"(%f) : (!gasync.fut<none>) -> ()
  } else {
    %t = "gasync.spawn"(%f) : (!gasync.fut<none>) -> !gasync.task<none>
    "gasync.await"(%t) : (!gasync.task<none>) -> ()
  }
  %g = "gasync.ready"() : () -> !gasync.fut<none>
  scf.index_switch %i
  case 0 {
    "gasync.await"(%g) : (!gasync.fut<none>) -> ()
    scf.yield
  }
  case 1 {
    "gasync.await"(%g) : (!gasync.fut<none>) -> ()
    scf.yield
  }
  default {
    "gasync.await"(%g) : (!gasync.fut<none>) -> ()
    scf.yield
  }
  %h = "gasync.ready"() : () -> !gasync.fut<none>
  affine.if affine_set<(d0) : (d0 - 10 >= 0)>(%i) {
    "gasync.await"(%h) : (!gasync.fut<none>) -> ()
  } else {
    "gasync.await"(%h) : (!gasync.fut<none>) -> ()
  }
  return
}

// -----

// Consumed once on each exclusive path of a cf.cond_br; the paths join
// afterwards without another use.
func.func @exclusive_cf_paths(%c: i1) -> i32 {
  %x = arith.constant 3 : i32
  %f = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32>
  cf.cond_br %c, ^a, ^b
^a:
  %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  cf.br ^exit(%v : i32)
^b:
  %w = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
  cf.br ^exit(%w : i32)
^exit(%r: i32):
  return %r : i32
}

// -----

// A future created inside a loop body and consumed in the same iteration,
// for scf.for, scf.while and a cf loop; an async block created and awaited
// inside a loop.
func.func @step() attributes {gasync.async} {
  return
}

func.func @per_iteration(%n: index, %c: i1) attributes {gasync.async} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %f = "gasync.future"() {callee = @step} : () -> !gasync.fut<none>
    "gasync.await"(%f) : (!gasync.fut<none>) -> ()
    %b = "gasync.future"() ({
      %g = "gasync.future"() {callee = @step} : () -> !gasync.fut<none>
      "gasync.await"(%g) : (!gasync.fut<none>) -> ()
      "gasync.return"() : () -> ()
    }) : () -> !gasync.fut<none>
    %t = "gasync.spawn"(%b) : (!gasync.fut<none>) -> !gasync.task<none>
    "gasync.await"(%t) : (!gasync.task<none>) -> ()
  }
  scf.while : () -> () {
    scf.condition(%c)
  } do {
    %f = "gasync.future"() {callee = @step} : () -> !gasync.fut<none>
    scf.if %c {
      "gasync.await"(%f) : (!gasync.fut<none>) -> ()
    } else {
      "gasync.await"(%f) : (!gasync.fut<none>) -> ()
    }
    scf.yield
  }
  cf.br ^loop
^loop:
  %f = "gasync.future"() {callee = @step} : () -> !gasync.fut<none>
  cf.cond_br %c, ^use, ^exit
^use:
  "gasync.await"(%f) : (!gasync.fut<none>) -> ()
  cf.br ^loop
^exit:
  "gasync.await"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

// Yield and await in nested regions of async code are in async code. (A
// task that is never joined is warned about: test/Dialect/invalid.mlir.)
func.func @bg() attributes {gasync.async} {
  return
}

func.func @spawn_then_join(%c: i1) attributes {gasync.async} {
  %f = "gasync.future"() {callee = @bg} : () -> !gasync.fut<none>
  %t = "gasync.spawn"(%f) : (!gasync.fut<none>) -> !gasync.task<none>
  scf.if %c {
    "gasync.yield"() : () -> ()
  }
  "gasync.await"(%t) : (!gasync.task<none>) -> ()
  return
}

// -----

// block_on in host code nested in regions, and in a kernel naming a
// top-level async function; a future of a function declared after its use.
func.func @host(%c: i1) {
  scf.if %c {
    %f = "gasync.future"() {callee = @later} : () -> !gasync.fut<none>
    "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  }
  return
}

gpu.module @kernels {
  gpu.func @kernel() kernel {
    %f = "gasync.future"() {callee = @later} : () -> !gasync.fut<none>
    "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
    gpu.return
  }
}

func.func @later() attributes {gasync.async} {
  return
}

// -----

// A chain of async functions (no cycle), with then, a shared callee
// reached twice (a diamond, not a cycle), and a private async function.
func.func private @leaf(%x: i32) -> i32 attributes {gasync.async} {
  return %x : i32
}

func.func @left(%x: i32) -> i32 attributes {gasync.async} {
  %f = "gasync.future"(%x) {callee = @leaf} : (i32) -> !gasync.fut<i32>
  %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}

func.func @right(%x: i32) -> i32 attributes {gasync.async} {
  %r = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32>
  %f = "gasync.then"(%r) {callee = @leaf} : (!gasync.fut<i32>) -> !gasync.fut<i32>
  %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
  return %v : i32
}

func.func @top(%x: i32) -> i32 attributes {gasync.async} {
  %a = "gasync.future"(%x) {callee = @left} : (i32) -> !gasync.fut<i32>
  %b = "gasync.future"(%x) {callee = @right} : (i32) -> !gasync.fut<i32>
  %ta = "gasync.spawn"(%a) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %vb = "gasync.await"(%b) : (!gasync.fut<i32>) -> i32
  %va = "gasync.await"(%ta) : (!gasync.task<i32>) -> i32
  %s = arith.addi %va, %vb : i32
  return %s : i32
}

// -----

// A sync func.func may be called from async code.
func.func @helper(%x: i32) -> i32 {
  return %x : i32
}

func.func @caller(%x: i32) -> i32 attributes {gasync.async} {
  %v = func.call @helper(%x) : (i32) -> i32
  return %v : i32
}
