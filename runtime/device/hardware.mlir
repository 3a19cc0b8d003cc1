// The device side of gasync's hardware futures (docs/hardware-futures.md):
// the primitives that `gasync-lower-hardware-futures` calls, each one or a
// few PTX instructions, in the LLVM and NVVM dialects. Linked by name into
// each gpu.module that calls them (`gasync-link-device-runtime`), as
// runtime/device/executor.mlir is, so they inline and vanish when unused.
// runtime/cpu/hardware.mlir defines the same functions, with the same types,
// for the CPU. A template: its placeholders are constants of runtime/abi.py.
//
// Pointers arrive generic (`!llvm.ptr`); the functions that need shared
// memory cast them (the lowering checked the memory space where it could
// see it). `%scope` is a MemoryScope; it is a constant at every call, so
// after inlining one branch is left. NVPTX drops the ordering of an
// atomicrmw (LLVM 22 emits a relaxed atom.add for a release one), so a
// release add is a release fence and a relaxed add.
module {
  // The status record (runtime/device/executor.mlir defines it; linked with
  // the fault hook that every wait with an idle-wait limit calls).
  llvm.mlir.global external @${STATUS_SYMBOL}() {addr_space = 1 : i32} : !llvm.array<${STATUS_WORDS} x i32>

  // Defined by runtime/device/executor.mlir (the lowering declares it in
  // every module with an idle-wait limit, so the executor's link gives it).
  llvm.func @gasync_rt_fault_first(i32, i32) -> i1

  // A hardware wait ran out its idle-wait limit (code HARDWARE_WAIT), or
  // stalls in a deadlock (DEADLOCK, on the CPU): the fault at `site`, and, if
  // it is the run's first, what the wait waited for (runtime/abi.py's
  // Status.WAIT*; `wait` packs the WaitKind and a flag's predicate).
  llvm.func @gasync_hw_wait_fault(%code: i32, %site: i32, %wait: i32, %address: !llvm.ptr, %expected: i64, %seen: i64) {
    %first = llvm.call @gasync_rt_fault_first(%code, %site) : (i32, i32) -> i1
    llvm.cond_br %first, ^record, ^done
  ^record:
    // An mbarrier is recorded by its shared-memory offset (WAIT_SHARED): the
    // generic address would cost every poll a conversion (LLVM materialises
    // it where the wait resumes, not in this cold path).
    %kind_mask = llvm.mlir.constant(${WAIT_KIND_MASK} : i32) : i32
    %kind = llvm.and %wait, %kind_mask : i32
    %mbarrier = llvm.mlir.constant(${WAITKIND_MBARRIER} : i32) : i32
    %is_mbarrier = llvm.icmp "eq" %kind, %mbarrier : i32
    llvm.cond_br %is_mbarrier, ^shared, ^generic
  ^shared:
    %b = llvm.addrspacecast %address : !llvm.ptr to !llvm.ptr<3>
    %offset32 = llvm.ptrtoint %b : !llvm.ptr<3> to i32
    %offset = llvm.zext %offset32 : i32 to i64
    %shared_bit = llvm.mlir.constant(${WAIT_SHARED} : i32) : i32
    %shared_wait = llvm.or %wait, %shared_bit : i32
    llvm.br ^store(%shared_wait, %offset : i32, i64)
  ^generic:
    %generic = llvm.ptrtoint %address : !llvm.ptr to i64
    llvm.br ^store(%wait, %generic : i32, i64)
  ^store(%word: i32, %a: i64):
    %record = llvm.mlir.addressof @${STATUS_SYMBOL} : !llvm.ptr<1>
    %pw = llvm.getelementptr %record[${STATUS_WAIT}] : (!llvm.ptr<1>) -> !llvm.ptr<1>, i32
    llvm.store volatile %word, %pw : i32, !llvm.ptr<1>
    %pa = llvm.getelementptr %record[${STATUS_WAIT_ADDRESS_LO}] : (!llvm.ptr<1>) -> !llvm.ptr<1>, i32
    llvm.store volatile %a, %pa {alignment = 4 : i64} : i64, !llvm.ptr<1>
    %pe = llvm.getelementptr %record[${STATUS_WAIT_EXPECTED_LO}] : (!llvm.ptr<1>) -> !llvm.ptr<1>, i32
    llvm.store volatile %expected, %pe {alignment = 4 : i64} : i64, !llvm.ptr<1>
    %ps = llvm.getelementptr %record[${STATUS_WAIT_SEEN_LO}] : (!llvm.ptr<1>) -> !llvm.ptr<1>, i32
    llvm.store volatile %seen, %ps {alignment = 4 : i64} : i64, !llvm.ptr<1>
    llvm.br ^done
  ^done:
    llvm.return
  }

  // Deadlock detection is the CPU's (runtime/cpu/hardware.mlir): on the GPU
  // other threads may complete any wait, so a stall is only ever a stall; the
  // idle-wait limit ends a hang. These fold away.
  llvm.func @gasync_hw_stalled(%site: i32, %wait: i32, %address: !llvm.ptr, %expected: i64, %seen: i64) {
    llvm.return
  }

  llvm.func @gasync_hw_progress() {
    llvm.return
  }

  // Two senders on one channel are not detected on the GPU (a test here
  // would cost every send a test_wait, and two warps may race past it).
  llvm.func @gasync_hw_sent_before(%full: !llvm.ptr, %parity: i32) -> i1 {
    %false = llvm.mlir.constant(false) : i1
    llvm.return %false : i1
  }

  llvm.func @gasync_rt_hw_stuck(%requeued: i1, %pool: i32) -> i1 {
    %false = llvm.mlir.constant(false) : i1
    llvm.return %false : i1
  }

  llvm.func @gasync_rt_hw_deadlock() -> i32 {
    %none = llvm.mlir.constant(${NONE} : i32) : i32
    llvm.return %none : i32
  }

  // Whether the run has faulted already: a hardware wait then gives up (the
  // host reports the first fault), so that one hang does not make every
  // later wait run out its own limit.
  llvm.func @gasync_hw_faulted() -> i1 {
    %record = llvm.mlir.addressof @${STATUS_SYMBOL} : !llvm.ptr<1>
    %code = llvm.load volatile %record {alignment = 4 : i64} : !llvm.ptr<1> -> i32
    %zero = llvm.mlir.constant(0 : i32) : i32
    %faulted = llvm.icmp "ne" %code, %zero : i32
    llvm.return %faulted : i1
  }

  // The poll of a flag future: an acquire load.
  llvm.func @gasync_hw_load_acquire_i32(%p: !llvm.ptr, %scope: i32) -> i32 {
    llvm.switch %scope : i32, ^system [
      ${MEMSCOPE_BLOCK}: ^block,
      ${MEMSCOPE_GPU}: ^gpu
    ]
  ^block:
    %v_block = llvm.load %p atomic syncscope("block") acquire {alignment = 4 : i64} : !llvm.ptr -> i32
    llvm.return %v_block : i32
  ^gpu:
    %v_gpu = llvm.load %p atomic syncscope("device") acquire {alignment = 4 : i64} : !llvm.ptr -> i32
    llvm.return %v_gpu : i32
  ^system:
    %v_system = llvm.load %p atomic acquire {alignment = 4 : i64} : !llvm.ptr -> i32
    llvm.return %v_system : i32
  }

  llvm.func @gasync_hw_load_acquire_i64(%p: !llvm.ptr, %scope: i32) -> i64 {
    llvm.switch %scope : i32, ^system [
      ${MEMSCOPE_BLOCK}: ^block,
      ${MEMSCOPE_GPU}: ^gpu
    ]
  ^block:
    %v_block = llvm.load %p atomic syncscope("block") acquire {alignment = 8 : i64} : !llvm.ptr -> i64
    llvm.return %v_block : i64
  ^gpu:
    %v_gpu = llvm.load %p atomic syncscope("device") acquire {alignment = 8 : i64} : !llvm.ptr -> i64
    llvm.return %v_gpu : i64
  ^system:
    %v_system = llvm.load %p atomic acquire {alignment = 8 : i64} : !llvm.ptr -> i64
    llvm.return %v_system : i64
  }

  llvm.func @gasync_hw_store_release_i32(%p: !llvm.ptr, %v: i32, %scope: i32) {
    llvm.switch %scope : i32, ^system [
      ${MEMSCOPE_BLOCK}: ^block,
      ${MEMSCOPE_GPU}: ^gpu
    ]
  ^block:
    llvm.store %v, %p atomic syncscope("block") release {alignment = 4 : i64} : i32, !llvm.ptr
    llvm.return
  ^gpu:
    llvm.store %v, %p atomic syncscope("device") release {alignment = 4 : i64} : i32, !llvm.ptr
    llvm.return
  ^system:
    llvm.store %v, %p atomic release {alignment = 4 : i64} : i32, !llvm.ptr
    llvm.return
  }

  llvm.func @gasync_hw_store_release_i64(%p: !llvm.ptr, %v: i64, %scope: i32) {
    llvm.switch %scope : i32, ^system [
      ${MEMSCOPE_BLOCK}: ^block,
      ${MEMSCOPE_GPU}: ^gpu
    ]
  ^block:
    llvm.store %v, %p atomic syncscope("block") release {alignment = 8 : i64} : i64, !llvm.ptr
    llvm.return
  ^gpu:
    llvm.store %v, %p atomic syncscope("device") release {alignment = 8 : i64} : i64, !llvm.ptr
    llvm.return
  ^system:
    llvm.store %v, %p atomic release {alignment = 8 : i64} : i64, !llvm.ptr
    llvm.return
  }

  llvm.func @gasync_hw_add_release_i32(%p: !llvm.ptr, %v: i32, %scope: i32) -> i32 {
    llvm.switch %scope : i32, ^system [
      ${MEMSCOPE_BLOCK}: ^block,
      ${MEMSCOPE_GPU}: ^gpu
    ]
  ^block:
    llvm.fence syncscope("block") release
    %old_block = llvm.atomicrmw add %p, %v syncscope("block") monotonic : !llvm.ptr, i32
    llvm.return %old_block : i32
  ^gpu:
    llvm.fence syncscope("device") release
    %old_gpu = llvm.atomicrmw add %p, %v syncscope("device") monotonic : !llvm.ptr, i32
    llvm.return %old_gpu : i32
  ^system:
    llvm.fence release
    %old_system = llvm.atomicrmw add %p, %v monotonic : !llvm.ptr, i32
    llvm.return %old_system : i32
  }

  llvm.func @gasync_hw_add_release_i64(%p: !llvm.ptr, %v: i64, %scope: i32) -> i64 {
    llvm.switch %scope : i32, ^system [
      ${MEMSCOPE_BLOCK}: ^block,
      ${MEMSCOPE_GPU}: ^gpu
    ]
  ^block:
    llvm.fence syncscope("block") release
    %old_block = llvm.atomicrmw add %p, %v syncscope("block") monotonic : !llvm.ptr, i64
    llvm.return %old_block : i64
  ^gpu:
    llvm.fence syncscope("device") release
    %old_gpu = llvm.atomicrmw add %p, %v syncscope("device") monotonic : !llvm.ptr, i64
    llvm.return %old_gpu : i64
  ^system:
    llvm.fence release
    %old_system = llvm.atomicrmw add %p, %v monotonic : !llvm.ptr, i64
    llvm.return %old_system : i64
  }

  // mbarriers live in shared memory: a generic pointer to one is cast.
  llvm.func @gasync_hw_mbarrier_init(%p: !llvm.ptr, %count: i32) {
    %b = llvm.addrspacecast %p : !llvm.ptr to !llvm.ptr<3>
    nvvm.mbarrier.init %b, %count : !llvm.ptr<3>, i32
    // Makes the initialisation visible to the bulk copies (the async proxy).
    nvvm.fence.mbarrier.init
    llvm.return
  }

  llvm.func @gasync_hw_mbarrier_arrive(%p: !llvm.ptr) {
    %b = llvm.addrspacecast %p : !llvm.ptr to !llvm.ptr<3>
    %token = nvvm.mbarrier.arrive %b : !llvm.ptr<3> -> i64
    llvm.return
  }

  llvm.func @gasync_hw_mbarrier_arrive_expect_tx(%p: !llvm.ptr, %bytes: i32) {
    %b = llvm.addrspacecast %p : !llvm.ptr to !llvm.ptr<3>
    nvvm.mbarrier.arrive.expect_tx %b, %bytes : !llvm.ptr<3>, i32
    llvm.return
  }

  // One non-blocking test (mbarrier.test_wait.parity): whether the phase of
  // parity %parity has completed. Never try_wait: it suspends the thread.
  llvm.func @gasync_hw_mbarrier_test_parity(%p: !llvm.ptr, %parity: i32) -> i1 {
    %b = llvm.addrspacecast %p : !llvm.ptr to !llvm.ptr<3>
    %done = nvvm.mbarrier.test.wait %b, %parity : !llvm.ptr<3>, i32 -> i1
    llvm.return %done : i1
  }

  // Global to shared, completing %bytes of the mbarrier's transaction count.
  llvm.func @gasync_hw_bulk_load(%dst: !llvm.ptr, %src: !llvm.ptr, %bytes: i32, %bar: !llvm.ptr) {
    %d = llvm.addrspacecast %dst : !llvm.ptr to !llvm.ptr<3>
    %s = llvm.addrspacecast %src : !llvm.ptr to !llvm.ptr<1>
    %b = llvm.addrspacecast %bar : !llvm.ptr to !llvm.ptr<3>
    nvvm.cp.async.bulk.shared.cluster.global %d, %s, %b, %bytes : !llvm.ptr<3>, !llvm.ptr<1>
    llvm.return
  }

  // Shared to global as a bulk async-group. The fence orders this thread's
  // earlier stores to the shared source before the copy (the async proxy)
  // reads it.
  llvm.func @gasync_hw_bulk_store(%dst: !llvm.ptr, %src: !llvm.ptr, %bytes: i32) {
    %d = llvm.addrspacecast %dst : !llvm.ptr to !llvm.ptr<1>
    %s = llvm.addrspacecast %src : !llvm.ptr to !llvm.ptr<3>
    nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
    nvvm.cp.async.bulk.global.shared.cta %d, %s, %bytes : !llvm.ptr<1>, !llvm.ptr<3>
    nvvm.cp.async.bulk.commit.group
    llvm.return
  }

  // Blocks until this thread's bulk stores have read their sources (sm_90
  // has no non-blocking test for a bulk async-group).
  llvm.func @gasync_hw_bulk_wait_read() {
    nvvm.cp.async.bulk.wait_group 0 {read}
    llvm.return
  }

  // Nanoseconds of the GPU's global timer.
  llvm.func @gasync_hw_now_ns() -> i64 {
    %t = nvvm.read.ptx.sreg.globaltimer : i64
    llvm.return %t : i64
  }
}
