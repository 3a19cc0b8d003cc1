// gasync's task executor (DESIGN.md section 4), target-neutral: func, arith,
// scf and llvm pointer ops, so one definition serves the CPU (JIT) and the
// GPU (thread scope: each thread its own executor, in its local memory).
// `gasync-coro-lower` merges these functions into every symbol table (the
// module, or a gpu.module) that spawns tasks, next to the generated
// `@gasync_rt_dispatch`, a switch on the task kind calling each kind's poll
// function (no function pointers). All functions are private: after
// inlining, only what is used remains.
//
// An executor is one block of memory (an alloca where block_on runs):
//   header, i32 fields at byte offsets:
//     0 status   0 while running; else the fault: 1 deadlock (nothing ready,
//                root not done), 2 task pool overflow, 3 broken invariant,
//                4 watchdog (the poll budget ran out), 5 a warp-scope
//                executor's lanes diverged at an await or spawn
//    12 head, 16 tail   the run queue (a ring of pool entries), as counters
//    20 pool     slots, the root included (slot 0 is the block_on's future)
//    24 stride   bytes per frame slot
//    28 polls    polls made so far
//    32 budget   the watchdog's poll budget (0: none)
//    36 detail   the fault's detail (the slot or task kind concerned)
//    40 frames   byte offset of slot 0's frame
//    44 scope    0 thread (each thread its own executor), 1 warp (the 32
//                lanes run replicas of one executor that take the same
//                decisions: every poll's outcome is voted on, so the warp
//                polls the same task in the same state), 2 block (one
//                executor in shared memory for the thread block; each round
//                its leader hands one ready task to each warp, which polls
//                it with all its lanes; barriers separate the rounds)
//    48 warps    warps taking tasks (block scope; 1 otherwise)
//    52 mask     run-queue entries - 1 (a power of two, at least pool)
//   per warp w, 16 bytes at 128 + 16 w (w < 32): current (the slot it
//     polls), park (what its task asks for when its poll returns false: 1
//     requeue it, it yielded; 2 it waits for a task to finish), assigned
//     (this round's slot, or -1), done (this round's poll finished the task)
//   slots at 640, 16 bytes each: state (0 free, 1 ready, 2 waiting, 3 done),
//     kind, waiter (the slot to wake when this one is done, or -1)
//   the run queue: mask + 1 i32 after the slots
//   the frames: pool x stride bytes, 16-aligned; at block scope pool x 32 x
//     stride: a task runs on a warp, each lane with its own frame
// Every task is in the queue at most once, so a ring of pool entries holds it.
// head and tail count up; an entry is at counter & mask.
//
// Each target defines these hooks (pipeline/cpu.py for the CPU, where a
// warp is one lane and a block one warp; runtime/device/executor.mlir for
// NVIDIA GPUs). "The scope's lanes" are a warp's at warp and block scope.
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
// and @gasync_rt_fault(code, detail), which records a fault for the host.

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

  // An awaited child's readiness as the executor's scope sees it: outside an
  // executor or at thread scope, the lane's own; at warp scope, ready only
  // if ready on every lane (a lane whose child is done re-polls it, which
  // returns true again). Awaits must be reached by the whole warp: if not,
  // the executor stops with fault 5 rather than vote in divergent code.
  func.func private @gasync_rt_await_ready(%exec: !llvm.ptr, %ready: i1) -> i1 {
    %null = llvm.mlir.zero : !llvm.ptr
    %none = llvm.icmp "eq" %exec, %null : !llvm.ptr
    %r = scf.if %none -> i1 {
      scf.yield %ready : i1
    } else {
      %c0 = arith.constant 0 : i32
      %c5 = arith.constant 5 : i32
      %c36 = arith.constant 36 : i32
      %c44 = arith.constant 44 : i32
      %false = arith.constant false
      %scope = func.call @gasync_rt_param(%exec, %c44) : (!llvm.ptr, i32) -> i32
      %thread = arith.cmpi eq, %scope, %c0 : i32
      %v = scf.if %thread -> i1 {
        scf.yield %ready : i1
      } else {
        %together = func.call @gasync_rt_converged(%scope) : (i32) -> i1
        %w = scf.if %together -> i1 {
          %all = func.call @gasync_rt_vote_all(%scope, %ready) : (i32, i1) -> i1
          scf.yield %all : i1
        } else {
          func.call @gasync_rt_set(%exec, %c0, %c5) : (!llvm.ptr, i32, i32) -> ()
          func.call @gasync_rt_set(%exec, %c36, %c0) : (!llvm.ptr, i32, i32) -> ()
          scf.yield %false : i1
        }
        scf.yield %w : i1
      }
      scf.yield %v : i1
    }
    return %r : i1
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

  // A parameter of the executor (pool 20, stride 24, budget 32, frames 40,
  // scope 44, mask 52): set once by gasync_rt_exec_init. When every executor
  // of a symbol table has the same parameters, gasync-lower-block-on replaces
  // this body with the constants, so LLVM folds them (and the branches on the
  // scope) into the run loop instead of reading the header on every poll.
  func.func private @gasync_rt_param(%exec: !llvm.ptr, %field: i32) -> i32 {
    %v = func.call @gasync_rt_get(%exec, %field) : (!llvm.ptr, i32) -> i32
    return %v : i32
  }

  func.func private @gasync_rt_set(%exec: !llvm.ptr, %offset: i32, %v: i32) {
    %p = func.call @gasync_rt_field(%exec, %offset) : (!llvm.ptr, i32) -> !llvm.ptr
    llvm.store %v, %p : i32, !llvm.ptr
    return
  }

  // Byte offset of field `field` (0 state, 4 kind, 8 waiter) of slot `slot`.
  func.func private @gasync_rt_slot_field(%slot: i32, %field: i32) -> i32 {
    %c16 = arith.constant 16 : i32
    %c640 = arith.constant 640 : i32
    %a = arith.muli %slot, %c16 : i32
    %b = arith.addi %a, %c640 : i32
    %c = arith.addi %b, %field : i32
    return %c : i32
  }

  func.func private @gasync_rt_slot_get(%exec: !llvm.ptr, %slot: i32, %field: i32) -> i32 {
    %o = func.call @gasync_rt_slot_field(%slot, %field) : (i32, i32) -> i32
    %v = func.call @gasync_rt_get(%exec, %o) : (!llvm.ptr, i32) -> i32
    return %v : i32
  }

  func.func private @gasync_rt_slot_set(%exec: !llvm.ptr, %slot: i32, %field: i32, %v: i32) {
    %o = func.call @gasync_rt_slot_field(%slot, %field) : (i32, i32) -> i32
    func.call @gasync_rt_set(%exec, %o, %v) : (!llvm.ptr, i32, i32) -> ()
    return
  }

  // The frame of the task in `slot` (at block scope, this lane's frame).
  func.func private @gasync_rt_slot_frame(%exec: !llvm.ptr, %slot: i32) -> !llvm.ptr {
    %c2 = arith.constant 2 : i32
    %c24 = arith.constant 24 : i32
    %c32 = arith.constant 32 : i32
    %c40 = arith.constant 40 : i32
    %c44 = arith.constant 44 : i32
    %stride = func.call @gasync_rt_param(%exec, %c24) : (!llvm.ptr, i32) -> i32
    %base = func.call @gasync_rt_param(%exec, %c40) : (!llvm.ptr, i32) -> i32
    %scope = func.call @gasync_rt_param(%exec, %c44) : (!llvm.ptr, i32) -> i32
    %block = arith.cmpi eq, %scope, %c2 : i32
    %lane = func.call @gasync_rt_lane(%scope) : (i32) -> i32
    %wide = arith.muli %slot, %c32 : i32
    %lane_slot = arith.addi %wide, %lane : i32
    %index = arith.select %block, %lane_slot, %slot : i32
    %a = arith.muli %index, %stride : i32
    %o = arith.addi %base, %a : i32
    %p = func.call @gasync_rt_field(%exec, %o) : (!llvm.ptr, i32) -> !llvm.ptr
    return %p : !llvm.ptr
  }

  // Byte offset of field `field` (0 current, 4 park, 8 assigned, 12 done)
  // of the calling warp's record.
  func.func private @gasync_rt_warp_field(%exec: !llvm.ptr, %field: i32) -> i32 {
    %c16 = arith.constant 16 : i32
    %c44 = arith.constant 44 : i32
    %c128 = arith.constant 128 : i32
    %scope = func.call @gasync_rt_param(%exec, %c44) : (!llvm.ptr, i32) -> i32
    %w = func.call @gasync_rt_warp(%scope) : (i32) -> i32
    %a = arith.muli %w, %c16 : i32
    %b = arith.addi %a, %c128 : i32
    %c = arith.addi %b, %field : i32
    return %c : i32
  }

  // Byte offset of run-queue entry `counter`: the ring has a power-of-two
  // number of entries (at least pool), so the index is a mask, not a division.
  func.func private @gasync_rt_queue_entry(%exec: !llvm.ptr, %counter: i32) -> i32 {
    %c4 = arith.constant 4 : i32
    %c16 = arith.constant 16 : i32
    %c20 = arith.constant 20 : i32
    %c52 = arith.constant 52 : i32
    %c640 = arith.constant 640 : i32
    %pool = func.call @gasync_rt_param(%exec, %c20) : (!llvm.ptr, i32) -> i32
    %mask = func.call @gasync_rt_param(%exec, %c52) : (!llvm.ptr, i32) -> i32
    %i = arith.andi %counter, %mask : i32
    %slots = arith.muli %pool, %c16 : i32
    %q = arith.addi %slots, %c640 : i32
    %e = arith.muli %i, %c4 : i32
    %o = arith.addi %q, %e : i32
    return %o : i32
  }

  func.func private @gasync_rt_enqueue(%exec: !llvm.ptr, %slot: i32) {
    %c1 = arith.constant 1 : i32
    %c16 = arith.constant 16 : i32
    %tail = func.call @gasync_rt_get(%exec, %c16) : (!llvm.ptr, i32) -> i32
    %o = func.call @gasync_rt_queue_entry(%exec, %tail) : (!llvm.ptr, i32) -> i32
    func.call @gasync_rt_set(%exec, %o, %slot) : (!llvm.ptr, i32, i32) -> ()
    %t = arith.addi %tail, %c1 : i32
    func.call @gasync_rt_set(%exec, %c16, %t) : (!llvm.ptr, i32, i32) -> ()
    return
  }

  // Enqueue from any warp of a block-scope executor (spawns run in parallel).
  func.func private @gasync_rt_enqueue_shared(%exec: !llvm.ptr, %slot: i32) {
    %c1 = arith.constant 1 : i32
    %c16 = arith.constant 16 : i32
    %p = func.call @gasync_rt_field(%exec, %c16) : (!llvm.ptr, i32) -> !llvm.ptr
    %tail = func.call @gasync_rt_shared_add(%p, %c1) : (!llvm.ptr, i32) -> i32
    %o = func.call @gasync_rt_queue_entry(%exec, %tail) : (!llvm.ptr, i32) -> i32
    func.call @gasync_rt_set(%exec, %o, %slot) : (!llvm.ptr, i32, i32) -> ()
    return
  }

  // The next ready slot, or -1 when the queue is empty.
  func.func private @gasync_rt_dequeue(%exec: !llvm.ptr) -> i32 {
    %c1 = arith.constant 1 : i32
    %c12 = arith.constant 12 : i32
    %c16 = arith.constant 16 : i32
    %none = arith.constant -1 : i32
    %head = func.call @gasync_rt_get(%exec, %c12) : (!llvm.ptr, i32) -> i32
    %tail = func.call @gasync_rt_get(%exec, %c16) : (!llvm.ptr, i32) -> i32
    %empty = arith.cmpi eq, %head, %tail : i32
    %r = scf.if %empty -> i32 {
      scf.yield %none : i32
    } else {
      %o = func.call @gasync_rt_queue_entry(%exec, %head) : (!llvm.ptr, i32) -> i32
      %s = func.call @gasync_rt_get(%exec, %o) : (!llvm.ptr, i32) -> i32
      %h = arith.addi %head, %c1 : i32
      func.call @gasync_rt_set(%exec, %c12, %h) : (!llvm.ptr, i32, i32) -> ()
      scf.yield %s : i32
    }
    return %r : i32
  }

  // A fresh executor: `pool` slots (the root's included) of `stride` bytes,
  // frames at byte `frames`, the watchdog's poll `budget`, the `scope`, a run
  // queue of `mask` + 1 entries.
  func.func private @gasync_rt_exec_init(%exec: !llvm.ptr, %pool: i32, %stride: i32,
                                         %frames: i32, %budget: i32, %scope: i32,
                                         %mask: i32) {
    %c0 = arith.constant 0 : i32
    %c1 = arith.constant 1 : i32
    %c8 = arith.constant 8 : i32
    %none = arith.constant -1 : i32
    %c20 = arith.constant 20 : i32
    %c24 = arith.constant 24 : i32
    %c32 = arith.constant 32 : i32
    %c40 = arith.constant 40 : i32
    %c64 = arith.constant 64 : i32
    %c4 = arith.constant 4 : i32
    // The header and the warp records in use (all 32 at block scope).
    %c2 = arith.constant 2 : i32
    %c144 = arith.constant 144 : i32
    %c640 = arith.constant 640 : i32
    %is_block = arith.cmpi eq, %scope, %c2 : i32
    %extent = arith.select %is_block, %c640, %c144 : i32
    scf.for %o = %c0 to %extent step %c4 : i32 {
      func.call @gasync_rt_set(%exec, %o, %c0) : (!llvm.ptr, i32, i32) -> ()
    }
    %c52 = arith.constant 52 : i32
    func.call @gasync_rt_set(%exec, %c52, %mask) : (!llvm.ptr, i32, i32) -> ()
    %warps = func.call @gasync_rt_warps(%scope) : (i32) -> i32
    %c48 = arith.constant 48 : i32
    func.call @gasync_rt_set(%exec, %c48, %warps) : (!llvm.ptr, i32, i32) -> ()
    func.call @gasync_rt_set(%exec, %c20, %pool) : (!llvm.ptr, i32, i32) -> ()
    func.call @gasync_rt_set(%exec, %c24, %stride) : (!llvm.ptr, i32, i32) -> ()
    func.call @gasync_rt_set(%exec, %c32, %budget) : (!llvm.ptr, i32, i32) -> ()
    func.call @gasync_rt_set(%exec, %c40, %frames) : (!llvm.ptr, i32, i32) -> ()
    %c44 = arith.constant 44 : i32
    func.call @gasync_rt_set(%exec, %c44, %scope) : (!llvm.ptr, i32, i32) -> ()
    scf.for %s = %c0 to %pool step %c1 : i32 {
      func.call @gasync_rt_slot_set(%exec, %s, %c0, %c0) : (!llvm.ptr, i32, i32, i32) -> ()
      func.call @gasync_rt_slot_set(%exec, %s, %c8, %none) : (!llvm.ptr, i32, i32, i32) -> ()
    }
    return
  }

  // Take a free slot for a task of `kind` and queue it: its slot, or -1
  // with status 2 when every slot is taken (pool overflow), or 5 when a
  // warp-scope executor's lanes do not spawn together.
  func.func private @gasync_rt_spawn(%exec: !llvm.ptr, %kind: i32) -> i32 {
    %c2 = arith.constant 2 : i32
    %c44 = arith.constant 44 : i32
    %scope = func.call @gasync_rt_param(%exec, %c44) : (!llvm.ptr, i32) -> i32
    %block = arith.cmpi eq, %scope, %c2 : i32
    %r = scf.if %block -> i32 {
      %s = func.call @gasync_rt_spawn_shared(%exec, %kind) : (!llvm.ptr, i32) -> i32
      scf.yield %s : i32
    } else {
      %s = func.call @gasync_rt_spawn_replica(%exec, %kind) : (!llvm.ptr, i32) -> i32
      scf.yield %s : i32
    }
    return %r : i32
  }

  // Block scope: the spawning warp's lane 0 claims a slot (other warps may
  // be spawning too: compare-and-swap) and queues it; the lanes share it.
  func.func private @gasync_rt_spawn_shared(%exec: !llvm.ptr, %kind: i32) -> i32 {
    %c0 = arith.constant 0 : i32
    %c1 = arith.constant 1 : i32
    %c2 = arith.constant 2 : i32
    %c4 = arith.constant 4 : i32
    %c5 = arith.constant 5 : i32
    %c8 = arith.constant 8 : i32
    %c20 = arith.constant 20 : i32
    %c36 = arith.constant 36 : i32
    %none = arith.constant -1 : i32
    %false = arith.constant false
    %true = arith.constant true
    %together = func.call @gasync_rt_converged(%c2) : (i32) -> i1
    %r = scf.if %together -> i32 {
      %lane = func.call @gasync_rt_lane(%c2) : (i32) -> i32
      %first = arith.cmpi eq, %lane, %c0 : i32
      %mine = scf.if %first -> i32 {
        %pool = func.call @gasync_rt_param(%exec, %c20) : (!llvm.ptr, i32) -> i32
        %found = scf.while (%s = %c1) : (i32) -> i32 {
          %in = arith.cmpi slt, %s, %pool : i32
          %won = scf.if %in -> i1 {
            %o = func.call @gasync_rt_slot_field(%s, %c0) : (i32, i32) -> i32
            %p = func.call @gasync_rt_field(%exec, %o) : (!llvm.ptr, i32) -> !llvm.ptr
            %ok = func.call @gasync_rt_shared_cas(%p, %c0, %c1) : (!llvm.ptr, i32, i32) -> i1
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
          func.call @gasync_rt_set(%exec, %c0, %c2) : (!llvm.ptr, i32, i32) -> ()
          func.call @gasync_rt_set(%exec, %c36, %kind) : (!llvm.ptr, i32, i32) -> ()
          scf.yield %none : i32
        } else {
          func.call @gasync_rt_slot_set(%exec, %found, %c4, %kind) : (!llvm.ptr, i32, i32, i32) -> ()
          func.call @gasync_rt_slot_set(%exec, %found, %c8, %none) : (!llvm.ptr, i32, i32, i32) -> ()
          func.call @gasync_rt_enqueue_shared(%exec, %found) : (!llvm.ptr, i32) -> ()
          scf.yield %found : i32
        }
        scf.yield %slot : i32
      } else {
        scf.yield %none : i32
      }
      %shared = func.call @gasync_rt_broadcast(%c2, %mine) : (i32, i32) -> i32
      scf.yield %shared : i32
    } else {
      func.call @gasync_rt_set(%exec, %c0, %c5) : (!llvm.ptr, i32, i32) -> ()
      func.call @gasync_rt_set(%exec, %c36, %kind) : (!llvm.ptr, i32, i32) -> ()
      scf.yield %none : i32
    }
    return %r : i32
  }

  // Thread and warp scope: every lane's replica of the executor takes the
  // same free slot.
  func.func private @gasync_rt_spawn_replica(%exec: !llvm.ptr, %kind: i32) -> i32 {
    %true = arith.constant true
    %c0 = arith.constant 0 : i32
    %c1 = arith.constant 1 : i32
    %c2 = arith.constant 2 : i32
    %c4 = arith.constant 4 : i32
    %c8 = arith.constant 8 : i32
    %c20 = arith.constant 20 : i32
    %c36 = arith.constant 36 : i32
    %none = arith.constant -1 : i32
    %c5 = arith.constant 5 : i32
    %c44 = arith.constant 44 : i32
    %pool = func.call @gasync_rt_param(%exec, %c20) : (!llvm.ptr, i32) -> i32
    // A warp-scope executor's replicas must spawn together, or they diverge.
    %scope = func.call @gasync_rt_param(%exec, %c44) : (!llvm.ptr, i32) -> i32
    %together = func.call @gasync_rt_converged(%scope) : (i32) -> i1
    // The first free slot after the root's.
    %found = scf.while (%s = %c1) : (i32) -> i32 {
      %in = arith.cmpi slt, %s, %pool : i32
      %st = scf.if %in -> i32 {
        %v = func.call @gasync_rt_slot_get(%exec, %s, %c0) : (!llvm.ptr, i32, i32) -> i32
        scf.yield %v : i32
      } else {
        scf.yield %c0 : i32
      }
      %busy = arith.cmpi ne, %st, %c0 : i32
      %more = arith.andi %in, %busy : i1
      scf.condition(%more) %s : i32
    } do {
    ^bb0(%s: i32):
      %n = arith.addi %s, %c1 : i32
      scf.yield %n : i32
    }
    %full = arith.cmpi sge, %found, %pool : i32
    %apart = arith.xori %together, %true : i1
    %refuse = arith.ori %apart, %full : i1
    %fault = arith.select %apart, %c5, %c2 : i32
    %r = scf.if %refuse -> i32 {
      func.call @gasync_rt_set(%exec, %c0, %fault) : (!llvm.ptr, i32, i32) -> ()
      func.call @gasync_rt_set(%exec, %c36, %kind) : (!llvm.ptr, i32, i32) -> ()
      scf.yield %none : i32
    } else {
      func.call @gasync_rt_slot_set(%exec, %found, %c0, %c1) : (!llvm.ptr, i32, i32, i32) -> ()
      func.call @gasync_rt_slot_set(%exec, %found, %c4, %kind) : (!llvm.ptr, i32, i32, i32) -> ()
      func.call @gasync_rt_slot_set(%exec, %found, %c8, %none) : (!llvm.ptr, i32, i32, i32) -> ()
      func.call @gasync_rt_enqueue(%exec, %found) : (!llvm.ptr, i32) -> ()
      scf.yield %found : i32
    }
    return %r : i32
  }

  // Joining `task` from the current task: true if it is done; otherwise the
  // current task waits, to be woken when `task` finishes.
  func.func private @gasync_rt_join(%exec: !llvm.ptr, %task: i32) -> i1 {
    %c0 = arith.constant 0 : i32
    %c2 = arith.constant 2 : i32
    %c3 = arith.constant 3 : i32
    %c4 = arith.constant 4 : i32
    %c8 = arith.constant 8 : i32
    %st = func.call @gasync_rt_slot_get(%exec, %task, %c0) : (!llvm.ptr, i32, i32) -> i32
    %done = arith.cmpi eq, %st, %c3 : i32
    scf.if %done {
    } else {
      %co = func.call @gasync_rt_warp_field(%exec, %c0) : (!llvm.ptr, i32) -> i32
      %current = func.call @gasync_rt_get(%exec, %co) : (!llvm.ptr, i32) -> i32
      func.call @gasync_rt_slot_set(%exec, %task, %c8, %current) : (!llvm.ptr, i32, i32, i32) -> ()
      %po = func.call @gasync_rt_warp_field(%exec, %c4) : (!llvm.ptr, i32) -> i32
      func.call @gasync_rt_set(%exec, %po, %c2) : (!llvm.ptr, i32, i32) -> ()
    }
    return %done : i1
  }

  // A joined task's slot becomes free (its result has been read). At block
  // scope the warp's lanes first meet: every lane has read the slot's state
  // and the result before any lane frees it.
  func.func private @gasync_rt_release(%exec: !llvm.ptr, %task: i32) {
    %c0 = arith.constant 0 : i32
    %c44 = arith.constant 44 : i32
    %scope = func.call @gasync_rt_param(%exec, %c44) : (!llvm.ptr, i32) -> i32
    func.call @gasync_rt_syncwarp(%scope) : (i32) -> ()
    func.call @gasync_rt_slot_set(%exec, %task, %c0, %c0) : (!llvm.ptr, i32, i32, i32) -> ()
    return
  }

  // Run until the root (slot 0, of kind `root_kind`, its frame initialised)
  // is done, or a fault stops the executor; a fault is reported to the
  // target's @gasync_rt_fault (the host reads it after the run).
  func.func private @gasync_rt_run(%exec: !llvm.ptr, %root_kind: i32) {
    %c0 = arith.constant 0 : i32
    %c1 = arith.constant 1 : i32
    %c2 = arith.constant 2 : i32
    %c3 = arith.constant 3 : i32
    %c4 = arith.constant 4 : i32
    %c8 = arith.constant 8 : i32
    %c28 = arith.constant 28 : i32
    %c32 = arith.constant 32 : i32
    %c36 = arith.constant 36 : i32
    %c44 = arith.constant 44 : i32
    %none = arith.constant -1 : i32
    func.call @gasync_rt_slot_set(%exec, %c0, %c0, %c1) : (!llvm.ptr, i32, i32, i32) -> ()
    func.call @gasync_rt_slot_set(%exec, %c0, %c4, %root_kind) : (!llvm.ptr, i32, i32, i32) -> ()
    func.call @gasync_rt_enqueue(%exec, %c0) : (!llvm.ptr, i32) -> ()
    scf.while : () -> () {
      %status = func.call @gasync_rt_get(%exec, %c0) : (!llvm.ptr, i32) -> i32
      %root = func.call @gasync_rt_slot_get(%exec, %c0, %c0) : (!llvm.ptr, i32, i32) -> i32
      %running = arith.cmpi eq, %status, %c0 : i32
      %pending = arith.cmpi ne, %root, %c3 : i32
      %go = arith.andi %running, %pending : i1
      scf.condition(%go)
    } do {
      %s = func.call @gasync_rt_dequeue(%exec) : (!llvm.ptr) -> i32
      %empty = arith.cmpi slt, %s, %c0 : i32
      %polls = func.call @gasync_rt_get(%exec, %c28) : (!llvm.ptr, i32) -> i32
      %budget = func.call @gasync_rt_param(%exec, %c32) : (!llvm.ptr, i32) -> i32
      %limited = arith.cmpi ne, %budget, %c0 : i32
      %spent = arith.cmpi uge, %polls, %budget : i32
      %out = arith.andi %limited, %spent : i1
      scf.if %empty {
        // Nothing ready and the root not done: nothing can ever wake a task.
        func.call @gasync_rt_set(%exec, %c0, %c1) : (!llvm.ptr, i32, i32) -> ()
        func.call @gasync_rt_set(%exec, %c36, %none) : (!llvm.ptr, i32, i32) -> ()
      } else {
        scf.if %out {
          func.call @gasync_rt_set(%exec, %c0, %c4) : (!llvm.ptr, i32, i32) -> ()
          func.call @gasync_rt_set(%exec, %c36, %s) : (!llvm.ptr, i32, i32) -> ()
        } else {
          %p = arith.addi %polls, %c1 : i32
          func.call @gasync_rt_set(%exec, %c28, %p) : (!llvm.ptr, i32, i32) -> ()
          %co = func.call @gasync_rt_warp_field(%exec, %c0) : (!llvm.ptr, i32) -> i32
          func.call @gasync_rt_set(%exec, %co, %s) : (!llvm.ptr, i32, i32) -> ()
          %po = func.call @gasync_rt_warp_field(%exec, %c4) : (!llvm.ptr, i32) -> i32
          func.call @gasync_rt_set(%exec, %po, %c1) : (!llvm.ptr, i32, i32) -> ()
          %kind = func.call @gasync_rt_slot_get(%exec, %s, %c4) : (!llvm.ptr, i32, i32) -> i32
          %frame = func.call @gasync_rt_slot_frame(%exec, %s) : (!llvm.ptr, i32) -> !llvm.ptr
          %lane_done = func.call @gasync_rt_dispatch(%kind, %frame, %exec) : (i32, !llvm.ptr, !llvm.ptr) -> i1
          // The scope decides together: done when done everywhere, stopped
          // when stopped anywhere, parked when parked everywhere.
          %scope = func.call @gasync_rt_param(%exec, %c44) : (!llvm.ptr, i32) -> i32
          %done = func.call @gasync_rt_vote_all(%scope, %lane_done) : (i32, i1) -> i1
          %lane_status = func.call @gasync_rt_get(%exec, %c0) : (!llvm.ptr, i32) -> i32
          %status = func.call @gasync_rt_vote_max(%scope, %lane_status) : (i32, i32) -> i32
          func.call @gasync_rt_set(%exec, %c0, %status) : (!llvm.ptr, i32, i32) -> ()
          %ok = arith.cmpi eq, %status, %c0 : i32
          scf.if %ok {
            scf.if %done {
              func.call @gasync_rt_slot_set(%exec, %s, %c0, %c3) : (!llvm.ptr, i32, i32, i32) -> ()
              %w = func.call @gasync_rt_slot_get(%exec, %s, %c8) : (!llvm.ptr, i32, i32) -> i32
              %waited = arith.cmpi sge, %w, %c0 : i32
              scf.if %waited {
                func.call @gasync_rt_slot_set(%exec, %w, %c0, %c1) : (!llvm.ptr, i32, i32, i32) -> ()
                func.call @gasync_rt_enqueue(%exec, %w) : (!llvm.ptr, i32) -> ()
              }
            } else {
              %po2 = func.call @gasync_rt_warp_field(%exec, %c4) : (!llvm.ptr, i32) -> i32
              %park = func.call @gasync_rt_get(%exec, %po2) : (!llvm.ptr, i32) -> i32
              %lane_waits = arith.cmpi eq, %park, %c2 : i32
              %waits = func.call @gasync_rt_vote_all(%scope, %lane_waits) : (i32, i1) -> i1
              scf.if %waits {
                func.call @gasync_rt_slot_set(%exec, %s, %c0, %c2) : (!llvm.ptr, i32, i32, i32) -> ()
              } else {
                func.call @gasync_rt_enqueue(%exec, %s) : (!llvm.ptr, i32) -> ()
              }
            }
          }
        }
      }
      scf.yield
    }
    %status = func.call @gasync_rt_get(%exec, %c0) : (!llvm.ptr, i32) -> i32
    %failed = arith.cmpi ne, %status, %c0 : i32
    scf.if %failed {
      %detail = func.call @gasync_rt_get(%exec, %c36) : (!llvm.ptr, i32) -> i32
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
  // enqueue) run in parallel. Slot state 4 marks a task being polled.
  func.func private @gasync_rt_run_block(%exec: !llvm.ptr, %root_kind: i32) {
    %c0 = arith.constant 0 : i32
    %c1 = arith.constant 1 : i32
    %c2 = arith.constant 2 : i32
    %c3 = arith.constant 3 : i32
    %c4 = arith.constant 4 : i32
    %c8 = arith.constant 8 : i32
    %c12 = arith.constant 12 : i32
    %c16 = arith.constant 16 : i32
    %c28 = arith.constant 28 : i32
    %c32 = arith.constant 32 : i32
    %c36 = arith.constant 36 : i32
    %c48 = arith.constant 48 : i32
    %c128 = arith.constant 128 : i32
    %none = arith.constant -1 : i32
    %warps = func.call @gasync_rt_get(%exec, %c48) : (!llvm.ptr, i32) -> i32
    %warp = func.call @gasync_rt_warp(%c2) : (i32) -> i32
    %lane = func.call @gasync_rt_lane(%c2) : (i32) -> i32
    %w0 = arith.cmpi eq, %warp, %c0 : i32
    %l0 = arith.cmpi eq, %lane, %c0 : i32
    %leader = arith.andi %w0, %l0 : i1
    scf.if %leader {
      func.call @gasync_rt_slot_set(%exec, %c0, %c0, %c1) : (!llvm.ptr, i32, i32, i32) -> ()
      func.call @gasync_rt_slot_set(%exec, %c0, %c4, %root_kind) : (!llvm.ptr, i32, i32, i32) -> ()
      func.call @gasync_rt_enqueue(%exec, %c0) : (!llvm.ptr, i32) -> ()
    }
    scf.while : () -> () {
      scf.if %leader {
        %status = func.call @gasync_rt_get(%exec, %c0) : (!llvm.ptr, i32) -> i32
        %root = func.call @gasync_rt_slot_get(%exec, %c0, %c0) : (!llvm.ptr, i32, i32) -> i32
        %running = arith.cmpi eq, %status, %c0 : i32
        %pending = arith.cmpi ne, %root, %c3 : i32
        %go = arith.andi %running, %pending : i1
        scf.if %go {
          %given = scf.for %w = %c0 to %warps step %c1 iter_args(%n = %c0) -> (i32) : i32 {
            %s = func.call @gasync_rt_dequeue(%exec) : (!llvm.ptr) -> i32
            %wa = arith.muli %w, %c16 : i32
            %wb = arith.addi %wa, %c128 : i32
            %assigned = arith.addi %wb, %c8 : i32
            func.call @gasync_rt_set(%exec, %assigned, %s) : (!llvm.ptr, i32, i32) -> ()
            %has = arith.cmpi sge, %s, %c0 : i32
            %m = scf.if %has -> i32 {
              func.call @gasync_rt_slot_set(%exec, %s, %c0, %c4) : (!llvm.ptr, i32, i32, i32) -> ()
              %m1 = arith.addi %n, %c1 : i32
              scf.yield %m1 : i32
            } else {
              scf.yield %n : i32
            }
            scf.yield %m : i32
          }
          %idle = arith.cmpi eq, %given, %c0 : i32
          %polls = func.call @gasync_rt_get(%exec, %c28) : (!llvm.ptr, i32) -> i32
          %budget = func.call @gasync_rt_param(%exec, %c32) : (!llvm.ptr, i32) -> i32
          %after = arith.addi %polls, %given : i32
          func.call @gasync_rt_set(%exec, %c28, %after) : (!llvm.ptr, i32, i32) -> ()
          %limited = arith.cmpi ne, %budget, %c0 : i32
          %spent = arith.cmpi ugt, %after, %budget : i32
          %out = arith.andi %limited, %spent : i1
          scf.if %idle {
            func.call @gasync_rt_set(%exec, %c0, %c1) : (!llvm.ptr, i32, i32) -> ()
            func.call @gasync_rt_set(%exec, %c36, %none) : (!llvm.ptr, i32, i32) -> ()
          } else {
            scf.if %out {
              func.call @gasync_rt_set(%exec, %c0, %c4) : (!llvm.ptr, i32, i32) -> ()
              func.call @gasync_rt_set(%exec, %c36, %c0) : (!llvm.ptr, i32, i32) -> ()
            }
          }
        }
      }
      func.call @gasync_rt_barrier(%c2) : (i32) -> ()
      %status = func.call @gasync_rt_get(%exec, %c0) : (!llvm.ptr, i32) -> i32
      %root = func.call @gasync_rt_slot_get(%exec, %c0, %c0) : (!llvm.ptr, i32, i32) -> i32
      // Everyone has read the verdict before any warp polls (and may fault).
      func.call @gasync_rt_barrier(%c2) : (i32) -> ()
      %running = arith.cmpi eq, %status, %c0 : i32
      %pending = arith.cmpi ne, %root, %c3 : i32
      %go = arith.andi %running, %pending : i1
      scf.condition(%go)
    } do {
      %ao = func.call @gasync_rt_warp_field(%exec, %c8) : (!llvm.ptr, i32) -> i32
      %mine = func.call @gasync_rt_get(%exec, %ao) : (!llvm.ptr, i32) -> i32
      %has = arith.cmpi sge, %mine, %c0 : i32
      scf.if %has {
        %co = func.call @gasync_rt_warp_field(%exec, %c0) : (!llvm.ptr, i32) -> i32
        func.call @gasync_rt_set(%exec, %co, %mine) : (!llvm.ptr, i32, i32) -> ()
        %po = func.call @gasync_rt_warp_field(%exec, %c4) : (!llvm.ptr, i32) -> i32
        func.call @gasync_rt_set(%exec, %po, %c1) : (!llvm.ptr, i32, i32) -> ()
        %kind = func.call @gasync_rt_slot_get(%exec, %mine, %c4) : (!llvm.ptr, i32, i32) -> i32
        %frame = func.call @gasync_rt_slot_frame(%exec, %mine) : (!llvm.ptr, i32) -> !llvm.ptr
        %lane_done = func.call @gasync_rt_dispatch(%kind, %frame, %exec) : (i32, !llvm.ptr, !llvm.ptr) -> i1
        %done = func.call @gasync_rt_vote_all(%c2, %lane_done) : (i32, i1) -> i1
        %d = arith.extui %done : i1 to i32
        %do = func.call @gasync_rt_warp_field(%exec, %c12) : (!llvm.ptr, i32) -> i32
        func.call @gasync_rt_set(%exec, %do, %d) : (!llvm.ptr, i32, i32) -> ()
      }
      func.call @gasync_rt_barrier(%c2) : (i32) -> ()
      scf.if %leader {
        %status = func.call @gasync_rt_get(%exec, %c0) : (!llvm.ptr, i32) -> i32
        %ok = arith.cmpi eq, %status, %c0 : i32
        scf.if %ok {
          // Finished tasks first: they wake their joiners...
          scf.for %w = %c0 to %warps step %c1 : i32 {
            %wa = arith.muli %w, %c16 : i32
            %wb = arith.addi %wa, %c128 : i32
            %ab = arith.addi %wb, %c8 : i32
            %db = arith.addi %wb, %c12 : i32
            %s = func.call @gasync_rt_get(%exec, %ab) : (!llvm.ptr, i32) -> i32
            %dv = func.call @gasync_rt_get(%exec, %db) : (!llvm.ptr, i32) -> i32
            %has_s = arith.cmpi sge, %s, %c0 : i32
            %fin = arith.cmpi ne, %dv, %c0 : i32
            %both = arith.andi %has_s, %fin : i1
            scf.if %both {
              func.call @gasync_rt_slot_set(%exec, %s, %c0, %c3) : (!llvm.ptr, i32, i32, i32) -> ()
              %waiter = func.call @gasync_rt_slot_get(%exec, %s, %c8) : (!llvm.ptr, i32, i32) -> i32
              %waited = arith.cmpi sge, %waiter, %c0 : i32
              scf.if %waited {
                func.call @gasync_rt_slot_set(%exec, %waiter, %c0, %c1) : (!llvm.ptr, i32, i32, i32) -> ()
                func.call @gasync_rt_enqueue(%exec, %waiter) : (!llvm.ptr, i32) -> ()
              }
            }
          }
          // ...then the others: yielded ones requeue; joiners wait, unless
          // the task they join finished this round and woke them already.
          scf.for %w = %c0 to %warps step %c1 : i32 {
            %wa = arith.muli %w, %c16 : i32
            %wb = arith.addi %wa, %c128 : i32
            %pb = arith.addi %wb, %c4 : i32
            %ab = arith.addi %wb, %c8 : i32
            %db = arith.addi %wb, %c12 : i32
            %s = func.call @gasync_rt_get(%exec, %ab) : (!llvm.ptr, i32) -> i32
            %dv = func.call @gasync_rt_get(%exec, %db) : (!llvm.ptr, i32) -> i32
            %has_s = arith.cmpi sge, %s, %c0 : i32
            %open = arith.cmpi eq, %dv, %c0 : i32
            %both = arith.andi %has_s, %open : i1
            scf.if %both {
              %park = func.call @gasync_rt_get(%exec, %pb) : (!llvm.ptr, i32) -> i32
              %state = func.call @gasync_rt_slot_get(%exec, %s, %c0) : (!llvm.ptr, i32, i32) -> i32
              %waits = arith.cmpi eq, %park, %c2 : i32
              %polled = arith.cmpi eq, %state, %c4 : i32
              scf.if %waits {
                scf.if %polled {
                  func.call @gasync_rt_slot_set(%exec, %s, %c0, %c2) : (!llvm.ptr, i32, i32, i32) -> ()
                }
              } else {
                func.call @gasync_rt_slot_set(%exec, %s, %c0, %c1) : (!llvm.ptr, i32, i32, i32) -> ()
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
      %status = func.call @gasync_rt_get(%exec, %c0) : (!llvm.ptr, i32) -> i32
      %failed = arith.cmpi ne, %status, %c0 : i32
      scf.if %failed {
        %detail = func.call @gasync_rt_get(%exec, %c36) : (!llvm.ptr, i32) -> i32
        func.call @gasync_rt_fault(%status, %detail) : (i32, i32) -> ()
      }
    }
    return
  }

  // Block scope: the leader initialises the executor, warp 0 (each lane with
  // its own arguments) the root's frames; the caller then runs it.
  func.func private @gasync_rt_is_leader() -> i1 {
    %c0 = arith.constant 0 : i32
    %c2 = arith.constant 2 : i32
    %warp = func.call @gasync_rt_warp(%c2) : (i32) -> i32
    %lane = func.call @gasync_rt_lane(%c2) : (i32) -> i32
    %w0 = arith.cmpi eq, %warp, %c0 : i32
    %l0 = arith.cmpi eq, %lane, %c0 : i32
    %leader = arith.andi %w0, %l0 : i1
    return %leader : i1
  }

  func.func private @gasync_rt_is_root_warp() -> i1 {
    %c0 = arith.constant 0 : i32
    %c2 = arith.constant 2 : i32
    %warp = func.call @gasync_rt_warp(%c2) : (i32) -> i32
    %w0 = arith.cmpi eq, %warp, %c0 : i32
    return %w0 : i1
  }
}
