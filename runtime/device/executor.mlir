// The device side of gasync's executor runtime (DESIGN.md section 4), in the
// LLVM and NVVM dialects. The GPU pipeline merges the definitions a
// gpu.module declares (by name) into it before LLVM optimisation
// (`gasync-link-device-runtime`), so they inline; functions become internal
// and vanish when unused. The host reads `gasync_rt_status` after a launch
// (runtime/launch.py): 0 is success, any other value names the failure
// (1 deadlock, 2 task pool overflow, 3 an executor invariant broken).
module {
  // The first failure any thread reports; the host reads it after the launch.
  llvm.mlir.global external @gasync_rt_status(0 : i32) {addr_space = 1 : i32} : i32

  // Record failure `code` (first one wins) and stop this thread's executor.
  llvm.func @gasync_rt_report(%code: i32) {
    %p = llvm.mlir.addressof @gasync_rt_status : !llvm.ptr<1>
    %zero = llvm.mlir.constant(0 : i32) : i32
    %r = llvm.cmpxchg %p, %zero, %code acq_rel monotonic : !llvm.ptr<1>, i32
    llvm.return
  }

  // The status word's current value (0 while nothing failed).
  llvm.func @gasync_rt_status_get() -> i32 {
    %p = llvm.mlir.addressof @gasync_rt_status : !llvm.ptr<1>
    %v = llvm.load volatile %p : !llvm.ptr<1> -> i32
    llvm.return %v : i32
  }

  // Back off before re-polling a task that waits on something external:
  // nanosleep for 2^min(round, 16) * 32 ns (DESIGN.md section 7: sleeps round
  // up to powers of two, 40 ns at least).
  llvm.func @gasync_rt_backoff(%round: i32) {
    %c16 = llvm.mlir.constant(16 : i32) : i32
    %c32 = llvm.mlir.constant(32 : i32) : i32
    %lt = llvm.icmp "ult" %round, %c16 : i32
    %r = llvm.select %lt, %round, %c16 : i1, i32
    %ns = llvm.shl %c32, %r : i32
    nvvm.nanosleep %ns
    llvm.return
  }
}
