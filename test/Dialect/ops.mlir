// Round trip of every gasync op and type: parse, verify, print, parse again.
// RUN: gasync-opt %s | gasync-opt | filecheck %s
// The generic form round-trips too, and prints the same gasync ops.
// RUN: gasync-opt %s --mlir-print-op-generic | gasync-opt --mlir-print-op-generic | filecheck %s --check-prefix=GENERIC

// CHECK-LABEL: func.func @nothing()
// CHECK-SAME: attributes {gasync.async}
// CHECK-NEXT: return
func.func @nothing() attributes {gasync.async} {
  return
}

// CHECK-LABEL: func.func @add(
// CHECK-SAME: %[[A:.*]]: i32, %[[B:.*]]: i32) -> i32 attributes {gasync.async}
// CHECK-NEXT: %[[S:.*]] = arith.addi %[[A]], %[[B]] : i32
// CHECK-NEXT: return %[[S]] : i32
func.func @add(%a: i32, %b: i32) -> i32 attributes {gasync.async} {
  %s = arith.addi %a, %b : i32
  return %s : i32
}

// The call form of gasync.future, with and without arguments and values.
// CHECK-LABEL: func.func @call_forms(
// CHECK-SAME: %[[X:.*]]: i32) -> i32 attributes {gasync.async}
// CHECK-NEXT: %[[F:.*]] = "gasync.future"(%[[X]], %[[X]]) {callee = @add} : (i32, i32) -> !gasync.fut<i32>
// CHECK-NEXT: %[[V:.*]] = "gasync.await"(%[[F]]) : (!gasync.fut<i32>) -> i32
// CHECK-NEXT: %[[N:.*]] = "gasync.future"() {callee = @nothing} : () -> !gasync.fut<none>
// CHECK-NEXT: "gasync.await"(%[[N]]) : (!gasync.fut<none>) -> ()
// CHECK-NEXT: return %[[V]] : i32
func.func @call_forms(%x: i32) -> i32 attributes {gasync.async} {
  %f = "gasync.future"(%x, %x) {callee = @add} : (i32, i32) -> !gasync.fut<i32>
  %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
  %n = "gasync.future"() {callee = @nothing} : () -> !gasync.fut<none>
  "gasync.await"(%n) : (!gasync.fut<none>) -> ()
  return %v : i32
}

// spawn gives a task handle; awaiting it joins; yield suspends once.
// CHECK-LABEL: func.func @tasks(
// CHECK-SAME: %[[X:.*]]: i32) -> i32 attributes {gasync.async}
// CHECK-NEXT: %[[F:.*]] = "gasync.future"(%[[X]]) {callee = @call_forms} : (i32) -> !gasync.fut<i32>
// CHECK-NEXT: %[[T:.*]] = "gasync.spawn"(%[[F]]) : (!gasync.fut<i32>) -> !gasync.task<i32>
// CHECK-NEXT: %[[N:.*]] = "gasync.future"() {callee = @nothing} : () -> !gasync.fut<none>
// CHECK-NEXT: %[[TN:.*]] = "gasync.spawn"(%[[N]]) : (!gasync.fut<none>) -> !gasync.task<none>
// CHECK-NEXT: "gasync.yield"() : () -> ()
// CHECK-NEXT: "gasync.await"(%[[TN]]) : (!gasync.task<none>) -> ()
// CHECK-NEXT: %[[R:.*]] = "gasync.await"(%[[T]]) : (!gasync.task<i32>) -> i32
// CHECK-NEXT: return %[[R]] : i32
func.func @tasks(%x: i32) -> i32 attributes {gasync.async} {
  %f = "gasync.future"(%x) {callee = @call_forms} : (i32) -> !gasync.fut<i32>
  %t = "gasync.spawn"(%f) : (!gasync.fut<i32>) -> !gasync.task<i32>
  %n = "gasync.future"() {callee = @nothing} : () -> !gasync.fut<none>
  %tn = "gasync.spawn"(%n) : (!gasync.fut<none>) -> !gasync.task<none>
  "gasync.yield"() : () -> ()
  "gasync.await"(%tn) : (!gasync.task<none>) -> ()
  %r = "gasync.await"(%t) : (!gasync.task<i32>) -> i32
  return %r : i32
}

// ready with and without a value; then with the awaited value and an extra
// argument; block_on with and without a value.
// CHECK-LABEL: func.func @combinators(
// CHECK-SAME: %[[X:.*]]: i32) -> i32 {
// CHECK-NEXT: %[[E:.*]] = "gasync.ready"() : () -> !gasync.fut<none>
// CHECK-NEXT: "gasync.block_on"(%[[E]]) : (!gasync.fut<none>) -> ()
// CHECK-NEXT: %[[RD:.*]] = "gasync.ready"(%[[X]]) : (i32) -> !gasync.fut<i32>
// CHECK-NEXT: %[[TH:.*]] = "gasync.then"(%[[RD]], %[[X]]) {callee = @add} : (!gasync.fut<i32>, i32) -> !gasync.fut<i32>
// CHECK-NEXT: %[[V:.*]] = "gasync.block_on"(%[[TH]]) : (!gasync.fut<i32>) -> i32
// CHECK-NEXT: return %[[V]] : i32
func.func @combinators(%x: i32) -> i32 {
  %e = "gasync.ready"() : () -> !gasync.fut<none>
  "gasync.block_on"(%e) : (!gasync.fut<none>) -> ()
  %rd = "gasync.ready"(%x) : (i32) -> !gasync.fut<i32>
  %th = "gasync.then"(%rd, %x) {callee = @add} : (!gasync.fut<i32>, i32) -> !gasync.fut<i32>
  %v = "gasync.block_on"(%th) : (!gasync.fut<i32>) -> i32
  return %v : i32
}

// An async block capturing %x and %one from above, awaiting inside; and an
// async block of no value.
// CHECK-LABEL: func.func @async_blocks(
// CHECK-SAME: %[[X:.*]]: i32) -> i32 {
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK-NEXT: %[[B:.*]] = "gasync.future"() ({
// CHECK-NEXT: %[[G:.*]] = "gasync.future"(%[[X]]) {callee = @tasks} : (i32) -> !gasync.fut<i32>
// CHECK-NEXT: %[[V:.*]] = "gasync.await"(%[[G]]) : (!gasync.fut<i32>) -> i32
// CHECK-NEXT: %[[W:.*]] = arith.addi %[[V]], %[[ONE]] : i32
// CHECK-NEXT: "gasync.return"(%[[W]]) : (i32) -> ()
// CHECK-NEXT: }) : () -> !gasync.fut<i32>
// CHECK-NEXT: %[[R:.*]] = "gasync.block_on"(%[[B]]) : (!gasync.fut<i32>) -> i32
// CHECK-NEXT: %[[U:.*]] = "gasync.future"() ({
// CHECK-NEXT: "gasync.yield"() : () -> ()
// CHECK-NEXT: "gasync.return"() : () -> ()
// CHECK-NEXT: }) : () -> !gasync.fut<none>
// CHECK-NEXT: "gasync.block_on"(%[[U]]) : (!gasync.fut<none>) -> ()
// CHECK-NEXT: return %[[R]] : i32
func.func @async_blocks(%x: i32) -> i32 {
  %one = arith.constant 1 : i32
  %b = "gasync.future"() ({
    %g = "gasync.future"(%x) {callee = @tasks} : (i32) -> !gasync.fut<i32>
    %v = "gasync.await"(%g) : (!gasync.fut<i32>) -> i32
    %w = arith.addi %v, %one : i32
    "gasync.return"(%w) : (i32) -> ()
  }) : () -> !gasync.fut<i32>
  %r = "gasync.block_on"(%b) : (!gasync.fut<i32>) -> i32
  %u = "gasync.future"() ({
    "gasync.yield"() : () -> ()
    "gasync.return"() : () -> ()
  }) : () -> !gasync.fut<none>
  "gasync.block_on"(%u) : (!gasync.fut<none>) -> ()
  return %r : i32
}

// A future consumed once in each of the two exclusive branches of an scf.if.
// CHECK-LABEL: func.func @branches(
// CHECK-SAME: %[[X:.*]]: i32, %[[C:.*]]: i1) -> i32 attributes {gasync.async}
// CHECK-NEXT: %[[F:.*]] = "gasync.future"(%[[X]], %[[X]]) {callee = @add} : (i32, i32) -> !gasync.fut<i32>
// CHECK-NEXT: %[[R:.*]] = scf.if %[[C]] -> (i32) {
// CHECK-NEXT: %[[V:.*]] = "gasync.await"(%[[F]]) : (!gasync.fut<i32>) -> i32
// CHECK-NEXT: scf.yield %[[V]] : i32
// CHECK-NEXT: } else {
// CHECK-NEXT: %[[T:.*]] = "gasync.spawn"(%[[F]]) : (!gasync.fut<i32>) -> !gasync.task<i32>
// CHECK-NEXT: %[[W:.*]] = "gasync.await"(%[[T]]) : (!gasync.task<i32>) -> i32
// CHECK-NEXT: scf.yield %[[W]] : i32
// CHECK-NEXT: }
// CHECK-NEXT: return %[[R]] : i32
func.func @branches(%x: i32, %c: i1) -> i32 attributes {gasync.async} {
  %f = "gasync.future"(%x, %x) {callee = @add} : (i32, i32) -> !gasync.fut<i32>
  %r = scf.if %c -> (i32) {
    %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
    scf.yield %v : i32
  } else {
    %t = "gasync.spawn"(%f) : (!gasync.fut<i32>) -> !gasync.task<i32>
    %w = "gasync.await"(%t) : (!gasync.task<i32>) -> i32
    scf.yield %w : i32
  }
  return %r : i32
}

// GENERIC-LABEL: sym_name = "call_forms"
// GENERIC: "gasync.future"(%{{.*}}, %{{.*}}) {callee = @add} : (i32, i32) -> !gasync.fut<i32>
// GENERIC: "gasync.await"(%{{.*}}) : (!gasync.fut<i32>) -> i32
// GENERIC: "gasync.future"() {callee = @nothing} : () -> !gasync.fut<none>
// GENERIC: "gasync.await"(%{{.*}}) : (!gasync.fut<none>) -> ()
// GENERIC: "func.return"
// GENERIC-LABEL: sym_name = "tasks"
// GENERIC: "gasync.spawn"(%{{.*}}) : (!gasync.fut<i32>) -> !gasync.task<i32>
// GENERIC: "gasync.yield"() : () -> ()
// GENERIC: "gasync.await"(%{{.*}}) : (!gasync.task<i32>) -> i32
// GENERIC-LABEL: sym_name = "combinators"
// GENERIC: "gasync.ready"() : () -> !gasync.fut<none>
// GENERIC: "gasync.block_on"(%{{.*}}) : (!gasync.fut<none>) -> ()
// GENERIC: "gasync.then"(%{{.*}}, %{{.*}}) {callee = @add} : (!gasync.fut<i32>, i32) -> !gasync.fut<i32>
// GENERIC-LABEL: sym_name = "async_blocks"
// GENERIC: "gasync.future"() ({
// GENERIC-NEXT: "gasync.future"(%{{.*}}) {callee = @tasks} : (i32) -> !gasync.fut<i32>
// GENERIC-NEXT: "gasync.await"
// GENERIC-NEXT: "arith.addi"
// GENERIC-NEXT: "gasync.return"(%{{.*}}) : (i32) -> ()
// GENERIC-NEXT: }) : () -> !gasync.fut<i32>
// GENERIC-LABEL: sym_name = "branches"
// GENERIC: "scf.if"
// GENERIC-NEXT: "gasync.await"(%{{.*}}) : (!gasync.fut<i32>) -> i32
// GENERIC: "gasync.spawn"(%{{.*}}) : (!gasync.fut<i32>) -> !gasync.task<i32>

// Value types beyond i32: memrefs (with nested angle brackets in the
// layout), index, vectors, floats; a task of each; then on a future of none
// passes only the extra operand.
// CHECK-LABEL: func.func @value_types(
// CHECK-SAME: %[[M:[^:]*]]: memref<4xf32>, %[[S:[^:]*]]: f32, %[[I:[^:]*]]: index, %[[V:[^:]*]]: vector<4xi32>, %[[D:[^:]*]]: memref<2x?xf32, strided<[?, 1], offset: ?>>, %[[X:[^:]*]]: i32) -> f64 attributes {gasync.async}
// CHECK-NEXT: %[[F:.*]] = "gasync.future"(%[[M]], %[[S]]) {callee = @scale} : (memref<4xf32>, f32) -> !gasync.fut<memref<4xf32>>
// CHECK-NEXT: "gasync.await"(%[[F]]) : (!gasync.fut<memref<4xf32>>) -> memref<4xf32>
// CHECK-NEXT: %[[G:.*]] = "gasync.future"(%[[I]]) {callee = @idx} : (index) -> !gasync.fut<index>
// CHECK-NEXT: %[[T:.*]] = "gasync.spawn"(%[[G]]) : (!gasync.fut<index>) -> !gasync.task<index>
// CHECK-NEXT: %[[H:.*]] = "gasync.future"(%[[V]]) {callee = @wide} : (vector<4xi32>) -> !gasync.fut<f64>
// CHECK-NEXT: %[[TH:.*]] = "gasync.spawn"(%[[H]]) : (!gasync.fut<f64>) -> !gasync.task<f64>
// CHECK-NEXT: %[[K:.*]] = "gasync.future"(%[[D]]) {callee = @strided} : (memref<2x?xf32, strided<[?, 1], offset: ?>>) -> !gasync.fut<memref<2x?xf32, strided<[?, 1], offset: ?>>>
// CHECK-NEXT: "gasync.await"(%[[K]]) : (!gasync.fut<memref<2x?xf32, strided<[?, 1], offset: ?>>>) -> memref<2x?xf32, strided<[?, 1], offset: ?>>
// CHECK-NEXT: "gasync.await"(%[[T]]) : (!gasync.task<index>) -> index
// CHECK-NEXT: %[[N:.*]] = "gasync.ready"() : () -> !gasync.fut<none>
// CHECK-NEXT: %[[A:.*]] = "gasync.then"(%[[N]], %[[X]]) {callee = @after_none} : (!gasync.fut<none>, i32) -> !gasync.fut<i32>
// CHECK-NEXT: "gasync.await"(%[[A]]) : (!gasync.fut<i32>) -> i32
// CHECK-NEXT: %[[W:.*]] = "gasync.await"(%[[TH]]) : (!gasync.task<f64>) -> f64
// CHECK-NEXT: return %[[W]] : f64
func.func @scale(%m: memref<4xf32>, %s: f32) -> memref<4xf32> attributes {gasync.async} {
  return %m : memref<4xf32>
}

func.func @idx(%i: index) -> index attributes {gasync.async} {
  return %i : index
}

func.func @wide(%v: vector<4xi32>) -> f64 attributes {gasync.async} {
  %c = arith.constant 1.5 : f64
  return %c : f64
}

func.func @strided(%m: memref<2x?xf32, strided<[?, 1], offset: ?>>) -> memref<2x?xf32, strided<[?, 1], offset: ?>> attributes {gasync.async} {
  return %m : memref<2x?xf32, strided<[?, 1], offset: ?>>
}

func.func @after_none(%x: i32) -> i32 attributes {gasync.async} {
  return %x : i32
}

func.func @value_types(%m: memref<4xf32>, %s: f32, %i: index, %v: vector<4xi32>, %d: memref<2x?xf32, strided<[?, 1], offset: ?>>, %x: i32) -> f64 attributes {gasync.async} {
  %f = "gasync.future"(%m, %s) {callee = @scale} : (memref<4xf32>, f32) -> !gasync.fut<memref<4xf32>>
  %r = "gasync.await"(%f) : (!gasync.fut<memref<4xf32>>) -> memref<4xf32>
  %g = "gasync.future"(%i) {callee = @idx} : (index) -> !gasync.fut<index>
  %t = "gasync.spawn"(%g) : (!gasync.fut<index>) -> !gasync.task<index>
  %h = "gasync.future"(%v) {callee = @wide} : (vector<4xi32>) -> !gasync.fut<f64>
  %th = "gasync.spawn"(%h) : (!gasync.fut<f64>) -> !gasync.task<f64>
  %k = "gasync.future"(%d) {callee = @strided} : (memref<2x?xf32, strided<[?, 1], offset: ?>>) -> !gasync.fut<memref<2x?xf32, strided<[?, 1], offset: ?>>>
  %kv = "gasync.await"(%k) : (!gasync.fut<memref<2x?xf32, strided<[?, 1], offset: ?>>>) -> memref<2x?xf32, strided<[?, 1], offset: ?>>
  %ti = "gasync.await"(%t) : (!gasync.task<index>) -> index
  %n = "gasync.ready"() : () -> !gasync.fut<none>
  %a = "gasync.then"(%n, %x) {callee = @after_none} : (!gasync.fut<none>, i32) -> !gasync.fut<i32>
  %av = "gasync.await"(%a) : (!gasync.fut<i32>) -> i32
  %w = "gasync.await"(%th) : (!gasync.task<f64>) -> f64
  return %w : f64
}

// An async block inside an async function, nesting another async block;
// the inner one captures %x and %one from two levels up; the outer body
// branches with cf and ends every block with gasync.return.
// CHECK-LABEL: func.func @nested_blocks(
// CHECK-SAME: %[[X:.*]]: i32, %[[C:.*]]: i1) -> i32 attributes {gasync.async}
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK-NEXT: %[[OUTER:.*]] = "gasync.future"() ({
// CHECK-NEXT: %[[INNER:.*]] = "gasync.future"() ({
// CHECK-NEXT: %[[S:.*]] = arith.addi %[[X]], %[[ONE]] : i32
// CHECK-NEXT: "gasync.return"(%[[S]]) : (i32) -> ()
// CHECK-NEXT: }) : () -> !gasync.fut<i32>
// CHECK-NEXT: %[[V:.*]] = "gasync.await"(%[[INNER]]) : (!gasync.fut<i32>) -> i32
// CHECK-NEXT: cf.cond_br %[[C]], ^[[DOUBLE:.*]], ^[[KEEP:[^ ]*]]
// CHECK-NEXT: ^[[DOUBLE]]:
// CHECK-NEXT: %[[D:.*]] = arith.addi %[[V]], %[[V]] : i32
// CHECK-NEXT: "gasync.return"(%[[D]]) : (i32) -> ()
// CHECK-NEXT: ^[[KEEP]]:
// CHECK-NEXT: "gasync.return"(%[[V]]) : (i32) -> ()
// CHECK-NEXT: }) : () -> !gasync.fut<i32>
// CHECK-NEXT: %[[R:.*]] = "gasync.await"(%[[OUTER]]) : (!gasync.fut<i32>) -> i32
// CHECK-NEXT: return %[[R]] : i32
func.func @nested_blocks(%x: i32, %c: i1) -> i32 attributes {gasync.async} {
  %one = arith.constant 1 : i32
  %outer = "gasync.future"() ({
    %inner = "gasync.future"() ({
      %s = arith.addi %x, %one : i32
      "gasync.return"(%s) : (i32) -> ()
    }) : () -> !gasync.fut<i32>
    %v = "gasync.await"(%inner) : (!gasync.fut<i32>) -> i32
    cf.cond_br %c, ^double, ^keep
  ^double:
    %d = arith.addi %v, %v : i32
    "gasync.return"(%d) : (i32) -> ()
  ^keep:
    "gasync.return"(%v) : (i32) -> ()
  }) : () -> !gasync.fut<i32>
  %r = "gasync.await"(%outer) : (!gasync.fut<i32>) -> i32
  return %r : i32
}

// A kernel inside a gpu.module blocks on a future of a top-level async
// function (the callee is looked up outward through the symbol tables).
// CHECK-LABEL: gpu.module @kernels
// CHECK: gpu.func @kernel(%[[OUT:.*]]: memref<1xi32>, %[[X:.*]]: i32) kernel
// CHECK-NEXT: %[[F:.*]] = "gasync.future"(%[[X]], %[[X]]) {callee = @add} : (i32, i32) -> !gasync.fut<i32>
// CHECK-NEXT: %[[V:.*]] = "gasync.block_on"(%[[F]]) : (!gasync.fut<i32>) -> i32
gpu.module @kernels {
  gpu.func @kernel(%out: memref<1xi32>, %x: i32) kernel {
    %f = "gasync.future"(%x, %x) {callee = @add} : (i32, i32) -> !gasync.fut<i32>
    %v = "gasync.block_on"(%f) : (!gasync.fut<i32>) -> i32
    %c0 = arith.constant 0 : index
    memref.store %v, %out[%c0] : memref<1xi32>
    gpu.return
  }
}

// GENERIC-LABEL: sym_name = "value_types"
// GENERIC: "gasync.future"(%{{.*}}, %{{.*}}) {callee = @scale} : (memref<4xf32>, f32) -> !gasync.fut<memref<4xf32>>
// GENERIC: "gasync.spawn"(%{{.*}}) : (!gasync.fut<index>) -> !gasync.task<index>
// GENERIC: -> !gasync.fut<memref<2x?xf32, strided<[?, 1], offset: ?>>>
// GENERIC: "gasync.then"(%{{.*}}, %{{.*}}) {callee = @after_none} : (!gasync.fut<none>, i32) -> !gasync.fut<i32>
// GENERIC-LABEL: sym_name = "nested_blocks"
// GENERIC: "gasync.future"() ({
// GENERIC-NEXT: "gasync.future"() ({
// GENERIC: "cf.cond_br"
// GENERIC: "gasync.return"
// GENERIC: "gasync.return"
// GENERIC: }) : () -> !gasync.fut<i32>
// GENERIC: "gpu.module"
// GENERIC: "gasync.block_on"(%{{.*}}) : (!gasync.fut<i32>) -> i32
