// gasync's task executor (docs/executor.md), target-neutral: func, arith,
// scf and llvm pointer ops, so one definition serves the CPU (JIT) and the
// GPU (thread scope: each thread its own executor, in its local memory).
// `gasync-coro-lower` merges these functions into every symbol table (the
// module, or a gpu.module) that spawns tasks, next to the generated
// `@gasync_rt_dispatch`, a switch on the task kind calling each kind's poll
// function (no function pointers). All functions are private: after
// inlining, only what is used remains.
//
// A template: each placeholder (a dollar sign, then a name in braces) is a
// constant of runtime/abi.py (the executor's layout, scopes, slot states,
// fault codes), filled in when the text is read (abi.runtime_text).
// An executor is one block of memory (an alloca where block_on runs): the
// header's i32 fields (HEADER_*), the warp records (WARP_*; one per warp
// taking tasks), the slot records (SLOT_*), the run queue (a ring of pool
// entries, at least pool: every task is in it at most once), the frames.
// The header's counters head and tail count up; an entry is at counter & mask.
// A register executor (header field packed = 1: thread or warp scope, few
// slots) keeps its slot table and run queue in packed words of the header
// instead, so that no access to its block has a runtime offset; every
// function below that touches them branches on the (constant) parameter.
//
// Scopes: thread (each thread its own executor); warp (the 32 lanes run
// replicas of one executor that take the same decisions: every poll's
// outcome is voted on, so the warp polls the same task in the same state);
// block (one executor in shared memory for the thread block; each round its
// leader hands one ready task to each warp, which polls it with all its
// lanes; barriers separate the rounds).
//
// Each target defines these hooks (runtime/cpu/executor.mlir, where a warp
// is one lane and a block one warp; runtime/device/executor.mlir for NVIDIA
// GPUs). "The scope's lanes" are a warp's at warp and block scope.
//   @gasync_rt_vote_all(scope, x) -> i1   x on every lane of the scope
//   @gasync_rt_vote_max(scope, x) -> i32  the largest x over the scope
//   @gasync_rt_converged(scope) -> i1     every lane of the scope is here
//   @gasync_rt_broadcast(scope, x) -> i32 lane 0's x (block scope)
//   @gasync_rt_lane(scope) -> i32         the lane (block scope; else 0)
//   @gasync_rt_warp(scope) -> i32         the warp in the block (block scope; else 0)
//   @gasync_rt_warps(scope) -> i32        the block's warps (block scope; else 1)
//   @gasync_rt_barrier(scope)             the block's barrier (block scope)
//   @gasync_rt_syncwarp(scope)            the warp's lanes meet (block scope)
//   @gasync_rt_shared_cas(p, old, new) -> i1, @gasync_rt_shared_add(p, x) -> i32
//       atomics on the block-scope executor's memory (shared memory on the
//       GPU: the hook says so, or LLVM, seeing a thread-scope executor's
//       local alloca behind the same code, would emit atomics on local
//       memory, which PTX does not have)
// and @gasync_rt_fault(code, detail), which records a fault in the status
// record for the host. The hardware futures' runtime (runtime/*/hardware.mlir)
// defines two more, for deadlocks among hardware waits (the CPU's; on the GPU
// they fold away):
//   @gasync_rt_hw_stuck(requeued, pool) -> i1  after each poll: whether every
//       queued task stalled on a hardware wait that no task can complete
//   @gasync_rt_hw_deadlock() -> i32            records that deadlock, naming
//       the wait; its site
//
// Fault details name sites (runtime/abi.py's Site): indices into the
// program's site table, which the compiler writes (passes/site_table.py).
// The `_at` entry points take the site of their caller (a spawn, an await);
// `gasync-fault-sites` rewrites the calls `gasync-coro-lower` makes to the
// plain ones into them, and gives @gasync_rt_task_site the table's map from
// a task (its kind and its frame's state word) to where it is suspended.

module {
  func.func private @gasync_rt_dispatch(i32, !llvm.ptr, !llvm.ptr) -> i1
  func.func private @gasync_rt_fault(i32, i32)
  func.func private @gasync_rt_vote_all(i32, i1) -> i1
  func.func private @gasync_rt_vote_max(i32, i32) -> i32
  func.func private @gasync_rt_converged(i32) -> i1
  func.func private @gasync_rt_broadcast(i32, i32) -> i32
  func.func private @gasync_rt_lane(i32) -> i32
  func.func private @gasync_rt_warp(i32) -> i32
  func.func private @gasync_rt_warps(i32) -> i32
  func.func private @gasync_rt_barrier(i32)
  func.func private @gasync_rt_shared_cas(!llvm.ptr, i32, i32) -> i1
  func.func private @gasync_rt_shared_add(!llvm.ptr, i32) -> i32
  func.func private @gasync_rt_syncwarp(i32)
  func.func private @gasync_rt_hw_stuck(i1, i32) -> i1
  func.func private @gasync_rt_hw_deadlock() -> i32

  // An awaited child's readiness as the executor's scope sees it: outside an
  // executor or at thread scope, the lane's own; at warp scope, ready only
  // if ready on every lane (a lane whose child is done re-polls it, which
  // returns true again). Awaits must be reached by the whole warp: if not,
  // the executor stops with a divergence fault rather than vote in
  // divergent code.
  func.func private @gasync_rt_await_ready(%exec: !llvm.ptr, %ready: i1) -> i1 {
    %no_site = arith.constant ${NONE} : i32
    %r = func.call @gasync_rt_await_ready_at(%exec, %ready, %no_site) : (!llvm.ptr, i1, i32) -> i1
    return %r : i1
  }

  // The same, for the await at `site`, which a divergence fault names.
  func.func private @gasync_rt_await_ready_at(%exec: !llvm.ptr, %ready: i1, %site: i32) -> i1 {
    %null = llvm.mlir.zero : !llvm.ptr
    %none = llvm.icmp "eq" %exec, %null : !llvm.ptr
    %r = scf.if %none -> i1 {
      scf.yield %ready : i1
    } else {
      %thread_scope = arith.constant ${SCOPE_THREAD} : i32
      %diverged = arith.constant ${FAULT_DIVERGED} : i32
      %at_status = arith.constant ${HEADER_STATUS} : i32
      %at_detail = arith.constant ${HEADER_DETAIL} : i32
      %at_scope = arith.constant ${HEADER_SCOPE} : i32
      %false = arith.constant false
      %scope = func.call @gasync_rt_param(%exec, %at_scope) : (!llvm.ptr, i32) -> i32
      %thread = arith.cmpi eq, %scope, %thread_scope : i32
      %v = scf.if %thread -> i1 {
        scf.yield %ready : i1
      } else {
        %together = func.call @gasync_rt_converged(%scope) : (i32) -> i1
        %w = scf.if %together -> i1 {
          %all = func.call @gasync_rt_vote_all(%scope, %ready) : (i32, i1) -> i1
          scf.yield %all : i1
        } else {
          func.call @gasync_rt_set(%exec, %at_status, %diverged) : (!llvm.ptr, i32, i32) -> ()
          func.call @gasync_rt_set(%exec, %at_detail, %site) : (!llvm.ptr, i32, i32) -> ()
          scf.yield %false : i1
        }
        scf.yield %w : i1
      }
      scf.yield %v : i1
    }
    return %r : i1
  }

  // The site where a task of `kind` whose frame's state word is `state` is
  // suspended (or the task's own site when it has not started): NONE here;
  // gasync-fault-sites replaces this body with the program's table.
  func.func private @gasync_rt_task_site(%kind: i32, %state: i32) -> i32 {
    %none = arith.constant ${NONE} : i32
    return %none : i32
  }

  // The task_site of the task in `slot`: its frame starts with its state word.
  func.func private @gasync_rt_slot_site(%exec: !llvm.ptr, %slot: i32) -> i32 {
    %slot_kind = arith.constant ${SLOT_KIND} : i32
    %kind = func.call @gasync_rt_slot_get(%exec, %slot, %slot_kind) : (!llvm.ptr, i32, i32) -> i32
    %frame = func.call @gasync_rt_slot_frame(%exec, %slot) : (!llvm.ptr, i32) -> !llvm.ptr
    %state = llvm.load %frame : !llvm.ptr -> i32
    %site = func.call @gasync_rt_task_site(%kind, %state) : (i32, i32) -> i32
    return %site : i32
  }

  func.func private @gasync_rt_field(%exec: !llvm.ptr, %offset: i32) -> !llvm.ptr {
    %p = llvm.getelementptr %exec[%offset] : (!llvm.ptr, i32) -> !llvm.ptr, i8
    return %p : !llvm.ptr
  }

  func.func private @gasync_rt_get(%exec: !llvm.ptr, %offset: i32) -> i32 {
    %p = func.call @gasync_rt_field(%exec, %offset) : (!llvm.ptr, i32) -> !llvm.ptr
    %v = llvm.load %p : !llvm.ptr -> i32
    return %v : i32
  }

  // A parameter of the executor (one of runtime/abi.py's PARAMS: pool,
  // stride, budget, frames, scope, mask, packed): set once by
  // gasync_rt_exec_init.
  // When every executor of a symbol table has the same parameters,
  // gasync-lower-block-on replaces this body with the constants, so LLVM
  // folds them (and the branches on the scope) into the run loop instead of
  // reading the header on every poll.
  func.func private @gasync_rt_param(%exec: !llvm.ptr, %field: i32) -> i32 {
    %v = func.call @gasync_rt_get(%exec, %field) : (!llvm.ptr, i32) -> i32
    return %v : i32
  }

  func.func private @gasync_rt_set(%exec: !llvm.ptr, %offset: i32, %v: i32) {
    %p = func.call @gasync_rt_field(%exec, %offset) : (!llvm.ptr, i32) -> !llvm.ptr
    llvm.store %v, %p : i32, !llvm.ptr
    return
  }

  // Byte offset of field `field` (a SLOT_* offset) of slot `slot`.
  func.func private @gasync_rt_slot_field(%slot: i32, %field: i32) -> i32 {
    %slot_bytes = arith.constant ${SLOT_BYTES} : i32
    %slots_at = arith.constant ${HEADER_BYTES} : i32
    %a = arith.muli %slot, %slot_bytes : i32
    %b = arith.addi %a, %slots_at : i32
    %c = arith.addi %b, %field : i32
    return %c : i32
  }

  // Whether `exec` is a register executor (runtime/abi.py's Header.PACKED):
  // a parameter, so a constant once gasync-lower-block-on has specialised it.
  func.func private @gasync_rt_packed(%exec: !llvm.ptr) -> i1 {
    %c0 = arith.constant 0 : i32
    %at_packed = arith.constant ${HEADER_PACKED} : i32
    %v = func.call @gasync_rt_param(%exec, %at_packed) : (!llvm.ptr, i32) -> i32
    %r = arith.cmpi ne, %v, %c0 : i32
    return %r : i1
  }

  // A register executor's packed words: field `i`, `bits` wide, of the i64
  // at header offset `at` (a shift of a word at a constant offset, never a
  // memory access at a runtime one: the block stays promotable).
  func.func private @gasync_rt_bits_get(%exec: !llvm.ptr, %at: i32, %bits: i32, %i: i32) -> i32 {
    %one = arith.constant 1 : i64
    %p = func.call @gasync_rt_field(%exec, %at) : (!llvm.ptr, i32) -> !llvm.ptr
    %w = llvm.load %p : !llvm.ptr -> i64
    %b = arith.muli %i, %bits : i32
    %shift = arith.extui %b : i32 to i64
    %width = arith.extui %bits : i32 to i64
    %top = arith.shli %one, %width : i64
    %mask = arith.subi %top, %one : i64
    %s = arith.shrui %w, %shift : i64
    %v = arith.andi %s, %mask : i64
    %r = arith.trunci %v : i64 to i32
    return %r : i32
  }

  func.func private @gasync_rt_bits_set(%exec: !llvm.ptr, %at: i32, %bits: i32, %i: i32, %v: i32) {
    %one = arith.constant 1 : i64
    %ones = arith.constant -1 : i64
    %p = func.call @gasync_rt_field(%exec, %at) : (!llvm.ptr, i32) -> !llvm.ptr
    %w = llvm.load %p : !llvm.ptr -> i64
    %b = arith.muli %i, %bits : i32
    %shift = arith.extui %b : i32 to i64
    %width = arith.extui %bits : i32 to i64
    %top = arith.shli %one, %width : i64
    %mask = arith.subi %top, %one : i64
    %placed = arith.shli %mask, %shift : i64
    %hole = arith.xori %placed, %ones : i64
    %kept = arith.andi %w, %hole : i64
    %v64 = arith.extui %v : i32 to i64
    %vm = arith.andi %v64, %mask : i64
    %vs = arith.shli %vm, %shift : i64
    %n = arith.ori %kept, %vs : i64
    llvm.store %n, %p : i64, !llvm.ptr
    return
  }

  // A register executor's KINDS: two words of KIND_BITS-wide kinds (slots
  // 0-7, then 8-15), both read and the right one selected by value.
  func.func private @gasync_rt_kind_get(%exec: !llvm.ptr, %slot: i32) -> i32 {
    %c7 = arith.constant 7 : i32
    %c8 = arith.constant 8 : i32
    %bits = arith.constant ${KIND_BITS} : i32
    %at_lo = arith.constant ${HEADER_KINDS} : i32
    %at_hi = arith.addi %at_lo, %c8 : i32
    %i = arith.andi %slot, %c7 : i32
    %lo = func.call @gasync_rt_bits_get(%exec, %at_lo, %bits, %i) : (!llvm.ptr, i32, i32, i32) -> i32
    %hi = func.call @gasync_rt_bits_get(%exec, %at_hi, %bits, %i) : (!llvm.ptr, i32, i32, i32) -> i32
    %low = arith.cmpi ult, %slot, %c8 : i32
    %r = arith.select %low, %lo, %hi : i32
    return %r : i32
  }

  func.func private @gasync_rt_kind_set(%exec: !llvm.ptr, %slot: i32, %v: i32) {
    %c7 = arith.constant 7 : i32
    %c8 = arith.constant 8 : i32
    %bits = arith.constant ${KIND_BITS} : i32
    %at_lo = arith.constant ${HEADER_KINDS} : i32
    %at_hi = arith.addi %at_lo, %c8 : i32
    %i = arith.andi %slot, %c7 : i32
    %low = arith.cmpi ult, %slot, %c8 : i32
    scf.if %low {
      func.call @gasync_rt_bits_set(%exec, %at_lo, %bits, %i, %v) : (!llvm.ptr, i32, i32, i32, i32) -> ()
    } else {
      func.call @gasync_rt_bits_set(%exec, %at_hi, %bits, %i, %v) : (!llvm.ptr, i32, i32, i32, i32) -> ()
    }
    return
  }

  // Field `field` (a SLOT_* offset) of slot `slot`: a slot record of the
  // byte block, or a register executor's packed words (where a waiter of
  // NONE is the slot itself).
  func.func private @gasync_rt_slot_get(%exec: !llvm.ptr, %slot: i32, %field: i32) -> i32 {
    %packed = func.call @gasync_rt_packed(%exec) : (!llvm.ptr) -> i1
    %r = scf.if %packed -> i32 {
      %slot_kind = arith.constant ${SLOT_KIND} : i32
      %slot_waiter = arith.constant ${SLOT_WAITER} : i32
      %bits = arith.constant ${PACKED_BITS} : i32
      %is_kind = arith.cmpi eq, %field, %slot_kind : i32
      %v = scf.if %is_kind -> i32 {
        %k = func.call @gasync_rt_kind_get(%exec, %slot) : (!llvm.ptr, i32) -> i32
        scf.yield %k : i32
      } else {
        %is_waiter = arith.cmpi eq, %field, %slot_waiter : i32
        %u = scf.if %is_waiter -> i32 {
          %at_waiters = arith.constant ${HEADER_WAITERS} : i32
          %none = arith.constant ${NONE} : i32
          %w = func.call @gasync_rt_bits_get(%exec, %at_waiters, %bits, %slot) : (!llvm.ptr, i32, i32, i32) -> i32
          %own = arith.cmpi eq, %w, %slot : i32
          %named = arith.select %own, %none, %w : i32
          scf.yield %named : i32
        } else {
          %at_states = arith.constant ${HEADER_STATES} : i32
          %s = func.call @gasync_rt_bits_get(%exec, %at_states, %bits, %slot) : (!llvm.ptr, i32, i32, i32) -> i32
          scf.yield %s : i32
        }
        scf.yield %u : i32
      }
      scf.yield %v : i32
    } else {
      %o = func.call @gasync_rt_slot_field(%slot, %field) : (i32, i32) -> i32
      %v = func.call @gasync_rt_get(%exec, %o) : (!llvm.ptr, i32) -> i32
      scf.yield %v : i32
    }
    return %r : i32
  }

  func.func private @gasync_rt_slot_set(%exec: !llvm.ptr, %slot: i32, %field: i32, %v: i32) {
    %packed = func.call @gasync_rt_packed(%exec) : (!llvm.ptr) -> i1
    scf.if %packed {
      %slot_kind = arith.constant ${SLOT_KIND} : i32
      %slot_waiter = arith.constant ${SLOT_WAITER} : i32
      %bits = arith.constant ${PACKED_BITS} : i32
      %is_kind = arith.cmpi eq, %field, %slot_kind : i32
      scf.if %is_kind {
        func.call @gasync_rt_kind_set(%exec, %slot, %v) : (!llvm.ptr, i32, i32) -> ()
      } else {
        %is_waiter = arith.cmpi eq, %field, %slot_waiter : i32
        scf.if %is_waiter {
          %at_waiters = arith.constant ${HEADER_WAITERS} : i32
          %c0 = arith.constant 0 : i32
          %none = arith.cmpi slt, %v, %c0 : i32
          %named = arith.select %none, %slot, %v : i32
          func.call @gasync_rt_bits_set(%exec, %at_waiters, %bits, %slot, %named) : (!llvm.ptr, i32, i32, i32, i32) -> ()
        } else {
          %at_states = arith.constant ${HEADER_STATES} : i32
          func.call @gasync_rt_bits_set(%exec, %at_states, %bits, %slot, %v) : (!llvm.ptr, i32, i32, i32, i32) -> ()
        }
      }
    } else {
      %o = func.call @gasync_rt_slot_field(%slot, %field) : (i32, i32) -> i32
      func.call @gasync_rt_set(%exec, %o, %v) : (!llvm.ptr, i32, i32) -> ()
    }
    return
  }

  // The frame of the task in `slot` (at block scope, this lane's frame).
  func.func private @gasync_rt_slot_frame(%exec: !llvm.ptr, %slot: i32) -> !llvm.ptr {
    %block_scope = arith.constant ${SCOPE_BLOCK} : i32
    %at_stride = arith.constant ${HEADER_STRIDE} : i32
    %lanes = arith.constant ${WARP_LANES} : i32
    %at_frames = arith.constant ${HEADER_FRAMES} : i32
    %at_scope = arith.constant ${HEADER_SCOPE} : i32
    %stride = func.call @gasync_rt_param(%exec, %at_stride) : (!llvm.ptr, i32) -> i32
    %base = func.call @gasync_rt_param(%exec, %at_frames) : (!llvm.ptr, i32) -> i32
    %scope = func.call @gasync_rt_param(%exec, %at_scope) : (!llvm.ptr, i32) -> i32
    %block = arith.cmpi eq, %scope, %block_scope : i32
    %lane = func.call @gasync_rt_lane(%scope) : (i32) -> i32
    %wide = arith.muli %slot, %lanes : i32
    %lane_slot = arith.addi %wide, %lane : i32
    %index = arith.select %block, %lane_slot, %slot : i32
    %a = arith.muli %index, %stride : i32
    %o = arith.addi %base, %a : i32
    %p = func.call @gasync_rt_field(%exec, %o) : (!llvm.ptr, i32) -> !llvm.ptr
    return %p : !llvm.ptr
  }

  // Poll the task in `slot`, of `kind`: the dispatch on its kind, with its
  // frame. A register executor's copy is a switch on the slot instead, each
  // case polling its frame at a constant slot (passes/static_slots.py).
  func.func private @gasync_rt_poll_slot(%exec: !llvm.ptr, %kind: i32, %slot: i32) -> i1 {
    %frame = func.call @gasync_rt_slot_frame(%exec, %slot) : (!llvm.ptr, i32) -> !llvm.ptr
    %done = func.call @gasync_rt_dispatch(%kind, %frame, %exec) : (i32, !llvm.ptr, !llvm.ptr) -> i1
    return %done : i1
  }

  // Byte offset of field `field` (a WARP_* offset) of the calling warp's
  // record.
  func.func private @gasync_rt_warp_field(%exec: !llvm.ptr, %field: i32) -> i32 {
    %record_bytes = arith.constant ${WARP_RECORD_BYTES} : i32
    %at_scope = arith.constant ${HEADER_SCOPE} : i32
    %records_at = arith.constant ${WARP_RECORDS} : i32
    %scope = func.call @gasync_rt_param(%exec, %at_scope) : (!llvm.ptr, i32) -> i32
    %w = func.call @gasync_rt_warp(%scope) : (i32) -> i32
    %a = arith.muli %w, %record_bytes : i32
    %b = arith.addi %a, %records_at : i32
    %c = arith.addi %b, %field : i32
    return %c : i32
  }

  // Byte offset of run-queue entry `counter`: the ring has a power-of-two
  // number of entries (at least pool), so the index is a mask, not a division.
  func.func private @gasync_rt_queue_entry(%exec: !llvm.ptr, %counter: i32) -> i32 {
    %entry_bytes = arith.constant ${QUEUE_ENTRY_BYTES} : i32
    %slot_bytes = arith.constant ${SLOT_BYTES} : i32
    %at_pool = arith.constant ${HEADER_POOL} : i32
    %at_mask = arith.constant ${HEADER_MASK} : i32
    %slots_at = arith.constant ${HEADER_BYTES} : i32
    %pool = func.call @gasync_rt_param(%exec, %at_pool) : (!llvm.ptr, i32) -> i32
    %mask = func.call @gasync_rt_param(%exec, %at_mask) : (!llvm.ptr, i32) -> i32
    %i = arith.andi %counter, %mask : i32
    %slots = arith.muli %pool, %slot_bytes : i32
    %q = arith.addi %slots, %slots_at : i32
    %e = arith.muli %i, %entry_bytes : i32
    %o = arith.addi %q, %e : i32
    return %o : i32
  }

  func.func private @gasync_rt_enqueue(%exec: !llvm.ptr, %slot: i32) {
    %c1 = arith.constant 1 : i32
    %packed = func.call @gasync_rt_packed(%exec) : (!llvm.ptr) -> i1
    scf.if %packed {
      // The queue's i64, newest entry in the low bits: a shift by a constant
      // and an or, whatever the length (the run loop requeues a task on
      // every yield). The entries above the LENGTH queued are never read.
      %bits = arith.constant ${PACKED_BITS} : i32
      %at_queue = arith.constant ${HEADER_QUEUE} : i32
      %at_length = arith.constant ${HEADER_LENGTH} : i32
      %n = func.call @gasync_rt_get(%exec, %at_length) : (!llvm.ptr, i32) -> i32
      %qp = func.call @gasync_rt_field(%exec, %at_queue) : (!llvm.ptr, i32) -> !llvm.ptr
      %q = llvm.load %qp : !llvm.ptr -> i64
      %width = arith.extui %bits : i32 to i64
      %moved = arith.shli %q, %width : i64
      %entry = arith.extui %slot : i32 to i64
      %grown = arith.ori %moved, %entry : i64
      llvm.store %grown, %qp : i64, !llvm.ptr
      %m = arith.addi %n, %c1 : i32
      func.call @gasync_rt_set(%exec, %at_length, %m) : (!llvm.ptr, i32, i32) -> ()
    } else {
      %at_tail = arith.constant ${HEADER_TAIL} : i32
      %tail = func.call @gasync_rt_get(%exec, %at_tail) : (!llvm.ptr, i32) -> i32
      %o = func.call @gasync_rt_queue_entry(%exec, %tail) : (!llvm.ptr, i32) -> i32
      func.call @gasync_rt_set(%exec, %o, %slot) : (!llvm.ptr, i32, i32) -> ()
      %t = arith.addi %tail, %c1 : i32
      func.call @gasync_rt_set(%exec, %at_tail, %t) : (!llvm.ptr, i32, i32) -> ()
    }
    return
  }

  // Enqueue from any warp of a block-scope executor (spawns run in parallel).
  func.func private @gasync_rt_enqueue_shared(%exec: !llvm.ptr, %slot: i32) {
    %c1 = arith.constant 1 : i32
    %at_tail = arith.constant ${HEADER_TAIL} : i32
    %p = func.call @gasync_rt_field(%exec, %at_tail) : (!llvm.ptr, i32) -> !llvm.ptr
    %tail = func.call @gasync_rt_shared_add(%p, %c1) : (!llvm.ptr, i32) -> i32
    %o = func.call @gasync_rt_queue_entry(%exec, %tail) : (!llvm.ptr, i32) -> i32
    func.call @gasync_rt_set(%exec, %o, %slot) : (!llvm.ptr, i32, i32) -> ()
    return
  }

  // The next ready slot, or NONE when the queue is empty.
  func.func private @gasync_rt_dequeue(%exec: !llvm.ptr) -> i32 {
    %c0 = arith.constant 0 : i32
    %c1 = arith.constant 1 : i32
    %none = arith.constant ${NONE} : i32
    %packed = func.call @gasync_rt_packed(%exec) : (!llvm.ptr) -> i1
    %r = scf.if %packed -> i32 {
      %at_queue = arith.constant ${HEADER_QUEUE} : i32
      %at_length = arith.constant ${HEADER_LENGTH} : i32
      %n = func.call @gasync_rt_get(%exec, %at_length) : (!llvm.ptr, i32) -> i32
      %empty = arith.cmpi eq, %n, %c0 : i32
      %s = scf.if %empty -> i32 {
        scf.yield %none : i32
      } else {
        // The head is the oldest entry, LENGTH - 1 entries up: read in
        // place; what is left above the new length is never read again.
        %bits = arith.constant ${PACKED_BITS} : i32
        %left = arith.subi %n, %c1 : i32
        %head = func.call @gasync_rt_bits_get(%exec, %at_queue, %bits, %left) : (!llvm.ptr, i32, i32, i32) -> i32
        func.call @gasync_rt_set(%exec, %at_length, %left) : (!llvm.ptr, i32, i32) -> ()
        scf.yield %head : i32
      }
      scf.yield %s : i32
    } else {
      %at_head = arith.constant ${HEADER_HEAD} : i32
      %at_tail = arith.constant ${HEADER_TAIL} : i32
      %head = func.call @gasync_rt_get(%exec, %at_head) : (!llvm.ptr, i32) -> i32
      %tail = func.call @gasync_rt_get(%exec, %at_tail) : (!llvm.ptr, i32) -> i32
      %empty = arith.cmpi eq, %head, %tail : i32
      %s = scf.if %empty -> i32 {
        scf.yield %none : i32
      } else {
        %o = func.call @gasync_rt_queue_entry(%exec, %head) : (!llvm.ptr, i32) -> i32
        %e = func.call @gasync_rt_get(%exec, %o) : (!llvm.ptr, i32) -> i32
        %h = arith.addi %head, %c1 : i32
        func.call @gasync_rt_set(%exec, %at_head, %h) : (!llvm.ptr, i32, i32) -> ()
        scf.yield %e : i32
      }
      scf.yield %s : i32
    }
    return %r : i32
  }

  // A fresh executor: `pool` slots (the root's included) of `stride` bytes,
  // frames at byte `frames`, the watchdog's poll `budget`, the `scope`, a
  // run queue of `mask` + 1 entries, `packed` (Header.PACKED).
  func.func private @gasync_rt_exec_init(%exec: !llvm.ptr, %pool: i32, %stride: i32,
                                         %frames: i32, %budget: i32, %scope: i32,
                                         %mask: i32, %packed: i32) {
    %c0 = arith.constant 0 : i32
    %c1 = arith.constant 1 : i32
    %free = arith.constant ${STATE_FREE} : i32
    %slot_state = arith.constant ${SLOT_STATE} : i32
    %slot_waiter = arith.constant ${SLOT_WAITER} : i32
    %none = arith.constant ${NONE} : i32
    %at_pool = arith.constant ${HEADER_POOL} : i32
    %at_stride = arith.constant ${HEADER_STRIDE} : i32
    %at_budget = arith.constant ${HEADER_BUDGET} : i32
    %at_frames = arith.constant ${HEADER_FRAMES} : i32
    %at_packed = arith.constant ${HEADER_PACKED} : i32
    %word = arith.constant ${WORD_BYTES} : i32
    %one_warp = arith.constant ${ONE_WARP_HEADER_BYTES} : i32
    %is_packed = arith.cmpi ne, %packed, %c0 : i32
    scf.if %is_packed {
      // One memset of constant length, so the block stays promotable: every
      // state FREE, the queue empty, every kind 0.
      %zero = arith.constant 0 : i8
      "llvm.intr.memset"(%exec, %zero, %one_warp) <{isVolatile = false}> : (!llvm.ptr, i8, i32) -> ()
      // No waiters: each slot's nibble names the slot itself.
      %own = arith.constant -81985529216486896 : i64  // 0xFEDCBA9876543210
      %at_waiters = arith.constant ${HEADER_WAITERS} : i32
      %wp = func.call @gasync_rt_field(%exec, %at_waiters) : (!llvm.ptr, i32) -> !llvm.ptr
      llvm.store %own, %wp : i64, !llvm.ptr
    } else {
      // The header and the warp records in use (all of them at block scope).
      %block_scope = arith.constant ${SCOPE_BLOCK} : i32
      %all_warps = arith.constant ${HEADER_BYTES} : i32
      %is_block = arith.cmpi eq, %scope, %block_scope : i32
      %extent = arith.select %is_block, %all_warps, %one_warp : i32
      scf.for %o = %c0 to %extent step %word : i32 {
        func.call @gasync_rt_set(%exec, %o, %c0) : (!llvm.ptr, i32, i32) -> ()
      }
    }
    %at_mask = arith.constant ${HEADER_MASK} : i32
    func.call @gasync_rt_set(%exec, %at_mask, %mask) : (!llvm.ptr, i32, i32) -> ()
    %warps = func.call @gasync_rt_warps(%scope) : (i32) -> i32
    %at_warps = arith.constant ${HEADER_WARPS} : i32
    func.call @gasync_rt_set(%exec, %at_warps, %warps) : (!llvm.ptr, i32, i32) -> ()
    func.call @gasync_rt_set(%exec, %at_pool, %pool) : (!llvm.ptr, i32, i32) -> ()
    func.call @gasync_rt_set(%exec, %at_stride, %stride) : (!llvm.ptr, i32, i32) -> ()
    func.call @gasync_rt_set(%exec, %at_budget, %budget) : (!llvm.ptr, i32, i32) -> ()
    func.call @gasync_rt_set(%exec, %at_frames, %frames) : (!llvm.ptr, i32, i32) -> ()
    func.call @gasync_rt_set(%exec, %at_packed, %packed) : (!llvm.ptr, i32, i32) -> ()
    %at_scope = arith.constant ${HEADER_SCOPE} : i32
    func.call @gasync_rt_set(%exec, %at_scope, %scope) : (!llvm.ptr, i32, i32) -> ()
    scf.if %is_packed {
    } else {
      scf.for %s = %c0 to %pool step %c1 : i32 {
        func.call @gasync_rt_slot_set(%exec, %s, %slot_state, %free) : (!llvm.ptr, i32, i32, i32) -> ()
        func.call @gasync_rt_slot_set(%exec, %s, %slot_waiter, %none) : (!llvm.ptr, i32, i32, i32) -> ()
      }
    }
    return
  }

  // Take a free slot for a task of `kind` and queue it: its slot, or NONE
  // with a pool overflow fault when every slot is taken, or a divergence
  // fault when a warp-scope executor's lanes do not spawn together.
  func.func private @gasync_rt_spawn(%exec: !llvm.ptr, %kind: i32) -> i32 {
    %no_site = arith.constant ${NONE} : i32
    %r = func.call @gasync_rt_spawn_at(%exec, %kind, %no_site) : (!llvm.ptr, i32, i32) -> i32
    return %r : i32
  }

  // The same, for the spawn at `site`, which the faults name.
  func.func private @gasync_rt_spawn_at(%exec: !llvm.ptr, %kind: i32, %site: i32) -> i32 {
    %block_scope = arith.constant ${SCOPE_BLOCK} : i32
    %at_scope = arith.constant ${HEADER_SCOPE} : i32
    %scope = func.call @gasync_rt_param(%exec, %at_scope) : (!llvm.ptr, i32) -> i32
    %block = arith.cmpi eq, %scope, %block_scope : i32
    %r = scf.if %block -> i32 {
      %s = func.call @gasync_rt_spawn_shared(%exec, %kind, %site) : (!llvm.ptr, i32, i32) -> i32
      scf.yield %s : i32
    } else {
      %s = func.call @gasync_rt_spawn_replica(%exec, %kind, %site) : (!llvm.ptr, i32, i32) -> i32
      scf.yield %s : i32
    }
    return %r : i32
  }

  // Block scope: the spawning warp's lane 0 claims a slot (other warps may
  // be spawning too: compare-and-swap) and queues it; the lanes share it.
  func.func private @gasync_rt_spawn_shared(%exec: !llvm.ptr, %kind: i32, %site: i32) -> i32 {
    %c0 = arith.constant 0 : i32
    %c1 = arith.constant 1 : i32
    %block_scope = arith.constant ${SCOPE_BLOCK} : i32
    %free = arith.constant ${STATE_FREE} : i32
    %ready_state = arith.constant ${STATE_READY} : i32
    %slot_state = arith.constant ${SLOT_STATE} : i32
    %slot_kind = arith.constant ${SLOT_KIND} : i32
    %slot_waiter = arith.constant ${SLOT_WAITER} : i32
    %overflow = arith.constant ${FAULT_POOL_OVERFLOW} : i32
    %diverged = arith.constant ${FAULT_DIVERGED} : i32
    %at_status = arith.constant ${HEADER_STATUS} : i32
    %at_pool = arith.constant ${HEADER_POOL} : i32
    %at_detail = arith.constant ${HEADER_DETAIL} : i32
    %none = arith.constant ${NONE} : i32
    %false = arith.constant false
    %true = arith.constant true
    %together = func.call @gasync_rt_converged(%block_scope) : (i32) -> i1
    %r = scf.if %together -> i32 {
      %lane = func.call @gasync_rt_lane(%block_scope) : (i32) -> i32
      %first = arith.cmpi eq, %lane, %c0 : i32
      %mine = scf.if %first -> i32 {
        %pool = func.call @gasync_rt_param(%exec, %at_pool) : (!llvm.ptr, i32) -> i32
        %found = scf.while (%s = %c1) : (i32) -> i32 {
          %in = arith.cmpi slt, %s, %pool : i32
          %won = scf.if %in -> i1 {
            %o = func.call @gasync_rt_slot_field(%s, %slot_state) : (i32, i32) -> i32
            %p = func.call @gasync_rt_field(%exec, %o) : (!llvm.ptr, i32) -> !llvm.ptr
            %ok = func.call @gasync_rt_shared_cas(%p, %free, %ready_state) : (!llvm.ptr, i32, i32) -> i1
            scf.yield %ok : i1
          } else {
            scf.yield %false : i1
          }
          %lost = arith.xori %won, %true : i1
          %more = arith.andi %in, %lost : i1
          scf.condition(%more) %s : i32
        } do {
        ^bb0(%s: i32):
          %n = arith.addi %s, %c1 : i32
          scf.yield %n : i32
        }
        %full = arith.cmpi sge, %found, %pool : i32
        %slot = scf.if %full -> i32 {
          func.call @gasync_rt_set(%exec, %at_status, %overflow) : (!llvm.ptr, i32, i32) -> ()
          func.call @gasync_rt_set(%exec, %at_detail, %site) : (!llvm.ptr, i32, i32) -> ()
          scf.yield %none : i32
        } else {
          func.call @gasync_rt_slot_set(%exec, %found, %slot_kind, %kind) : (!llvm.ptr, i32, i32, i32) -> ()
          func.call @gasync_rt_slot_set(%exec, %found, %slot_waiter, %none) : (!llvm.ptr, i32, i32, i32) -> ()
          func.call @gasync_rt_enqueue_shared(%exec, %found) : (!llvm.ptr, i32) -> ()
          scf.yield %found : i32
        }
        scf.yield %slot : i32
      } else {
        scf.yield %none : i32
      }
      %shared = func.call @gasync_rt_broadcast(%block_scope, %mine) : (i32, i32) -> i32
      scf.yield %shared : i32
    } else {
      func.call @gasync_rt_set(%exec, %at_status, %diverged) : (!llvm.ptr, i32, i32) -> ()
      func.call @gasync_rt_set(%exec, %at_detail, %site) : (!llvm.ptr, i32, i32) -> ()
      scf.yield %none : i32
    }
    return %r : i32
  }

  // The first free slot after the root's, or one at or above `pool` when
  // there is none (thread and warp scope). A register executor finds it in
  // its states word at once, without a loop over the slots: a field of 0 is
  // FREE, and its states (FREE to DONE) fit in a field's two low bits.
  func.func private @gasync_rt_free_slot(%exec: !llvm.ptr, %pool: i32) -> i32 {
    %c1 = arith.constant 1 : i32
    %free = arith.constant ${STATE_FREE} : i32
    %slot_state = arith.constant ${SLOT_STATE} : i32
    %packed = func.call @gasync_rt_packed(%exec) : (!llvm.ptr) -> i1
    %r = scf.if %packed -> i32 {
      // Bit 4i of `open` is set when slot i (1 <= i < pool) is free.
      %one = arith.constant 1 : i64
      %two = arith.constant 2 : i64
      %four = arith.constant 4 : i64
      %c64 = arith.constant 64 : i64
      %lows = arith.constant 1229782938247303441 : i64  // 0x1111111111111111
      %not_root = arith.constant 1229782938247303440 : i64  // 0x1111111111111110
      %at_states = arith.constant ${HEADER_STATES} : i32
      %p = func.call @gasync_rt_field(%exec, %at_states) : (!llvm.ptr, i32) -> !llvm.ptr
      %w = llvm.load %p : !llvm.ptr -> i64
      %w1 = arith.shrui %w, %one : i64
      %used = arith.ori %w, %w1 : i64
      %p64 = arith.extui %pool : i32 to i64
      %pool_bits = arith.muli %p64, %four : i64
      %unused = arith.subi %c64, %pool_bits : i64
      %in_pool = arith.shrui %lows, %unused : i64
      %slots = arith.andi %in_pool, %not_root : i64
      %busy = arith.andi %slots, %used : i64
      %open = arith.xori %busy, %slots : i64
      // No free slot: cttz is 64, slot 16, at least the pool.
      %z = "llvm.intr.cttz"(%open) <{is_zero_poison = false}> : (i64) -> i64
      %i = arith.shrui %z, %two : i64
      %found = arith.trunci %i : i64 to i32
      scf.yield %found : i32
    } else {
      %found = scf.while (%s = %c1) : (i32) -> i32 {
        %in = arith.cmpi slt, %s, %pool : i32
        %st = scf.if %in -> i32 {
          %v = func.call @gasync_rt_slot_get(%exec, %s, %slot_state) : (!llvm.ptr, i32, i32) -> i32
          scf.yield %v : i32
        } else {
          scf.yield %free : i32
        }
        %busy = arith.cmpi ne, %st, %free : i32
        %more = arith.andi %in, %busy : i1
        scf.condition(%more) %s : i32
      } do {
      ^bb0(%s: i32):
        %n = arith.addi %s, %c1 : i32
        scf.yield %n : i32
      }
      scf.yield %found : i32
    }
    return %r : i32
  }

  // Thread and warp scope: every lane's replica of the executor takes the
  // same free slot.
  func.func private @gasync_rt_spawn_replica(%exec: !llvm.ptr, %kind: i32, %site: i32) -> i32 {
    %true = arith.constant true
    %ready_state = arith.constant ${STATE_READY} : i32
    %slot_state = arith.constant ${SLOT_STATE} : i32
    %slot_kind = arith.constant ${SLOT_KIND} : i32
    %slot_waiter = arith.constant ${SLOT_WAITER} : i32
    %overflow = arith.constant ${FAULT_POOL_OVERFLOW} : i32
    %diverged = arith.constant ${FAULT_DIVERGED} : i32
    %at_status = arith.constant ${HEADER_STATUS} : i32
    %at_pool = arith.constant ${HEADER_POOL} : i32
    %at_detail = arith.constant ${HEADER_DETAIL} : i32
    %at_scope = arith.constant ${HEADER_SCOPE} : i32
    %none = arith.constant ${NONE} : i32
    %pool = func.call @gasync_rt_param(%exec, %at_pool) : (!llvm.ptr, i32) -> i32
    // A warp-scope executor's replicas must spawn together, or they diverge.
    %scope = func.call @gasync_rt_param(%exec, %at_scope) : (!llvm.ptr, i32) -> i32
    %together = func.call @gasync_rt_converged(%scope) : (i32) -> i1
    %found = func.call @gasync_rt_free_slot(%exec, %pool) : (!llvm.ptr, i32) -> i32
    %full = arith.cmpi sge, %found, %pool : i32
    %apart = arith.xori %together, %true : i1
    %refuse = arith.ori %apart, %full : i1
    %fault = arith.select %apart, %diverged, %overflow : i32
    %r = scf.if %refuse -> i32 {
      func.call @gasync_rt_set(%exec, %at_status, %fault) : (!llvm.ptr, i32, i32) -> ()
      func.call @gasync_rt_set(%exec, %at_detail, %site) : (!llvm.ptr, i32, i32) -> ()
      scf.yield %none : i32
    } else {
      func.call @gasync_rt_slot_set(%exec, %found, %slot_state, %ready_state) : (!llvm.ptr, i32, i32, i32) -> ()
      func.call @gasync_rt_slot_set(%exec, %found, %slot_kind, %kind) : (!llvm.ptr, i32, i32, i32) -> ()
      func.call @gasync_rt_slot_set(%exec, %found, %slot_waiter, %none) : (!llvm.ptr, i32, i32, i32) -> ()
      func.call @gasync_rt_enqueue(%exec, %found) : (!llvm.ptr, i32) -> ()
      scf.yield %found : i32
    }
    return %r : i32
  }

  // Joining `task` from the current task: true if it is done; otherwise the
  // current task waits, to be woken when `task` finishes.
  func.func private @gasync_rt_join(%exec: !llvm.ptr, %task: i32) -> i1 {
    %slot_state = arith.constant ${SLOT_STATE} : i32
    %slot_waiter = arith.constant ${SLOT_WAITER} : i32
    %done_state = arith.constant ${STATE_DONE} : i32
    %warp_current = arith.constant ${WARP_CURRENT} : i32
    %warp_park = arith.constant ${WARP_PARK} : i32
    %join = arith.constant ${PARK_JOIN} : i32
    %st = func.call @gasync_rt_slot_get(%exec, %task, %slot_state) : (!llvm.ptr, i32, i32) -> i32
    %done = arith.cmpi eq, %st, %done_state : i32
    scf.if %done {
    } else {
      %co = func.call @gasync_rt_warp_field(%exec, %warp_current) : (!llvm.ptr, i32) -> i32
      %current = func.call @gasync_rt_get(%exec, %co) : (!llvm.ptr, i32) -> i32
      func.call @gasync_rt_slot_set(%exec, %task, %slot_waiter, %current) : (!llvm.ptr, i32, i32, i32) -> ()
      %po = func.call @gasync_rt_warp_field(%exec, %warp_park) : (!llvm.ptr, i32) -> i32
      func.call @gasync_rt_set(%exec, %po, %join) : (!llvm.ptr, i32, i32) -> ()
    }
    return %done : i1
  }

  // A joined task's slot becomes free (its result has been read). At block
  // scope the warp's lanes first meet: every lane has read the slot's state
  // and the result before any lane frees it.
  func.func private @gasync_rt_release(%exec: !llvm.ptr, %task: i32) {
    %slot_state = arith.constant ${SLOT_STATE} : i32
    %free = arith.constant ${STATE_FREE} : i32
    %at_scope = arith.constant ${HEADER_SCOPE} : i32
    %scope = func.call @gasync_rt_param(%exec, %at_scope) : (!llvm.ptr, i32) -> i32
    func.call @gasync_rt_syncwarp(%scope) : (i32) -> ()
    func.call @gasync_rt_slot_set(%exec, %task, %slot_state, %free) : (!llvm.ptr, i32, i32, i32) -> ()
    return
  }

  // Run until the root (slot 0, of kind `root_kind`, its frame initialised)
  // is done, or a fault stops the executor; a fault is reported to the
  // target's @gasync_rt_fault (the host reads it after the run). `site` is
  // the block_on's, which a deadlock names.
  func.func private @gasync_rt_run(%exec: !llvm.ptr, %root_kind: i32, %site: i32) {
    %c0 = arith.constant 0 : i32
    %c1 = arith.constant 1 : i32
    %root_slot = arith.constant 0 : i32
    %ready_state = arith.constant ${STATE_READY} : i32
    %waiting = arith.constant ${STATE_WAITING} : i32
    %done_state = arith.constant ${STATE_DONE} : i32
    %slot_state = arith.constant ${SLOT_STATE} : i32
    %slot_kind = arith.constant ${SLOT_KIND} : i32
    %slot_waiter = arith.constant ${SLOT_WAITER} : i32
    %warp_current = arith.constant ${WARP_CURRENT} : i32
    %warp_park = arith.constant ${WARP_PARK} : i32
    %requeue = arith.constant ${PARK_REQUEUE} : i32
    %join = arith.constant ${PARK_JOIN} : i32
    %deadlock = arith.constant ${FAULT_DEADLOCK} : i32
    %watchdog = arith.constant ${FAULT_WATCHDOG} : i32
    %at_status = arith.constant ${HEADER_STATUS} : i32
    %at_polls = arith.constant ${HEADER_POLLS} : i32
    %at_budget = arith.constant ${HEADER_BUDGET} : i32
    %at_detail = arith.constant ${HEADER_DETAIL} : i32
    %at_scope = arith.constant ${HEADER_SCOPE} : i32
    // (hardware deadlocks)
    %at_pool = arith.constant ${HEADER_POOL} : i32
    %false = arith.constant false
    %true = arith.constant true
    %pool = func.call @gasync_rt_param(%exec, %at_pool) : (!llvm.ptr, i32) -> i32
    %reset = func.call @gasync_rt_hw_stuck(%false, %pool) : (i1, i32) -> i1
    // (end hardware deadlocks)
    func.call @gasync_rt_slot_set(%exec, %root_slot, %slot_state, %ready_state) : (!llvm.ptr, i32, i32, i32) -> ()
    func.call @gasync_rt_slot_set(%exec, %root_slot, %slot_kind, %root_kind) : (!llvm.ptr, i32, i32, i32) -> ()
    func.call @gasync_rt_enqueue(%exec, %root_slot) : (!llvm.ptr, i32) -> ()
    scf.while : () -> () {
      %status = func.call @gasync_rt_get(%exec, %at_status) : (!llvm.ptr, i32) -> i32
      %root = func.call @gasync_rt_slot_get(%exec, %root_slot, %slot_state) : (!llvm.ptr, i32, i32) -> i32
      %running = arith.cmpi eq, %status, %c0 : i32
      %pending = arith.cmpi ne, %root, %done_state : i32
      %go = arith.andi %running, %pending : i1
      scf.condition(%go)
    } do {
      %s = func.call @gasync_rt_dequeue(%exec) : (!llvm.ptr) -> i32
      %empty = arith.cmpi slt, %s, %c0 : i32
      %polls = func.call @gasync_rt_get(%exec, %at_polls) : (!llvm.ptr, i32) -> i32
      %budget = func.call @gasync_rt_param(%exec, %at_budget) : (!llvm.ptr, i32) -> i32
      %limited = arith.cmpi ne, %budget, %c0 : i32
      %spent = arith.cmpi uge, %polls, %budget : i32
      %out = arith.andi %limited, %spent : i1
      scf.if %empty {
        // Nothing ready and the root not done: nothing can ever wake a task.
        func.call @gasync_rt_set(%exec, %at_status, %deadlock) : (!llvm.ptr, i32, i32) -> ()
        func.call @gasync_rt_set(%exec, %at_detail, %site) : (!llvm.ptr, i32, i32) -> ()
      } else {
        scf.if %out {
          %polled_site = func.call @gasync_rt_slot_site(%exec, %s) : (!llvm.ptr, i32) -> i32
          func.call @gasync_rt_set(%exec, %at_status, %watchdog) : (!llvm.ptr, i32, i32) -> ()
          func.call @gasync_rt_set(%exec, %at_detail, %polled_site) : (!llvm.ptr, i32, i32) -> ()
        } else {
          %p = arith.addi %polls, %c1 : i32
          func.call @gasync_rt_set(%exec, %at_polls, %p) : (!llvm.ptr, i32, i32) -> ()
          %co = func.call @gasync_rt_warp_field(%exec, %warp_current) : (!llvm.ptr, i32) -> i32
          func.call @gasync_rt_set(%exec, %co, %s) : (!llvm.ptr, i32, i32) -> ()
          %po = func.call @gasync_rt_warp_field(%exec, %warp_park) : (!llvm.ptr, i32) -> i32
          func.call @gasync_rt_set(%exec, %po, %requeue) : (!llvm.ptr, i32, i32) -> ()
          %kind = func.call @gasync_rt_slot_get(%exec, %s, %slot_kind) : (!llvm.ptr, i32, i32) -> i32
          %lane_done = func.call @gasync_rt_poll_slot(%exec, %kind, %s) : (!llvm.ptr, i32, i32) -> i1
          // (hardware deadlocks) A poll that goes back to the queue may have
          // stalled on a hardware wait; stuck, the wait's deadlock stops the run.
          %po_now = func.call @gasync_rt_warp_field(%exec, %warp_park) : (!llvm.ptr, i32) -> i32
          %park_now = func.call @gasync_rt_get(%exec, %po_now) : (!llvm.ptr, i32) -> i32
          %not_done = arith.xori %lane_done, %true : i1
          %not_joining = arith.cmpi ne, %park_now, %join : i32
          %requeued = arith.andi %not_done, %not_joining : i1
          %stuck = func.call @gasync_rt_hw_stuck(%requeued, %pool) : (i1, i32) -> i1
          scf.if %stuck {
            %wait_site = func.call @gasync_rt_hw_deadlock() : () -> i32
            func.call @gasync_rt_set(%exec, %at_status, %deadlock) : (!llvm.ptr, i32, i32) -> ()
            func.call @gasync_rt_set(%exec, %at_detail, %wait_site) : (!llvm.ptr, i32, i32) -> ()
          }
          // (end hardware deadlocks)
          // The scope decides together: done when done everywhere, stopped
          // when stopped anywhere, parked when parked everywhere.
          %scope = func.call @gasync_rt_param(%exec, %at_scope) : (!llvm.ptr, i32) -> i32
          %done = func.call @gasync_rt_vote_all(%scope, %lane_done) : (i32, i1) -> i1
          %lane_status = func.call @gasync_rt_get(%exec, %at_status) : (!llvm.ptr, i32) -> i32
          %status = func.call @gasync_rt_vote_max(%scope, %lane_status) : (i32, i32) -> i32
          func.call @gasync_rt_set(%exec, %at_status, %status) : (!llvm.ptr, i32, i32) -> ()
          %ok = arith.cmpi eq, %status, %c0 : i32
          scf.if %ok {
            scf.if %done {
              func.call @gasync_rt_slot_set(%exec, %s, %slot_state, %done_state) : (!llvm.ptr, i32, i32, i32) -> ()
              %w = func.call @gasync_rt_slot_get(%exec, %s, %slot_waiter) : (!llvm.ptr, i32, i32) -> i32
              %waited = arith.cmpi sge, %w, %c0 : i32
              scf.if %waited {
                func.call @gasync_rt_slot_set(%exec, %w, %slot_state, %ready_state) : (!llvm.ptr, i32, i32, i32) -> ()
                func.call @gasync_rt_enqueue(%exec, %w) : (!llvm.ptr, i32) -> ()
              }
            } else {
              %po2 = func.call @gasync_rt_warp_field(%exec, %warp_park) : (!llvm.ptr, i32) -> i32
              %park = func.call @gasync_rt_get(%exec, %po2) : (!llvm.ptr, i32) -> i32
              %lane_waits = arith.cmpi eq, %park, %join : i32
              %waits = func.call @gasync_rt_vote_all(%scope, %lane_waits) : (i32, i1) -> i1
              scf.if %waits {
                func.call @gasync_rt_slot_set(%exec, %s, %slot_state, %waiting) : (!llvm.ptr, i32, i32, i32) -> ()
              } else {
                func.call @gasync_rt_enqueue(%exec, %s) : (!llvm.ptr, i32) -> ()
              }
            }
          }
        }
      }
      scf.yield
    }
    %status = func.call @gasync_rt_get(%exec, %at_status) : (!llvm.ptr, i32) -> i32
    %failed = arith.cmpi ne, %status, %c0 : i32
    scf.if %failed {
      %detail = func.call @gasync_rt_get(%exec, %at_detail) : (!llvm.ptr, i32) -> i32
      func.call @gasync_rt_fault(%status, %detail) : (i32, i32) -> ()
    }
    return
  }
  // Block scope: every thread of the block calls this. Rounds: the leader
  // (thread 0) hands one ready task to each warp; each warp polls its task
  // with all its lanes (each lane its own frame; the outcome voted across
  // the warp); the leader books the outcomes: finished tasks wake their
  // joiners, yielded tasks go to the back of the queue, joiners wait.
  // Barriers separate the phases, so only spawns (compare-and-swap, atomic
  // enqueue) run in parallel. Slot state POLLED marks a task being polled.
  func.func private @gasync_rt_run_block(%exec: !llvm.ptr, %root_kind: i32, %site: i32) {
    %c0 = arith.constant 0 : i32
    %c1 = arith.constant 1 : i32
    %root_slot = arith.constant 0 : i32
    %block_scope = arith.constant ${SCOPE_BLOCK} : i32
    %ready_state = arith.constant ${STATE_READY} : i32
    %waiting = arith.constant ${STATE_WAITING} : i32
    %done_state = arith.constant ${STATE_DONE} : i32
    %polled = arith.constant ${STATE_POLLED} : i32
    %slot_state = arith.constant ${SLOT_STATE} : i32
    %slot_kind = arith.constant ${SLOT_KIND} : i32
    %slot_waiter = arith.constant ${SLOT_WAITER} : i32
    %warp_current = arith.constant ${WARP_CURRENT} : i32
    %warp_park = arith.constant ${WARP_PARK} : i32
    %warp_assigned = arith.constant ${WARP_ASSIGNED} : i32
    %warp_done = arith.constant ${WARP_DONE} : i32
    %requeue = arith.constant ${PARK_REQUEUE} : i32
    %join = arith.constant ${PARK_JOIN} : i32
    %deadlock = arith.constant ${FAULT_DEADLOCK} : i32
    %watchdog = arith.constant ${FAULT_WATCHDOG} : i32
    %record_bytes = arith.constant ${WARP_RECORD_BYTES} : i32
    %records_at = arith.constant ${WARP_RECORDS} : i32
    %at_status = arith.constant ${HEADER_STATUS} : i32
    %at_polls = arith.constant ${HEADER_POLLS} : i32
    %at_budget = arith.constant ${HEADER_BUDGET} : i32
    %at_detail = arith.constant ${HEADER_DETAIL} : i32
    %at_warps = arith.constant ${HEADER_WARPS} : i32
    %none = arith.constant ${NONE} : i32
    %warps = func.call @gasync_rt_get(%exec, %at_warps) : (!llvm.ptr, i32) -> i32
    %warp = func.call @gasync_rt_warp(%block_scope) : (i32) -> i32
    %lane = func.call @gasync_rt_lane(%block_scope) : (i32) -> i32
    %w0 = arith.cmpi eq, %warp, %c0 : i32
    %l0 = arith.cmpi eq, %lane, %c0 : i32
    %leader = arith.andi %w0, %l0 : i1
    scf.if %leader {
      func.call @gasync_rt_slot_set(%exec, %root_slot, %slot_state, %ready_state) : (!llvm.ptr, i32, i32, i32) -> ()
      func.call @gasync_rt_slot_set(%exec, %root_slot, %slot_kind, %root_kind) : (!llvm.ptr, i32, i32, i32) -> ()
      func.call @gasync_rt_enqueue(%exec, %root_slot) : (!llvm.ptr, i32) -> ()
    }
    scf.while : () -> () {
      scf.if %leader {
        %status = func.call @gasync_rt_get(%exec, %at_status) : (!llvm.ptr, i32) -> i32
        %root = func.call @gasync_rt_slot_get(%exec, %root_slot, %slot_state) : (!llvm.ptr, i32, i32) -> i32
        %running = arith.cmpi eq, %status, %c0 : i32
        %pending = arith.cmpi ne, %root, %done_state : i32
        %go = arith.andi %running, %pending : i1
        scf.if %go {
          %given = scf.for %w = %c0 to %warps step %c1 iter_args(%n = %c0) -> (i32) : i32 {
            %s = func.call @gasync_rt_dequeue(%exec) : (!llvm.ptr) -> i32
            %wa = arith.muli %w, %record_bytes : i32
            %wb = arith.addi %wa, %records_at : i32
            %assigned = arith.addi %wb, %warp_assigned : i32
            func.call @gasync_rt_set(%exec, %assigned, %s) : (!llvm.ptr, i32, i32) -> ()
            %has = arith.cmpi sge, %s, %c0 : i32
            %m = scf.if %has -> i32 {
              func.call @gasync_rt_slot_set(%exec, %s, %slot_state, %polled) : (!llvm.ptr, i32, i32, i32) -> ()
              %m1 = arith.addi %n, %c1 : i32
              scf.yield %m1 : i32
            } else {
              scf.yield %n : i32
            }
            scf.yield %m : i32
          }
          %idle = arith.cmpi eq, %given, %c0 : i32
          %polls = func.call @gasync_rt_get(%exec, %at_polls) : (!llvm.ptr, i32) -> i32
          %budget = func.call @gasync_rt_param(%exec, %at_budget) : (!llvm.ptr, i32) -> i32
          %after = arith.addi %polls, %given : i32
          func.call @gasync_rt_set(%exec, %at_polls, %after) : (!llvm.ptr, i32, i32) -> ()
          %limited = arith.cmpi ne, %budget, %c0 : i32
          %spent = arith.cmpi ugt, %after, %budget : i32
          %out = arith.andi %limited, %spent : i1
          scf.if %idle {
            func.call @gasync_rt_set(%exec, %at_status, %deadlock) : (!llvm.ptr, i32, i32) -> ()
            func.call @gasync_rt_set(%exec, %at_detail, %site) : (!llvm.ptr, i32, i32) -> ()
          } else {
            scf.if %out {
              // Several tasks were polled this round: name warp 0's (the
              // first one dequeued).
              %first_assigned = arith.addi %records_at, %warp_assigned : i32
              %first = func.call @gasync_rt_get(%exec, %first_assigned) : (!llvm.ptr, i32) -> i32
              %first_site = func.call @gasync_rt_slot_site(%exec, %first) : (!llvm.ptr, i32) -> i32
              func.call @gasync_rt_set(%exec, %at_status, %watchdog) : (!llvm.ptr, i32, i32) -> ()
              func.call @gasync_rt_set(%exec, %at_detail, %first_site) : (!llvm.ptr, i32, i32) -> ()
            }
          }
        }
      }
      func.call @gasync_rt_barrier(%block_scope) : (i32) -> ()
      %status = func.call @gasync_rt_get(%exec, %at_status) : (!llvm.ptr, i32) -> i32
      %root = func.call @gasync_rt_slot_get(%exec, %root_slot, %slot_state) : (!llvm.ptr, i32, i32) -> i32
      // Everyone has read the verdict before any warp polls (and may fault).
      func.call @gasync_rt_barrier(%block_scope) : (i32) -> ()
      %running = arith.cmpi eq, %status, %c0 : i32
      %pending = arith.cmpi ne, %root, %done_state : i32
      %go = arith.andi %running, %pending : i1
      scf.condition(%go)
    } do {
      %ao = func.call @gasync_rt_warp_field(%exec, %warp_assigned) : (!llvm.ptr, i32) -> i32
      %mine = func.call @gasync_rt_get(%exec, %ao) : (!llvm.ptr, i32) -> i32
      %has = arith.cmpi sge, %mine, %c0 : i32
      scf.if %has {
        %co = func.call @gasync_rt_warp_field(%exec, %warp_current) : (!llvm.ptr, i32) -> i32
        func.call @gasync_rt_set(%exec, %co, %mine) : (!llvm.ptr, i32, i32) -> ()
        %po = func.call @gasync_rt_warp_field(%exec, %warp_park) : (!llvm.ptr, i32) -> i32
        func.call @gasync_rt_set(%exec, %po, %requeue) : (!llvm.ptr, i32, i32) -> ()
        %kind = func.call @gasync_rt_slot_get(%exec, %mine, %slot_kind) : (!llvm.ptr, i32, i32) -> i32
        %frame = func.call @gasync_rt_slot_frame(%exec, %mine) : (!llvm.ptr, i32) -> !llvm.ptr
        %lane_done = func.call @gasync_rt_dispatch(%kind, %frame, %exec) : (i32, !llvm.ptr, !llvm.ptr) -> i1
        %done = func.call @gasync_rt_vote_all(%block_scope, %lane_done) : (i32, i1) -> i1
        %d = arith.extui %done : i1 to i32
        %do = func.call @gasync_rt_warp_field(%exec, %warp_done) : (!llvm.ptr, i32) -> i32
        func.call @gasync_rt_set(%exec, %do, %d) : (!llvm.ptr, i32, i32) -> ()
      }
      func.call @gasync_rt_barrier(%block_scope) : (i32) -> ()
      scf.if %leader {
        %status = func.call @gasync_rt_get(%exec, %at_status) : (!llvm.ptr, i32) -> i32
        %ok = arith.cmpi eq, %status, %c0 : i32
        scf.if %ok {
          // Finished tasks first: they wake their joiners...
          scf.for %w = %c0 to %warps step %c1 : i32 {
            %wa = arith.muli %w, %record_bytes : i32
            %wb = arith.addi %wa, %records_at : i32
            %ab = arith.addi %wb, %warp_assigned : i32
            %db = arith.addi %wb, %warp_done : i32
            %s = func.call @gasync_rt_get(%exec, %ab) : (!llvm.ptr, i32) -> i32
            %dv = func.call @gasync_rt_get(%exec, %db) : (!llvm.ptr, i32) -> i32
            %has_s = arith.cmpi sge, %s, %c0 : i32
            %fin = arith.cmpi ne, %dv, %c0 : i32
            %both = arith.andi %has_s, %fin : i1
            scf.if %both {
              func.call @gasync_rt_slot_set(%exec, %s, %slot_state, %done_state) : (!llvm.ptr, i32, i32, i32) -> ()
              %waiter = func.call @gasync_rt_slot_get(%exec, %s, %slot_waiter) : (!llvm.ptr, i32, i32) -> i32
              %waited = arith.cmpi sge, %waiter, %c0 : i32
              scf.if %waited {
                func.call @gasync_rt_slot_set(%exec, %waiter, %slot_state, %ready_state) : (!llvm.ptr, i32, i32, i32) -> ()
                func.call @gasync_rt_enqueue(%exec, %waiter) : (!llvm.ptr, i32) -> ()
              }
            }
          }
          // ...then the others: yielded ones requeue; joiners wait, unless
          // the task they join finished this round and woke them already.
          scf.for %w = %c0 to %warps step %c1 : i32 {
            %wa = arith.muli %w, %record_bytes : i32
            %wb = arith.addi %wa, %records_at : i32
            %pb = arith.addi %wb, %warp_park : i32
            %ab = arith.addi %wb, %warp_assigned : i32
            %db = arith.addi %wb, %warp_done : i32
            %s = func.call @gasync_rt_get(%exec, %ab) : (!llvm.ptr, i32) -> i32
            %dv = func.call @gasync_rt_get(%exec, %db) : (!llvm.ptr, i32) -> i32
            %has_s = arith.cmpi sge, %s, %c0 : i32
            %open = arith.cmpi eq, %dv, %c0 : i32
            %both = arith.andi %has_s, %open : i1
            scf.if %both {
              %park = func.call @gasync_rt_get(%exec, %pb) : (!llvm.ptr, i32) -> i32
              %state = func.call @gasync_rt_slot_get(%exec, %s, %slot_state) : (!llvm.ptr, i32, i32) -> i32
              %waits = arith.cmpi eq, %park, %join : i32
              %was_polled = arith.cmpi eq, %state, %polled : i32
              scf.if %waits {
                scf.if %was_polled {
                  func.call @gasync_rt_slot_set(%exec, %s, %slot_state, %waiting) : (!llvm.ptr, i32, i32, i32) -> ()
                }
              } else {
                func.call @gasync_rt_slot_set(%exec, %s, %slot_state, %ready_state) : (!llvm.ptr, i32, i32, i32) -> ()
                func.call @gasync_rt_enqueue(%exec, %s) : (!llvm.ptr, i32) -> ()
              }
            }
            func.call @gasync_rt_set(%exec, %ab, %none) : (!llvm.ptr, i32, i32) -> ()
            func.call @gasync_rt_set(%exec, %db, %c0) : (!llvm.ptr, i32, i32) -> ()
          }
        }
      }
      scf.yield
    }
    scf.if %leader {
      %status = func.call @gasync_rt_get(%exec, %at_status) : (!llvm.ptr, i32) -> i32
      %failed = arith.cmpi ne, %status, %c0 : i32
      scf.if %failed {
        %detail = func.call @gasync_rt_get(%exec, %at_detail) : (!llvm.ptr, i32) -> i32
        func.call @gasync_rt_fault(%status, %detail) : (i32, i32) -> ()
      }
    }
    return
  }

  // Block scope: the leader initialises the executor, warp 0 (each lane with
  // its own arguments) the root's frames; the caller then runs it.
  func.func private @gasync_rt_is_leader() -> i1 {
    %c0 = arith.constant 0 : i32
    %block_scope = arith.constant ${SCOPE_BLOCK} : i32
    %warp = func.call @gasync_rt_warp(%block_scope) : (i32) -> i32
    %lane = func.call @gasync_rt_lane(%block_scope) : (i32) -> i32
    %w0 = arith.cmpi eq, %warp, %c0 : i32
    %l0 = arith.cmpi eq, %lane, %c0 : i32
    %leader = arith.andi %w0, %l0 : i1
    return %leader : i1
  }

  func.func private @gasync_rt_is_root_warp() -> i1 {
    %c0 = arith.constant 0 : i32
    %block_scope = arith.constant ${SCOPE_BLOCK} : i32
    %warp = func.call @gasync_rt_warp(%block_scope) : (i32) -> i32
    %w0 = arith.cmpi eq, %warp, %c0 : i32
    return %w0 : i1
  }
}
