// examples/deadlock.mlir on the CPU: the receiver's sixth recv waits for a
// message that is never sent, and the sender is done: every task left is
// stalled on a hardware wait that no task can complete, a deadlock the
// executor reports at once (exit 3; not after the idle-wait limit, here ten
// minutes), naming the recv, its channel, where it is, the mbarrier and the
// parity it waits for.
// RUN: not gasync-run %S/../../examples/deadlock.mlir --entry main --arg 5 --idle-wait-ms 600000 2>&1 | filecheck %s
// CHECK: gasync-run: error: '@main' failed while running: deadlock: no task can make progress and the root is not done (in the gasync.recv on channel @mailbox in '@receiver' at {{.*}}deadlock.mlir:41:12): the mbarrier at 0x{{[0-9a-f]+}}, waiting for its phase of parity 0 to complete
