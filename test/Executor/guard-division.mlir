// gasync-guard-division: a compare and a select on the divisor, the fault
// call on a cold path (llvm.intr.expect), the wrapped result of a signed
// division by -1, and a site naming the op.
// RUN: gasync-opt %s --gasync-guard-division | filecheck %s

// CHECK: module attributes {gasync.fault_sites = [
// CHECK-SAME: ["the arith.divsi", "sdiv", "{{.*}}guard-division.mlir:[[# @LINE + 21]]:8"]
// CHECK-SAME: ["the arith.remui", "urem", "{{.*}}guard-division.mlir:[[# @LINE + 43]]:8"]
// CHECK-SAME: ["the llvm.srem", "lsrem", "{{.*}}guard-division.mlir:[[# @LINE + 54]]:8"]
// CHECK: func.func private @gasync_rt_fault(i32, i32)

// CHECK-LABEL: func.func @sdiv(
// CHECK-SAME: %[[X:.*]]: i32, %[[D:.*]]: i32)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-DAG: %[[IS0:.*]] = arith.cmpi eq, %[[D]], %[[ZERO]] : i32
// CHECK-DAG: %[[ISM1:.*]] = arith.cmpi eq, %[[D]], %{{.*}} : i32
// CHECK: %[[BAD:.*]] = arith.ori %[[IS0]], %[[ISM1]] : i1
// CHECK: %[[SAFE:.*]] = arith.select %[[BAD]], %{{.*}}, %[[D]] : i32
// CHECK: %[[COLD:.*]] = llvm.intr.expect %[[IS0]], %false : i1
// CHECK: scf.if %[[COLD]] {
// CHECK:   func.call @gasync_rt_fault(%{{.*}}, %{{.*}}) : (i32, i32) -> ()
// CHECK: }
// CHECK: %[[NEG:.*]] = arith.subi %[[ZERO]], %[[X]] : i32
// CHECK: %[[Q:.*]] = arith.divsi %[[X]], %[[SAFE]] : i32
// CHECK: %[[R:.*]] = arith.select %[[ISM1]], %[[NEG]], %[[Q]] : i32
// CHECK: return %[[R]] : i32
func.func @sdiv(%x: i32, %d: i32) -> i32 {
  %q = arith.divsi %x, %d : i32
  return %q : i32
}

// A constant divisor that is neither 0 nor -1 needs no guard.
// CHECK-LABEL: func.func @by_seven(
// CHECK-NEXT: arith.constant 7
// CHECK-NEXT: arith.divsi
// CHECK-NEXT: return
func.func @by_seven(%x: i32) -> i32 {
  %c7 = arith.constant 7 : i32
  %q = arith.divsi %x, %c7 : i32
  return %q : i32
}

// Unsigned: only the zero check, no wrapped result.
// CHECK-LABEL: func.func @urem(
// CHECK: %[[IS0:.*]] = arith.cmpi eq
// CHECK-NOT: arith.ori
// CHECK: %[[SAFE:.*]] = arith.select %[[IS0]]
// CHECK: arith.remui %{{.*}}, %[[SAFE]] : index
// CHECK-NEXT: return
func.func @urem(%x: index, %d: index) -> index {
  %q = arith.remui %x, %d : index
  return %q : index
}

// The LLVM dialect's ops too; a remainder by -1 is 0.
// CHECK-LABEL: func.func @lsrem(
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK: arith.cmpi eq, %{{.*}}, %[[ZERO]] : i64
// CHECK: %[[ISM1:.*]] = arith.cmpi eq, %{{.*}}, %{{.*}} : i64
// CHECK: %[[Q:.*]] = llvm.srem
// CHECK: arith.select %[[ISM1]], %[[ZERO]], %[[Q]] : i64
func.func @lsrem(%x: i64, %d: i64) -> i64 {
  %q = llvm.srem %x, %d : i64
  return %q : i64
}
