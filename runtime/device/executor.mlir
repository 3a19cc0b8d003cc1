// The device side of gasync's executor runtime (docs/executor.md): the
// NVIDIA GPU's definitions of the target hooks that runtime/executor.mlir
// declares, in the LLVM and NVVM dialects. The GPU pipeline merges the
// definitions a gpu.module declares (by name) into it before LLVM
// optimisation (`gasync-link-device-runtime`), so they inline; functions
// become internal and vanish when unused. A template, as runtime/executor.mlir:
// its placeholders are constants of runtime/abi.py.
//
// The status record (runtime/abi.py's Status: code, detail, block xyz,
// thread xyz, a hardware wait's words), which the host reads after a launch (runtime/launch.py),
// holds the first executor that failed (first one wins).
module {
  llvm.mlir.global external @${STATUS_SYMBOL}(dense<0> : tensor<${STATUS_WORDS}xi32>) {addr_space = 1 : i32} : !llvm.array<${STATUS_WORDS} x i32>

  // Record fault `code` with `detail` and where it happened, unless a fault
  // was recorded already.
  llvm.func @gasync_rt_fault(%code: i32, %detail: i32) {
    %first = llvm.call @gasync_rt_fault_first(%code, %detail) : (i32, i32) -> i1
    llvm.return
  }

  // gasync_rt_fault, telling whether this call recorded the fault (the
  // caller may then add its words to the record: runtime/device/hardware.mlir).
  llvm.func @gasync_rt_fault_first(%code: i32, %detail: i32) -> i1 {
    %record = llvm.mlir.addressof @${STATUS_SYMBOL} : !llvm.ptr<1>
    %zero = llvm.mlir.constant(0 : i32) : i32
    %p0 = llvm.getelementptr %record[${STATUS_CODE}] : (!llvm.ptr<1>) -> !llvm.ptr<1>, i32
    %pair = llvm.cmpxchg %p0, %zero, %code acq_rel monotonic : !llvm.ptr<1>, i32
    %first = llvm.extractvalue %pair[1] : !llvm.struct<(i32, i1)>
    llvm.cond_br %first, ^keep, ^done
  ^keep:
    %bx = nvvm.read.ptx.sreg.ctaid.x : i32
    %by = nvvm.read.ptx.sreg.ctaid.y : i32
    %bz = nvvm.read.ptx.sreg.ctaid.z : i32
    %tx = nvvm.read.ptx.sreg.tid.x : i32
    %ty = nvvm.read.ptx.sreg.tid.y : i32
    %tz = nvvm.read.ptx.sreg.tid.z : i32
    %p1 = llvm.getelementptr %record[${STATUS_DETAIL}] : (!llvm.ptr<1>) -> !llvm.ptr<1>, i32
    llvm.store volatile %detail, %p1 : i32, !llvm.ptr<1>
    %p2 = llvm.getelementptr %record[${STATUS_BLOCK_X}] : (!llvm.ptr<1>) -> !llvm.ptr<1>, i32
    llvm.store volatile %bx, %p2 : i32, !llvm.ptr<1>
    %p3 = llvm.getelementptr %record[${STATUS_BLOCK_Y}] : (!llvm.ptr<1>) -> !llvm.ptr<1>, i32
    llvm.store volatile %by, %p3 : i32, !llvm.ptr<1>
    %p4 = llvm.getelementptr %record[${STATUS_BLOCK_Z}] : (!llvm.ptr<1>) -> !llvm.ptr<1>, i32
    llvm.store volatile %bz, %p4 : i32, !llvm.ptr<1>
    %p5 = llvm.getelementptr %record[${STATUS_THREAD_X}] : (!llvm.ptr<1>) -> !llvm.ptr<1>, i32
    llvm.store volatile %tx, %p5 : i32, !llvm.ptr<1>
    %p6 = llvm.getelementptr %record[${STATUS_THREAD_Y}] : (!llvm.ptr<1>) -> !llvm.ptr<1>, i32
    llvm.store volatile %ty, %p6 : i32, !llvm.ptr<1>
    %p7 = llvm.getelementptr %record[${STATUS_THREAD_Z}] : (!llvm.ptr<1>) -> !llvm.ptr<1>, i32
    llvm.store volatile %tz, %p7 : i32, !llvm.ptr<1>
    llvm.br ^done
  ^done:
    llvm.return %first : i1
  }

  // Record fault `code` with no detail (for hand-written device code).
  llvm.func @gasync_rt_report(%code: i32) {
    %none = llvm.mlir.constant(${NONE} : i32) : i32
    llvm.call @gasync_rt_fault(%code, %none) : (i32, i32) -> ()
    llvm.return
  }

  // At warp and block scope a warp's lanes vote (callers are
  // converged, checked by gasync_rt_converged first where lanes may have
  // diverged).
  llvm.func @gasync_rt_vote_all(%scope: i32, %x: i1) -> i1 {
    %warp_scope = llvm.mlir.constant(${SCOPE_WARP} : i32) : i32
    %warp = llvm.icmp "uge" %scope, %warp_scope : i32
    llvm.cond_br %warp, ^vote, ^own
  ^vote:
    %all = llvm.mlir.constant(-1 : i32) : i32
    %v = nvvm.vote.sync all %all, %x -> i1
    llvm.return %v : i1
  ^own:
    llvm.return %x : i1
  }

  llvm.func @gasync_rt_vote_max(%scope: i32, %x: i32) -> i32 {
    %warp_scope = llvm.mlir.constant(${SCOPE_WARP} : i32) : i32
    %warp = llvm.icmp "uge" %scope, %warp_scope : i32
    llvm.cond_br %warp, ^vote, ^own
  ^vote:
    %all = llvm.mlir.constant(-1 : i32) : i32
    %v = nvvm.redux.sync max %x, %all : i32 -> i32
    llvm.return %v : i32
  ^own:
    llvm.return %x : i32
  }

  // Whether every lane of the scope is executing this call together.
  llvm.func @gasync_rt_converged(%scope: i32) -> i1 {
    %warp_scope = llvm.mlir.constant(${SCOPE_WARP} : i32) : i32
    %true = llvm.mlir.constant(true) : i1
    %warp = llvm.icmp "uge" %scope, %warp_scope : i32
    llvm.cond_br %warp, ^check, ^own
  ^check:
    %mask = llvm.call_intrinsic "llvm.nvvm.activemask"() : () -> i32
    %all = llvm.mlir.constant(-1 : i32) : i32
    %full = llvm.icmp "eq" %mask, %all : i32
    llvm.return %full : i1
  ^own:
    llvm.return %true : i1
  }

  // Block scope: the lane, the warp in the block, the block's warps.
  llvm.func @gasync_rt_lane(%scope: i32) -> i32 {
    %block_scope = llvm.mlir.constant(${SCOPE_BLOCK} : i32) : i32
    %zero = llvm.mlir.constant(0 : i32) : i32
    %block = llvm.icmp "eq" %scope, %block_scope : i32
    %lane = nvvm.read.ptx.sreg.laneid : i32
    %r = llvm.select %block, %lane, %zero : i1, i32
    llvm.return %r : i32
  }

  llvm.func @gasync_rt_linear_tid() -> i32 {
    %tx = nvvm.read.ptx.sreg.tid.x : i32
    %ty = nvvm.read.ptx.sreg.tid.y : i32
    %tz = nvvm.read.ptx.sreg.tid.z : i32
    %nx = nvvm.read.ptx.sreg.ntid.x : i32
    %ny = nvvm.read.ptx.sreg.ntid.y : i32
    %a = llvm.mul %tz, %ny : i32
    %b = llvm.add %a, %ty : i32
    %c = llvm.mul %b, %nx : i32
    %t = llvm.add %c, %tx : i32
    llvm.return %t : i32
  }

  llvm.func @gasync_rt_warp(%scope: i32) -> i32 {
    %block_scope = llvm.mlir.constant(${SCOPE_BLOCK} : i32) : i32
    %lane_bits = llvm.mlir.constant(${LANE_BITS} : i32) : i32
    %zero = llvm.mlir.constant(0 : i32) : i32
    %block = llvm.icmp "eq" %scope, %block_scope : i32
    %t = llvm.call @gasync_rt_linear_tid() : () -> i32
    %w = llvm.lshr %t, %lane_bits : i32
    %r = llvm.select %block, %w, %zero : i1, i32
    llvm.return %r : i32
  }

  llvm.func @gasync_rt_warps(%scope: i32) -> i32 {
    %block_scope = llvm.mlir.constant(${SCOPE_BLOCK} : i32) : i32
    %one = llvm.mlir.constant(1 : i32) : i32
    %last_lane = llvm.mlir.constant(${LAST_LANE} : i32) : i32
    %lane_bits = llvm.mlir.constant(${LANE_BITS} : i32) : i32
    %block = llvm.icmp "eq" %scope, %block_scope : i32
    %nx = nvvm.read.ptx.sreg.ntid.x : i32
    %ny = nvvm.read.ptx.sreg.ntid.y : i32
    %nz = nvvm.read.ptx.sreg.ntid.z : i32
    %a = llvm.mul %nx, %ny : i32
    %n = llvm.mul %a, %nz : i32
    %m = llvm.add %n, %last_lane : i32
    %w = llvm.lshr %m, %lane_bits : i32
    %r = llvm.select %block, %w, %one : i1, i32
    llvm.return %r : i32
  }

  llvm.func @gasync_rt_barrier(%scope: i32) {
    %block_scope = llvm.mlir.constant(${SCOPE_BLOCK} : i32) : i32
    %block = llvm.icmp "eq" %scope, %block_scope : i32
    llvm.cond_br %block, ^sync, ^done
  ^sync:
    nvvm.barrier0
    llvm.br ^done
  ^done:
    llvm.return
  }

  llvm.func @gasync_rt_syncwarp(%scope: i32) {
    %block_scope = llvm.mlir.constant(${SCOPE_BLOCK} : i32) : i32
    %block = llvm.icmp "eq" %scope, %block_scope : i32
    llvm.cond_br %block, ^sync, ^done
  ^sync:
    %all = llvm.mlir.constant(-1 : i32) : i32
    nvvm.bar.warp.sync %all : i32
    llvm.br ^done
  ^done:
    llvm.return
  }

  // Lane 0's x, for every lane of the (converged) warp.
  llvm.func @gasync_rt_broadcast(%scope: i32, %x: i32) -> i32 {
    %block_scope = llvm.mlir.constant(${SCOPE_BLOCK} : i32) : i32
    %block = llvm.icmp "eq" %scope, %block_scope : i32
    llvm.cond_br %block, ^shuffle, ^own
  ^shuffle:
    %all = llvm.mlir.constant(-1 : i32) : i32
    %zero = llvm.mlir.constant(0 : i32) : i32
    %last_lane = llvm.mlir.constant(${LAST_LANE} : i32) : i32
    %v = nvvm.shfl.sync idx %all, %x, %zero, %last_lane : i32 -> i32
    llvm.return %v : i32
  ^own:
    llvm.return %x : i32
  }

  // Atomics on a block-scope executor, which lives in shared memory: only
  // the block's threads use it, so block (CTA) scope is enough.
  llvm.func @gasync_rt_shared_cas(%p: !llvm.ptr, %old: i32, %new: i32) -> i1 {
    %q = llvm.addrspacecast %p : !llvm.ptr to !llvm.ptr<3>
    %pair = llvm.cmpxchg %q, %old, %new syncscope("block") acq_rel monotonic : !llvm.ptr<3>, i32
    %ok = llvm.extractvalue %pair[1] : !llvm.struct<(i32, i1)>
    llvm.return %ok : i1
  }

  llvm.func @gasync_rt_shared_add(%p: !llvm.ptr, %x: i32) -> i32 {
    %q = llvm.addrspacecast %p : !llvm.ptr to !llvm.ptr<3>
    %old = llvm.atomicrmw add %q, %x syncscope("block") acq_rel : !llvm.ptr<3>, i32
    llvm.return %old : i32
  }

  // Back off before re-polling a task that waits on something external:
  // nanosleep for 2^min(round, 16) * 32 ns (the hardware rounds sleeps up to
  // powers of two, 40 ns at least).
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
