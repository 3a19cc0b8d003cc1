// Ops and types of unregistered dialects other than gasync are rejected
// unless --allow-unregistered-dialect is given; then they print back.
// RUN: not gasync-opt %S/Inputs/unregistered.mlir 2>&1 | filecheck %s --check-prefix=REJECT
// RUN: gasync-opt %S/Inputs/unregistered.mlir --allow-unregistered-dialect | filecheck %s
// RUN: gasync-opt %S/Inputs/unregistered.mlir --allow-unregistered-dialect | gasync-opt --allow-unregistered-dialect | filecheck %s
// The flag does not relax gasync's own rules.
// RUN: not gasync-opt %S/Inputs/invalid.mlir --allow-unregistered-dialect 2>&1 | filecheck %s --check-prefix=GASYNC

// REJECT-DAG: unregistered.mlir:1:1: error: type '!foo.value' of unregistered dialect 'foo' (pass --allow-unregistered-dialect to accept it)
// REJECT-DAG: unregistered.mlir:2:8: error: unregistered operation 'foo.get' found in dialect ('foo') that does not allow unknown operations
// REJECT-DAG: unregistered.mlir:3:3: error: unregistered operation 'foo.sink' found in dialect ('foo')

// CHECK: func.func @main(%[[X:.*]]: !foo.value) -> i32 {
// CHECK-NEXT: %[[V:.*]] = "foo.get"(%[[X]]) : (!foo.value) -> i32
// CHECK-NEXT: "foo.sink"(%[[V]]) {note = "kept"} : (i32) -> ()
// CHECK-NEXT: return %[[V]] : i32

// GASYNC: error: 'gasync.await' is only allowed inside an async function or async block
