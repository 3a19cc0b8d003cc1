// Wide vectors live across a yield inside spawned tasks: slots at the
// vectors' ABI alignment (vector<16xf64>: 128 bytes, vector<8xi64>: 64), and
// every frame load and store says which alignment it relies on (at most 16:
// the executor places task frames 16-byte aligned). Before, slots were at most
// 16-byte aligned and the accesses claimed the full ABI alignment: the tasks
// crashed.
// RUN: gasync-run %s --entry main --arg 3 | filecheck %s
// RUN: gasync-opt %s --gasync-coro | filecheck %s --check-prefix=IR
// 16 * (2 * 3.0) + 16 * (2 * 4.0) = 224; 8 * 3 * 5 + 8 * 4 * 5 = 280
// CHECK: result 0: 2.240000e+02
// CHECK-NEXT: result 1: 280

// state, result (8 at 8), argument (8 at 16), then the vector slot at 128.
// IR-LABEL: func.func private @wide_f64$init(
// IR-SAME: gasync.frame = {align = 128 : i64, result_offset = 8 : i64, size = 256 : i64, states = 2 : i64}
// IR-LABEL: func.func private @wide_f64$poll(
// IR: %[[SLOT:.*]] = llvm.getelementptr %{{.*}}[128]
// IR-NEXT: llvm.store %{{.*}}, %[[SLOT]] {alignment = 16 : i64} : vector<16xf64>, !llvm.ptr
// IR: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr -> vector<16xf64>
func.func private @wide_f64(%x: f64) -> f64 attributes {gasync.async} {
  %v = vector.broadcast %x : f64 to vector<16xf64>
  %w = arith.addf %v, %v : vector<16xf64>
  "gasync.yield"() : () -> ()
  %r = vector.reduction <add>, %w : vector<16xf64> into f64
  return %r : f64
}

// IR-LABEL: func.func private @wide_i64$init(
// IR-SAME: gasync.frame = {align = 64 : i64, result_offset = 8 : i64, size = 128 : i64, states = 2 : i64}
func.func private @wide_i64(%x: i64) -> i64 attributes {gasync.async} {
  %five = arith.constant 5 : i64
  %v = vector.broadcast %x : i64 to vector<8xi64>
  %f = vector.broadcast %five : i64 to vector<8xi64>
  %w = arith.muli %v, %f : vector<8xi64>
  "gasync.yield"() : () -> ()
  %r = vector.reduction <add>, %w : vector<8xi64> into i64
  return %r : i64
}

// Two tasks of each kind, interleaved on one executor.
func.func private @parent(%x: i32) -> (f64) attributes {gasync.async} {
  %xf = arith.sitofp %x : i32 to f64
  %one = arith.constant 1.0 : f64
  %yf = arith.addf %xf, %one : f64
  %f = "gasync.future"(%xf) {callee = @wide_f64} : (f64) -> !gasync.fut<f64>
  %t = "gasync.spawn"(%f) : (!gasync.fut<f64>) -> !gasync.task<f64>
  %g = "gasync.future"(%yf) {callee = @wide_f64} : (f64) -> !gasync.fut<f64>
  %u = "gasync.spawn"(%g) : (!gasync.fut<f64>) -> !gasync.task<f64>
  %a = "gasync.await"(%t) : (!gasync.task<f64>) -> f64
  %b = "gasync.await"(%u) : (!gasync.task<f64>) -> f64
  %s = arith.addf %a, %b : f64
  return %s : f64
}

func.func private @parent_i64(%x: i32) -> i64 attributes {gasync.async} {
  %xi = arith.extsi %x : i32 to i64
  %one = arith.constant 1 : i64
  %yi = arith.addi %xi, %one : i64
  %f = "gasync.future"(%xi) {callee = @wide_i64} : (i64) -> !gasync.fut<i64>
  %t = "gasync.spawn"(%f) : (!gasync.fut<i64>) -> !gasync.task<i64>
  %g = "gasync.future"(%yi) {callee = @wide_i64} : (i64) -> !gasync.fut<i64>
  %u = "gasync.spawn"(%g) : (!gasync.fut<i64>) -> !gasync.task<i64>
  %a = "gasync.await"(%t) : (!gasync.task<i64>) -> i64
  %b = "gasync.await"(%u) : (!gasync.task<i64>) -> i64
  %s = arith.addi %a, %b : i64
  return %s : i64
}

func.func @main(%x: i32) -> (f64, i64) {
  %f = "gasync.future"(%x) {callee = @parent} : (i32) -> !gasync.fut<f64>
  %a = "gasync.block_on"(%f) : (!gasync.fut<f64>) -> f64
  %g = "gasync.future"(%x) {callee = @parent_i64} : (i32) -> !gasync.fut<i64>
  %b = "gasync.block_on"(%g) : (!gasync.fut<i64>) -> i64
  return %a, %b : f64, i64
}
