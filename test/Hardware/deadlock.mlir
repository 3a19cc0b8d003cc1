// examples/deadlock.mlir on the CPU: the receiver's sixth recv waits for a
// message that is never sent; the idle-wait limit ends the run (exit 3)
// naming the recv, its channel and where it is.
// RUN: not gasync-run %S/../../examples/deadlock.mlir --entry main --arg 5 --idle-wait-ms 100 2>&1 | filecheck %s
// CHECK: gasync-run: error: '@main' failed while running: hardware wait timed out: {{.*}} (waiting in the gasync.recv on channel @mailbox in '@receiver' at {{.*}}deadlock.mlir:37:12): the mbarrier at 0x{{[0-9a-f]+}}, waiting for its phase of parity 0 to complete
