// --help lists the driver's flags, every gasync pass and pipeline, and the
// gasync ops; it exits 0.
// RUN: gasync-opt --help | filecheck %s
// RUN: gasync-opt -h | filecheck %s

// CHECK: usage: gasync-opt
// CHECK-DAG: -o OUTPUT
// CHECK-DAG: --pass-pipeline
// CHECK-DAG: --split-input-file
// CHECK-DAG: --verify-diagnostics
// CHECK-DAG: --allow-unregistered-dialect
// CHECK-DAG: --mlir-print-ir-after-all
// CHECK-DAG: --mlir-timing
// CHECK-DAG: --mlir-print-op-generic
// CHECK-DAG: --emit-dot
// CHECK: gasync passes
// CHECK-DAG: {{^ *}}gasync-verify {{.*}}check every gasync op
// CHECK-DAG: {{^ *}}gasync-outline-async-blocks {{.*}}async block
// CHECK-DAG: {{^ *}}gasync-lower-combinators {{.*}}gasync.ready and gasync.then
// CHECK: gasync pipelines
// CHECK: canonicalize
// CHECK: gasync ops:
// CHECK-DAG: gasync.future
// CHECK-DAG: gasync.return
// CHECK-DAG: gasync.ready
// CHECK-DAG: gasync.then
// CHECK-DAG: gasync.await
// CHECK-DAG: gasync.spawn
// CHECK-DAG: gasync.yield
// CHECK-DAG: gasync.block_on
