// gasync-lower-hardware-futures: each hardware future becomes a future of an
// async function whose poll is one non-blocking test of the hardware, and
// which yields while the test fails; the signals become primitive calls.
// RUN: gasync-opt %s --gasync-lower-hardware-futures | filecheck %s
// Each wait reads the clock on its 1024th pending poll (which starts the
// limit) and every 1024th after, never on the first (a handoff completing a
// moment later would wait for the clock read and the status load); past the
// idle-wait limit it reports the fault naming it and gives up. With the
// limit off, a pending poll is the test alone.
// RUN: gasync-opt %s --gasync-lower-hardware-futures | filecheck %s --check-prefix=IDLE
// RUN: gasync-opt %s --gasync-lower-hardware-futures='idle-wait-ms=0' | filecheck %s --check-prefix=NOLIMIT
// The sites name each wait and what it waits on.
// IDLE: module attributes {gasync.fault_sites = [["the gasync.flag_wait on flag argument 0 of '@waiter'", "waiter", "{{.*}}lowering.mlir:{{[0-9]+}}:8"], ["the gasync.mbarrier_wait on mbarrier argument 1 of '@waiter'"
// IDLE-LABEL: func.func private @gasync_flag_wait_0(
// IDLE: scf.while (%[[POLLS:.*]] = %{{.*}}, %[[SINCE:.*]] = %{{.*}}) : (i32, i64) -> (i32, i32, i64)
// IDLE: func.call @gasync_hw_load_acquire_i32(
// A re-poll (the count not 0) that finds the flag still pending tells the
// runtime the wait stalled, with what it waits for (the CPU's deadlock
// detection; nothing on the GPU).
// IDLE: %[[REPOLL:.*]] = arith.cmpi ne, %[[POLLS]], %{{.*}} : i32
// IDLE: %[[STALLED:.*]] = arith.andi %{{.*}}, %[[REPOLL]] : i1
// IDLE: scf.if %[[STALLED]] {
// IDLE: func.call @gasync_hw_stalled(%{{.*}}, %c258_i32{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (i32, i32, !llvm.ptr, i64, i64) -> ()
// IDLE: %[[LOW:.*]] = arith.andi %[[POLLS]], %c1023_i32
// IDLE: arith.cmpi eq, %[[LOW]], %c1023_i32
// IDLE: scf.if
// IDLE-NEXT: func.call @gasync_hw_now_ns()
// IDLE-NEXT: %[[STARTS:.*]] = arith.cmpi eq, %[[POLLS]], %c1023_i32
// IDLE-NEXT: arith.select %[[STARTS]], %{{.*}}, %[[SINCE]] : i64
// IDLE: arith.constant 2000000000 : i64
// A flag's fault records the site, the wait (an i32 flag: 2, predicate ne:
// 1 << 8), the flag, the expected value and the value seen.
// IDLE: %[[SEEN:.*]] = arith.extui %[[V:.*]] : i32 to i64
// IDLE: %[[WAIT:.*]] = arith.constant 258 : i32
// IDLE: %[[EXPECTED:.*]] = arith.extui %[[E:.*]] : i32 to i64
// IDLE: func.call @gasync_hw_wait_fault(%c9_i32, %{{.*}}, %[[WAIT]], %[[P:.*]], %[[EXPECTED]], %[[SEEN]])
// IDLE: func.call @gasync_hw_faulted()
// IDLE: "gasync.yield"()
// NOLIMIT-NOT: gasync_hw_now_ns
// NOLIMIT-NOT: gasync_rt_fault
// NOLIMIT-NOT: gasync_hw_wait_fault
// NOLIMIT-NOT: gasync_hw_stalled
// (test/GPU/hardware-futures.mlir checks the same down to PTX.)

module {
// CHECK-LABEL: func.func private @waiter
// CHECK: %[[FLAG:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr
// CHECK: "gasync.future"(%[[FLAG]], %{{.*}}) {callee = @gasync_flag_wait_0} : (!llvm.ptr, i32) -> !gasync.fut<i32>
// CHECK: "gasync.future"(%{{.*}}, %{{.*}}) {callee = @gasync_mbarrier_wait_0} : (!llvm.ptr, i32) -> !gasync.fut<none>
// CHECK: call @gasync_hw_mbarrier_arrive(
// CHECK: call @gasync_hw_store_release_i64(%{{.*}}, %{{.*}}, %[[SCOPE:.*]]) :
func.func private @waiter(%flag: memref<1xi32>, %bar: memref<1xi64>, %wide: memref<4xi64>) -> i32 attributes {gasync.async} {
  %c1 = arith.constant 1 : i32
  %c0 = arith.constant 0 : i32
  %c7 = arith.constant 7 : i64
  %f = "gasync.flag_wait"(%flag, %c1) {predicate = "ne", scope = "system"} : (memref<1xi32>, i32) -> !gasync.fut<i32>
  %v = "gasync.await"(%f) : (!gasync.fut<i32>) -> i32
  %w = "gasync.mbarrier_wait"(%bar, %c0) : (memref<1xi64>, i32) -> !gasync.fut<none>
  "gasync.await"(%w) : (!gasync.fut<none>) -> ()
  "gasync.mbarrier_arrive"(%bar) : (memref<1xi64>) -> ()
  "gasync.flag_store"(%wide, %c7) {scope = "block"} : (memref<4xi64>, i64) -> ()
  return %v : i32
}

// CHECK-LABEL: func.func private @gasync_flag_wait_0(
// CHECK-SAME: %[[P:.*]]: !llvm.ptr, %[[E:.*]]: i32) -> i32 attributes {gasync.async}
// CHECK: scf.while
// CHECK: %[[S:.*]] = arith.constant 2 : i32
// CHECK: %[[V:.*]] = func.call @gasync_hw_load_acquire_i32(%[[P]], %[[S]])
// CHECK: %[[OK:.*]] = arith.cmpi ne, %[[V]], %[[E]] : i32
// CHECK: scf.condition
// CHECK: "gasync.yield"()
// CHECK-LABEL: func.func private @gasync_mbarrier_wait_0(
// CHECK: func.call @gasync_hw_mbarrier_test_parity(
// CHECK: "gasync.yield"()
}
