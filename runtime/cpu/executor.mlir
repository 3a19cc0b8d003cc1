// The CPU side of gasync's executor runtime (docs/executor.md): the CPU's
// definitions of the target hooks that runtime/executor.mlir declares, in the
// LLVM dialect. `gasync-link-cpu-runtime` (in the `gasync-to-llvm` pipeline)
// merges the definitions a module declares (by name) into it, as
// `gasync-link-device-runtime` does on the GPU. A template, as
// runtime/executor.mlir: its placeholders are constants of runtime/abi.py.
//
// A CPU run is one thread: a warp is one lane, a block one warp. The status
// record has the GPU's shape (runtime/abi.py's Status); block and thread stay
// 0. The host reads it after the run.
module {
  llvm.mlir.global external @${STATUS_SYMBOL}(dense<0> : tensor<${STATUS_WORDS}xi32>) : !llvm.array<${STATUS_WORDS} x i32>

  // Record fault `code` with `detail`, unless a fault was recorded already.
  llvm.func @gasync_rt_fault(%code: i32, %detail: i32) {
    %first = llvm.call @gasync_rt_fault_first(%code, %detail) : (i32, i32) -> i1
    llvm.return
  }

  // gasync_rt_fault, telling whether this call recorded the fault (the
  // caller may then add its words to the record: runtime/cpu/hardware.mlir).
  llvm.func @gasync_rt_fault_first(%code: i32, %detail: i32) -> i1 {
    %record = llvm.mlir.addressof @${STATUS_SYMBOL} : !llvm.ptr
    %zero = llvm.mlir.constant(0 : i32) : i32
    %p0 = llvm.getelementptr %record[${STATUS_CODE}] : (!llvm.ptr) -> !llvm.ptr, i32
    %first = llvm.load %p0 : !llvm.ptr -> i32
    %none = llvm.icmp "eq" %first, %zero : i32
    llvm.cond_br %none, ^keep, ^done
  ^keep:
    llvm.store %code, %p0 : i32, !llvm.ptr
    %p1 = llvm.getelementptr %record[${STATUS_DETAIL}] : (!llvm.ptr) -> !llvm.ptr, i32
    llvm.store %detail, %p1 : i32, !llvm.ptr
    llvm.br ^done
  ^done:
    llvm.return %none : i1
  }

  llvm.func @gasync_rt_vote_all(%scope: i32, %x: i1) -> i1 {
    llvm.return %x : i1
  }

  llvm.func @gasync_rt_vote_max(%scope: i32, %x: i32) -> i32 {
    llvm.return %x : i32
  }

  llvm.func @gasync_rt_converged(%scope: i32) -> i1 {
    %true = llvm.mlir.constant(true) : i1
    llvm.return %true : i1
  }

  llvm.func @gasync_rt_broadcast(%scope: i32, %x: i32) -> i32 {
    llvm.return %x : i32
  }

  llvm.func @gasync_rt_lane(%scope: i32) -> i32 {
    %zero = llvm.mlir.constant(0 : i32) : i32
    llvm.return %zero : i32
  }

  llvm.func @gasync_rt_warp(%scope: i32) -> i32 {
    %zero = llvm.mlir.constant(0 : i32) : i32
    llvm.return %zero : i32
  }

  llvm.func @gasync_rt_warps(%scope: i32) -> i32 {
    %one = llvm.mlir.constant(1 : i32) : i32
    llvm.return %one : i32
  }

  llvm.func @gasync_rt_barrier(%scope: i32) {
    llvm.return
  }

  llvm.func @gasync_rt_syncwarp(%scope: i32) {
    llvm.return
  }

  llvm.func @gasync_rt_shared_cas(%p: !llvm.ptr, %old: i32, %new: i32) -> i1 {
    %pair = llvm.cmpxchg %p, %old, %new acq_rel monotonic : !llvm.ptr, i32
    %ok = llvm.extractvalue %pair[1] : !llvm.struct<(i32, i1)>
    llvm.return %ok : i1
  }

  llvm.func @gasync_rt_shared_add(%p: !llvm.ptr, %x: i32) -> i32 {
    %old = llvm.atomicrmw add %p, %x acq_rel : !llvm.ptr, i32
    llvm.return %old : i32
  }
}
