// examples/deadlock.mlir on the GPU: warp 1's receiver waits for a sixth
// message that warp 0's sender never sends. The idle-wait limit ends the
// kernel with a status naming the recv and its channel, the mbarrier and
// the parity it waits for, and the thread.
// RUN: %gpu-run %S/../../examples/deadlock.mlir --features +ptx86 --emit=ptx | filecheck %s
// GPU-SOURCE: ../../examples/deadlock.mlir
// GPU-EXEC: --entry deadlock --features +ptx86 --block 64,1,1 --arg 5 --arg 'memref<1xi32>' --timeout 60
// GPU-EXIT: 3
// GPU-STDERR: hardware wait timed out
// GPU-STDERR: (waiting in the gasync.recv on channel @mailbox in '@receiver' at
// GPU-STDERR: deadlock.mlir:93:14)
// GPU-STDERR: thread (32,0,0)
// GPU-STDERR: , waiting for its phase of parity 0 to complete
// CHECK-LABEL: .entry deadlock(
// CHECK: %globaltimer
// CHECK-NOT: try_wait
