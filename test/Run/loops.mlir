// Awaits inside scf.for, scf.while and cf branches, with loop-carried values.
// RUN: gasync-run %s --entry main --arg 10 | filecheck %s
// CHECK: result 0: 145
// CHECK-NEXT: result 1: 1023
// CHECK-NEXT: result 2: 45

func.func private @inc(%x: i32) -> i32 attributes {gasync.async} {
  "gasync.yield"() : () -> ()
  %c1 = arith.constant 1 : i32
  %r = arith.addi %x, %c1 : i32
  return %r : i32
}

// sum over i in [0, n) of (i + 1) + i * 2: each step awaits @inc.
func.func private @for_loop(%n: i32) -> i32 attributes {gasync.async} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %nn = arith.index_cast %n : i32 to index
  %z = arith.constant 0 : i32
  %sum = scf.for %i = %c0 to %nn step %c1 iter_args(%acc = %z) -> (i32) {
    %ii = arith.index_cast %i : index to i32
    %f = "gasync.future"(%ii) {callee = @inc} : (i32) -> !gasync.fut<i32>
    %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
    %two = arith.constant 2 : i32
    %d = arith.muli %ii, %two : i32
    %t = arith.addi %v, %d : i32
    %a = arith.addi %acc, %t : i32
    scf.yield %a : i32
  }
  return %sum : i32
}

// x := 0; while x < 1000: x := 2 * inc(x) - 1 ... computes 2^k - 1 > 1000.
func.func private @while_loop() -> i32 attributes {gasync.async} {
  %z = arith.constant 0 : i32
  %r = scf.while (%x = %z) : (i32) -> i32 {
    %lim = arith.constant 1000 : i32
    %c = arith.cmpi slt, %x, %lim : i32
    scf.condition(%c) %x : i32
  } do {
  ^bb0(%x: i32):
    %f = "gasync.future"(%x) {callee = @inc} : (i32) -> !gasync.fut<i32>
    %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
    %y = arith.addi %v, %x : i32
    scf.yield %y : i32
  }
  return %r : i32
}

// A cf loop with an await in its body: sum of inc(i) - 1 for i < n = n(n-1)/2.
func.func private @cf_loop(%n: i32) -> i32 attributes {gasync.async} {
  %z = arith.constant 0 : i32
  cf.br ^head(%z, %z : i32, i32)
^head(%i: i32, %acc: i32):
  %c = arith.cmpi slt, %i, %n : i32
  cf.cond_br %c, ^body, ^exit
^body:
  %f = "gasync.future"(%i) {callee = @inc} : (i32) -> !gasync.fut<i32>
  %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
  %one = arith.constant 1 : i32
  %w = arith.subi %v, %one : i32
  %a = arith.addi %acc, %w : i32
  cf.br ^head(%v, %a : i32, i32)
^exit:
  return %acc : i32
}

func.func @main(%n: i32) -> (i32, i32, i32) {
  %f1 = "gasync.future"(%n) {callee = @for_loop} : (i32) -> !gasync.fut<i32>
  %r1 = "gasync.block_on"(%f1) : (!gasync.fut<i32>) -> i32
  %f2 = "gasync.future"() {callee = @while_loop} : () -> !gasync.fut<i32>
  %r2 = "gasync.block_on"(%f2) : (!gasync.fut<i32>) -> i32
  %f3 = "gasync.future"(%n) {callee = @cf_loop} : (i32) -> !gasync.fut<i32>
  %r3 = "gasync.block_on"(%f3) : (!gasync.fut<i32>) -> i32
  return %r1, %r2, %r3 : i32, i32, i32
}
