// A future consumed in each of two exclusive branches (await in async code,
// block_on in host code) has one frame, initialised where it is created;
// futures never consumed run nothing (a warning).
// RUN: gasync-run %s --entry main --arg 5 --arg 1 2>&1 | filecheck %s --check-prefix=THEN
// RUN: gasync-run %s --entry main --arg 5 --arg 0 2>&1 | filecheck %s --check-prefix=ELSE
// THEN: warning: this future is never awaited
// THEN: result 0: 5
// ELSE: result 0: 20
func.func private @leaf(%x: i32) -> i32 attributes {gasync.async} {
  "gasync.yield"() : () -> ()
  return %x : i32
}
func.func private @branchy(%x: i32, %c: i1) -> i32 attributes {gasync.async} {
  %f = "gasync.future"(%x) {callee = @leaf} : (i32) -> !gasync.fut<i32>
  %unused = "gasync.future"(%x) {callee = @leaf} : (i32) -> !gasync.fut<i32>
  %r = scf.if %c -> i32 {
    %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
    scf.yield %v : i32
  } else {
    %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
    %w = arith.addi %v, %v : i32
    scf.yield %w : i32
  }
  return %r : i32
}
func.func @main(%x: i32, %c: i1) -> (i32, i32) {
  %f = "gasync.future"(%x, %c) {callee = @branchy} : (i32, i1) -> !gasync.fut<i32>
  %u = "gasync.future"(%x) {callee = @leaf} : (i32) -> !gasync.fut<i32>
  %r = scf.if %c -> i32 {
    %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
    scf.yield %v : i32
  } else {
    %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
    %w = arith.addi %v, %v : i32
    scf.yield %w : i32
  }
  return %r, %r : i32, i32
}
