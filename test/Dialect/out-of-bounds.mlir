// A constant index outside its memref dimension is an access out of bounds on
// every run: gasync-verify rejects it at the access (on the CPU it was a
// SIGSEGV, or a silently corrupted program). Indices known only at run time,
// and constants inside the bounds, are accepted.
// RUN: gasync-opt %s --split-input-file --verify-diagnostics
// test/Run/out-of-bounds-index.mlir runs one.

func.func @store_min(%st: memref<1xi32>, %x: i32) {
  %c = arith.constant -2147483648 : index
  // expected-error@+1 {{'memref.store' index -2147483648 is out of bounds for dimension 0 of 'memref<1xi32>' (size 1)}}
  memref.store %x, %st[%c] : memref<1xi32>
  return
}

// -----

func.func @load_past_end(%st: memref<2x4xi32>) -> i32 attributes {gasync.async} {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  // expected-error@+1 {{'memref.load' index 4 is out of bounds for dimension 1 of 'memref<2x4xi32>' (size 4)}}
  %v = memref.load %st[%c1, %c4] : memref<2x4xi32>
  return %v : i32
}

// -----

// A negative constant is out of bounds of any dimension, dynamic ones too.
func.func @negative_dynamic(%st: memref<?xf32>, %x: f32) {
  %c = arith.constant -1 : index
  // expected-error@+1 {{'memref.atomic_rmw' index -1 is out of bounds for dimension 0 of 'memref<?xf32>' (a non-negative index)}}
  %old = memref.atomic_rmw addf %x, %st[%c] : (f32, memref<?xf32>) -> f32
  return
}

// -----

func.func @vector_store(%st: memref<8xf32>, %v: vector<4xf32>) {
  %c = arith.constant 8 : index
  // expected-error@+1 {{'vector.store' index 8 is out of bounds for dimension 0 of 'memref<8xf32>' (size 8)}}
  vector.store %v, %st[%c] : memref<8xf32>, vector<4xf32>
  return
}

// -----

// In bounds, or known only at run time: accepted.
func.func @accepted(%st: memref<2x?xi32>, %i: index, %x: i32) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %big = arith.constant 1000 : index
  memref.store %x, %st[%c1, %big] : memref<2x?xi32>
  memref.store %x, %st[%i, %c0] : memref<2x?xi32>
  %a = memref.alloca() : memref<i32>
  memref.store %x, %a[] : memref<i32>
  %v = memref.load %st[%c0, %c0] : memref<2x?xi32>
  return %v : i32
}
