// The CPU side of gasync's hardware futures (docs/hardware-futures.md): the
// same functions, with the same types, as runtime/device/hardware.mlir, for
// one CPU thread running one executor (docs/hardware-futures.md, "On the
// CPU"). Linked by `gasync-link-cpu-runtime`. A template: its placeholders
// are constants of runtime/abi.py.
//
// Every memory scope is the system scope here. An mbarrier is an i64 word:
//   bits 0-19   arrivals still pending in the current phase
//   bits 20-39  arrivals each phase expects (the init count)
//   bits 40-62  the transaction count still pending, in bytes (mod 2^23)
//   bit 63      the current phase's parity
// A phase completes when no arrival and no byte is pending: the parity flips
// and the pending arrivals are the expected ones again. A bulk copy is a
// memcpy at once that completes its bytes; the waiting side sees it on its
// next poll.
module {
  // The status record (runtime/cpu/executor.mlir defines it).
  llvm.mlir.global external @${STATUS_SYMBOL}() : !llvm.array<${STATUS_WORDS} x i32>

  // Defined by runtime/cpu/executor.mlir (the lowering declares it in
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
    %record = llvm.mlir.addressof @${STATUS_SYMBOL} : !llvm.ptr
    %pw = llvm.getelementptr %record[${STATUS_WAIT}] : (!llvm.ptr) -> !llvm.ptr, i32
    llvm.store %wait, %pw : i32, !llvm.ptr
    %a = llvm.ptrtoint %address : !llvm.ptr to i64
    %pa = llvm.getelementptr %record[${STATUS_WAIT_ADDRESS_LO}] : (!llvm.ptr) -> !llvm.ptr, i32
    llvm.store %a, %pa {alignment = 4 : i64} : i64, !llvm.ptr
    %pe = llvm.getelementptr %record[${STATUS_WAIT_EXPECTED_LO}] : (!llvm.ptr) -> !llvm.ptr, i32
    llvm.store %expected, %pe {alignment = 4 : i64} : i64, !llvm.ptr
    %ps = llvm.getelementptr %record[${STATUS_WAIT_SEEN_LO}] : (!llvm.ptr) -> !llvm.ptr, i32
    llvm.store %seen, %ps {alignment = 4 : i64} : i64, !llvm.ptr
    llvm.br ^done
  ^done:
    llvm.return
  }

  // Deadlock on the CPU. One thread runs every task, so a hardware wait can
  // only be completed by a task of this executor: when every queued task has
  // been re-polled in a row and each found its wait still pending, with no
  // signal (a release store or add, an mbarrier arrival, a copy) in between,
  // nothing can ever complete one (gasync_rt_run asks gasync_rt_hw_stuck after
  // every poll). A re-poll runs nothing but the wait's test: the user's code
  // between awaits runs in polls that end otherwise.
  //   @gasync_hw_poll_outcome: what the current poll did: 0 nothing of note,
  //     1 a hardware wait stalled (pending on a re-poll), 2 a signal (sticky)
  //   @gasync_hw_stalls: consecutive requeued polls that stalled
  //   @gasync_hw_stall_wait: the last stalled wait (site, wait word,
  //     address, expected, seen), which the deadlock names
  llvm.mlir.global internal @gasync_hw_poll_outcome(0 : i32) : i32
  llvm.mlir.global internal @gasync_hw_stalls(0 : i32) : i32
  llvm.mlir.global internal @gasync_hw_stall_wait(dense<0> : tensor<5xi64>) : !llvm.array<5 x i64>

  // A signal, or a sleep's poll (time passes): the current poll progressed.
  llvm.func @gasync_hw_progress() {
    %outcome = llvm.mlir.addressof @gasync_hw_poll_outcome : !llvm.ptr
    %two = llvm.mlir.constant(2 : i32) : i32
    llvm.store %two, %outcome : i32, !llvm.ptr
    llvm.return
  }

  // A wait found still pending on a re-poll (the lowering's idle-wait count).
  llvm.func @gasync_hw_stalled(%site: i32, %wait: i32, %address: !llvm.ptr, %expected: i64, %seen: i64) {
    %outcome = llvm.mlir.addressof @gasync_hw_poll_outcome : !llvm.ptr
    %now = llvm.load %outcome : !llvm.ptr -> i32
    %two = llvm.mlir.constant(2 : i32) : i32
    %progressed = llvm.icmp "eq" %now, %two : i32
    llvm.cond_br %progressed, ^done, ^stall
  ^stall:
    %one = llvm.mlir.constant(1 : i32) : i32
    llvm.store %one, %outcome : i32, !llvm.ptr
    %record = llvm.mlir.addressof @gasync_hw_stall_wait : !llvm.ptr
    %s = llvm.sext %site : i32 to i64
    llvm.store %s, %record : i64, !llvm.ptr
    %pw = llvm.getelementptr %record[1] : (!llvm.ptr) -> !llvm.ptr, i64
    %w = llvm.zext %wait : i32 to i64
    llvm.store %w, %pw : i64, !llvm.ptr
    %pa = llvm.getelementptr %record[2] : (!llvm.ptr) -> !llvm.ptr, i64
    %a = llvm.ptrtoint %address : !llvm.ptr to i64
    llvm.store %a, %pa : i64, !llvm.ptr
    %pe = llvm.getelementptr %record[3] : (!llvm.ptr) -> !llvm.ptr, i64
    llvm.store %expected, %pe : i64, !llvm.ptr
    %ps = llvm.getelementptr %record[4] : (!llvm.ptr) -> !llvm.ptr, i64
    llvm.store %seen, %ps : i64, !llvm.ptr
    llvm.br ^done
  ^done:
    llvm.return
  }

  // After a poll (`requeued`: it ended pending and goes back to the queue):
  // whether more than `pool` polls in a row (every queued task) stalled. It
  // starts a new count either way; the executor calls it with `requeued`
  // false before its first poll.
  llvm.func @gasync_rt_hw_stuck(%requeued: i1, %pool: i32) -> i1 {
    %outcome = llvm.mlir.addressof @gasync_hw_poll_outcome : !llvm.ptr
    %stalls = llvm.mlir.addressof @gasync_hw_stalls : !llvm.ptr
    %now = llvm.load %outcome : !llvm.ptr -> i32
    %zero = llvm.mlir.constant(0 : i32) : i32
    %one = llvm.mlir.constant(1 : i32) : i32
    llvm.store %zero, %outcome : i32, !llvm.ptr
    %stalled = llvm.icmp "eq" %now, %one : i32
    %counts = llvm.and %requeued, %stalled : i1
    %before = llvm.load %stalls : !llvm.ptr -> i32
    %more = llvm.add %before, %one : i32
    %count = llvm.select %counts, %more, %zero : i1, i32
    %stuck = llvm.icmp "sgt" %count, %pool : i32
    %kept = llvm.select %stuck, %zero, %count : i1, i32
    llvm.store %kept, %stalls : i32, !llvm.ptr
    llvm.return %stuck : i1
  }

  // The deadlock gasync_rt_hw_stuck found: the fault naming the last stalled
  // wait; its site, for the executor's detail.
  llvm.func @gasync_rt_hw_deadlock() -> i32 {
    %record = llvm.mlir.addressof @gasync_hw_stall_wait : !llvm.ptr
    %s = llvm.load %record : !llvm.ptr -> i64
    %site = llvm.trunc %s : i64 to i32
    %pw = llvm.getelementptr %record[1] : (!llvm.ptr) -> !llvm.ptr, i64
    %w = llvm.load %pw : !llvm.ptr -> i64
    %wait = llvm.trunc %w : i64 to i32
    %pa = llvm.getelementptr %record[2] : (!llvm.ptr) -> !llvm.ptr, i64
    %a = llvm.load %pa : !llvm.ptr -> i64
    %address = llvm.inttoptr %a : i64 to !llvm.ptr
    %pe = llvm.getelementptr %record[3] : (!llvm.ptr) -> !llvm.ptr, i64
    %expected = llvm.load %pe : !llvm.ptr -> i64
    %ps = llvm.getelementptr %record[4] : (!llvm.ptr) -> !llvm.ptr, i64
    %seen = llvm.load %ps : !llvm.ptr -> i64
    %code = llvm.mlir.constant(${FAULT_DEADLOCK} : i32) : i32
    llvm.call @gasync_hw_wait_fault(%code, %site, %wait, %address, %expected, %seen) : (i32, i32, i32, !llvm.ptr, i64, i64) -> ()
    llvm.return %site : i32
  }

  llvm.func @gasync_hw_faulted() -> i1 {
    %record = llvm.mlir.addressof @${STATUS_SYMBOL} : !llvm.ptr
    %code = llvm.load %record {alignment = 4 : i64} : !llvm.ptr -> i32
    %zero = llvm.mlir.constant(0 : i32) : i32
    %faulted = llvm.icmp "ne" %code, %zero : i32
    llvm.return %faulted : i1
  }

  llvm.func @gasync_hw_load_acquire_i32(%p: !llvm.ptr, %scope: i32) -> i32 {
    %v = llvm.load %p atomic acquire {alignment = 4 : i64} : !llvm.ptr -> i32
    llvm.return %v : i32
  }

  llvm.func @gasync_hw_store_release_i32(%p: !llvm.ptr, %v: i32, %scope: i32) {
    llvm.call @gasync_hw_progress() : () -> ()
    llvm.store %v, %p atomic release {alignment = 4 : i64} : i32, !llvm.ptr
    llvm.return
  }

  llvm.func @gasync_hw_add_release_i32(%p: !llvm.ptr, %v: i32, %scope: i32) -> i32 {
    llvm.call @gasync_hw_progress() : () -> ()
    %old = llvm.atomicrmw add %p, %v release : !llvm.ptr, i32
    llvm.return %old : i32
  }

  llvm.func @gasync_hw_load_acquire_i64(%p: !llvm.ptr, %scope: i32) -> i64 {
    %v = llvm.load %p atomic acquire {alignment = 8 : i64} : !llvm.ptr -> i64
    llvm.return %v : i64
  }

  llvm.func @gasync_hw_store_release_i64(%p: !llvm.ptr, %v: i64, %scope: i32) {
    llvm.call @gasync_hw_progress() : () -> ()
    llvm.store %v, %p atomic release {alignment = 8 : i64} : i64, !llvm.ptr
    llvm.return
  }

  llvm.func @gasync_hw_add_release_i64(%p: !llvm.ptr, %v: i64, %scope: i32) -> i64 {
    llvm.call @gasync_hw_progress() : () -> ()
    %old = llvm.atomicrmw add %p, %v release : !llvm.ptr, i64
    llvm.return %old : i64
  }

  llvm.func @gasync_hw_mbarrier_init(%p: !llvm.ptr, %count: i32) {
    llvm.call @gasync_hw_progress() : () -> ()
    %c = llvm.zext %count : i32 to i64
    %twenty = llvm.mlir.constant(20 : i64) : i64
    %expected = llvm.shl %c, %twenty : i64
    %w = llvm.or %c, %expected : i64
    llvm.store %w, %p {alignment = 8 : i64} : i64, !llvm.ptr
    llvm.return
  }

  // %arrivals arrive and %tx bytes are added to the transaction count
  // (negative: completed); then the phase completes if nothing is pending.
  llvm.func @gasync_hw_mbarrier_update(%p: !llvm.ptr, %arrivals: i64, %tx: i64) {
    llvm.call @gasync_hw_progress() : () -> ()
    %w = llvm.load %p {alignment = 8 : i64} : !llvm.ptr -> i64
    %twenty = llvm.mlir.constant(20 : i64) : i64
    %forty = llvm.mlir.constant(40 : i64) : i64
    %count_mask = llvm.mlir.constant(1048575 : i64) : i64
    %tx_mask = llvm.mlir.constant(8388607 : i64) : i64
    %phase_bit = llvm.mlir.constant(-9223372036854775808 : i64) : i64
    %zero = llvm.mlir.constant(0 : i64) : i64
    %pending0 = llvm.and %w, %count_mask : i64
    %pending1 = llvm.sub %pending0, %arrivals : i64
    %pending = llvm.and %pending1, %count_mask : i64
    %expected_field = llvm.lshr %w, %twenty : i64
    %expected = llvm.and %expected_field, %count_mask : i64
    %tx_field = llvm.lshr %w, %forty : i64
    %tx0 = llvm.and %tx_field, %tx_mask : i64
    %tx1 = llvm.add %tx0, %tx : i64
    %txn = llvm.and %tx1, %tx_mask : i64
    %phase = llvm.and %w, %phase_bit : i64
    %no_arrivals = llvm.icmp "eq" %pending, %zero : i64
    %no_bytes = llvm.icmp "eq" %txn, %zero : i64
    %complete = llvm.and %no_arrivals, %no_bytes : i1
    llvm.cond_br %complete, ^next_phase, ^same_phase
  ^next_phase:
    %flipped = llvm.xor %phase, %phase_bit : i64
    %e20 = llvm.shl %expected, %twenty : i64
    %n1 = llvm.or %flipped, %e20 : i64
    %n2 = llvm.or %n1, %expected : i64
    llvm.store %n2, %p {alignment = 8 : i64} : i64, !llvm.ptr
    llvm.return
  ^same_phase:
    %e20s = llvm.shl %expected, %twenty : i64
    %t40 = llvm.shl %txn, %forty : i64
    %s1 = llvm.or %phase, %e20s : i64
    %s2 = llvm.or %s1, %t40 : i64
    %s3 = llvm.or %s2, %pending : i64
    llvm.store %s3, %p {alignment = 8 : i64} : i64, !llvm.ptr
    llvm.return
  }

  llvm.func @gasync_hw_mbarrier_arrive(%p: !llvm.ptr) {
    %one = llvm.mlir.constant(1 : i64) : i64
    %zero = llvm.mlir.constant(0 : i64) : i64
    llvm.call @gasync_hw_mbarrier_update(%p, %one, %zero) : (!llvm.ptr, i64, i64) -> ()
    llvm.return
  }

  llvm.func @gasync_hw_mbarrier_arrive_expect_tx(%p: !llvm.ptr, %bytes: i32) {
    %one = llvm.mlir.constant(1 : i64) : i64
    %b = llvm.zext %bytes : i32 to i64
    llvm.call @gasync_hw_mbarrier_update(%p, %one, %b) : (!llvm.ptr, i64, i64) -> ()
    llvm.return
  }

  llvm.func @gasync_hw_mbarrier_test_parity(%p: !llvm.ptr, %parity: i32) -> i1 {
    %w = llvm.load %p {alignment = 8 : i64} : !llvm.ptr -> i64
    %sixty_three = llvm.mlir.constant(63 : i64) : i64
    %phase64 = llvm.lshr %w, %sixty_three : i64
    %phase = llvm.trunc %phase64 : i64 to i32
    %done = llvm.icmp "ne" %phase, %parity : i32
    llvm.return %done : i1
  }

  // Whether a slot's full barrier already completed the phase that carries
  // this send's message (parity `%parity`): only the sender arrives on it, so
  // another sender sent the same message number. Exact on one CPU thread.
  llvm.func @gasync_hw_sent_before(%full: !llvm.ptr, %parity: i32) -> i1 {
    %done = llvm.call @gasync_hw_mbarrier_test_parity(%full, %parity) : (!llvm.ptr, i32) -> i1
    llvm.return %done : i1
  }

  llvm.func @gasync_hw_bulk_load(%dst: !llvm.ptr, %src: !llvm.ptr, %bytes: i32, %bar: !llvm.ptr) {
    "llvm.intr.memcpy"(%dst, %src, %bytes) <{isVolatile = false}> : (!llvm.ptr, !llvm.ptr, i32) -> ()
    %zero = llvm.mlir.constant(0 : i64) : i64
    %b = llvm.zext %bytes : i32 to i64
    %completed = llvm.sub %zero, %b : i64
    llvm.call @gasync_hw_mbarrier_update(%bar, %zero, %completed) : (!llvm.ptr, i64, i64) -> ()
    llvm.return
  }

  llvm.func @gasync_hw_bulk_store(%dst: !llvm.ptr, %src: !llvm.ptr, %bytes: i32) {
    llvm.call @gasync_hw_progress() : () -> ()
    "llvm.intr.memcpy"(%dst, %src, %bytes) <{isVolatile = false}> : (!llvm.ptr, !llvm.ptr, i32) -> ()
    llvm.return
  }

  llvm.func @gasync_hw_bulk_wait_read() {
    llvm.return
  }

  llvm.func @clock_gettime(i32, !llvm.ptr) -> i32

  // CLOCK_MONOTONIC (Linux: 1), in nanoseconds.
  llvm.func @gasync_hw_now_ns() -> i64 {
    %one = llvm.mlir.constant(1 : i32) : i32
    %spec = llvm.alloca %one x !llvm.struct<(i64, i64)> : (i32) -> !llvm.ptr
    %rc = llvm.call @clock_gettime(%one, %spec) : (i32, !llvm.ptr) -> i32
    %s = llvm.load %spec : !llvm.ptr -> i64
    %nsp = llvm.getelementptr %spec[0, 1] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(i64, i64)>
    %ns = llvm.load %nsp : !llvm.ptr -> i64
    %billion = llvm.mlir.constant(1000000000 : i64) : i64
    %sn = llvm.mul %s, %billion : i64
    %t = llvm.add %sn, %ns : i64
    llvm.return %t : i64
  }
}
