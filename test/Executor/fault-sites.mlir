// gasync-fault-sites (in gasync-coro, after gasync-coro-lower) and
// gasync-lower-block-on write the site table: each task kind's start and
// suspension points, each spawn (a constant argument of
// gasync_rt_spawn_at), each block_on (of gasync_rt_run); and
// gasync_rt_task_site maps a task's kind and state to its site.
// RUN: gasync-opt %S/faults.mlir --gasync-coro | filecheck %s

// CHECK: module attributes {gasync.fault_sites = [
// CHECK-SAME: ["the start of the task", "spin", "{{.*}}faults.mlir:40:1"],
// CHECK-SAME: ["the yield", "spin", "{{.*}}faults.mlir:45:5"],
// CHECK-SAME: ["the await of a task", "three", "{{.*}}faults.mlir:25:8"],
// CHECK-SAME: ["the spawn of '@leaf'", "three", "{{.*}}faults.mlir:24:9"],
// CHECK-SAME: ["the spawn of '@spin'", "spawn_spin", "{{.*}}faults.mlir:54:8"],
// CHECK-SAME: ["the block_on of '@three'", "overflow", "{{.*}}faults.mlir:35:8"],
// CHECK-SAME: ["the block_on of '@spin'", "plain", "{{.*}}faults.mlir:68:8"]

// The spawns pass their sites (9 to 11: the first, second and third spawn).
// CHECK-LABEL: func.func private @three$poll(
// CHECK: call @gasync_rt_spawn_at(%arg1, %{{.*}}, %c9_i32)
// CHECK: call @gasync_rt_spawn_at(%arg1, %{{.*}}, %c10_i32)
// CHECK: call @gasync_rt_spawn_at(%arg1, %{{.*}}, %c11_i32)

// The block_on's site reaches the executor's run.
// CHECK-LABEL: func.func @overflow(
// CHECK: call @gasync_rt_run(%{{.*}}, %{{.*}}, %c13_i32)

// A poll loop with no executor counts its pending polls and reports the
// watchdog (code 4) with the block_on's site (15), on a cold path.
// CHECK-LABEL: func.func @plain(
// CHECK: scf.while (%[[N:.*]] = %c0_i32) : (i32) -> i32 {
// CHECK: %[[POLLS:.*]] = arith.addi %[[N]], %c1_i32
// CHECK: %[[SPENT:.*]] = arith.cmpi uge, %[[POLLS]], %c100000000_i32
// CHECK: llvm.intr.expect
// CHECK: func.call @gasync_rt_fault(%c4_i32, %c15_i32)

// Kind 1 (@spin): sites 1 (its start) and 2 (its one yield).
// CHECK-LABEL: func.func private @gasync_rt_task_site(
// CHECK: %[[K1:.*]] = arith.cmpi eq, %arg0, %c1_i32 : i32
// CHECK: arith.select %[[K1]], %c1_i32{{.*}}, %{{.*}} : i32
// CHECK: arith.select %[[K1]], %c1_i32{{.*}}, %{{.*}} : i32
