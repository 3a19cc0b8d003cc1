// gasync-check-bounds: a marked access moves into an scf.if on an unsigned
// compare of every index with its dimension; the other branch reports the
// fault (a load giving 0), and a site names the access. Unmarked accesses
// are left alone.
// RUN: gasync-opt %s --gasync-check-bounds | filecheck %s

// CHECK: module attributes {gasync.fault_sites = [
// CHECK-SAME: ["the array load", "load", "{{.*}}check-bounds.mlir:[[# @LINE + 21]]:8"]
// CHECK-SAME: ["the array store", "store2", "{{.*}}check-bounds.mlir:[[# @LINE + 34]]:3"]
// CHECK: func.func private @gasync_rt_fault(i32, i32)

// CHECK-LABEL: func.func @load(
// CHECK-SAME: %[[A:.*]]: memref<?xf32>, %[[I:.*]]: index)
// CHECK: %[[DIM:.*]] = memref.dim %[[A]], %{{.*}} : memref<?xf32>
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[I]], %[[DIM]] : index
// CHECK: %[[ALL:.*]] = arith.andi %{{.*}}, %[[IN]] : i1
// CHECK: %[[HOT:.*]] = llvm.intr.expect %[[ALL]], %true : i1
// CHECK: %[[V:.*]] = scf.if %[[HOT]] -> (f32) {
// CHECK:   %[[L:.*]] = memref.load %[[A]][%[[I]]] : memref<?xf32>
// CHECK-NOT: gasync.bounds_check
// CHECK:   scf.yield %[[L]] : f32
// CHECK: } else {
// CHECK:   func.call @gasync_rt_fault(%{{.*}}, %{{.*}}) : (i32, i32) -> ()
// CHECK:   %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:   scf.yield %[[Z]] : f32
// CHECK: }
// CHECK: return %[[V]] : f32
func.func @load(%a: memref<?xf32>, %i: index) -> f32 {
  %v = memref.load %a[%i] {gasync.bounds_check} : memref<?xf32>
  return %v : f32
}

// A store in rank 2: both indices checked; nothing stored out of bounds.
// CHECK-LABEL: func.func @store2(
// CHECK-COUNT-2: arith.cmpi ult
// CHECK: scf.if %{{.*}} {
// CHECK:   memref.store
// CHECK: } else {
// CHECK:   func.call @gasync_rt_fault
// CHECK: }
// CHECK-NEXT: return
func.func @store2(%a: memref<2x3xi32>, %i: index, %j: index, %v: i32) {
  memref.store %v, %a[%i, %j] {gasync.bounds_check} : memref<2x3xi32>
  return
}

// Unmarked: unchecked.
// CHECK-LABEL: func.func @unchecked(
// CHECK-NEXT: memref.load
// CHECK-NEXT: return
func.func @unchecked(%a: memref<?xf32>, %i: index) -> f32 {
  %v = memref.load %a[%i] : memref<?xf32>
  return %v : f32
}
