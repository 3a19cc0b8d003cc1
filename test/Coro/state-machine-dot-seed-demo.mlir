// The picture of the seed demo's state machines (Graphviz dot): each async
// function's states with the source position of each suspension point, the
// steps a poll may take between them, and its frame's layout.
// RUN: gasync-opt %S/../../examples/seed_demo.mlir --gasync-coro --emit-dot | filecheck %s
// RUN: gasync-run %S/../../examples/seed_demo.mlir --emit dot | filecheck %s
// RUN: gasync-run %S/../../examples/seed_demo.mlir --emit dot -o %t.dot
// RUN: filecheck %s < %t.dot
// The GPU pipeline lowers the copies in the gpu.module too.
// RUN: gasync-run %S/../../examples/seed_demo.mlir --target cuda --emit dot | filecheck %s --check-prefix=CUDA
// CUDA: label="async @async_double (
// CUDA: label="async @async_double in @kernels (
// CUDA: label="async @seed_kernel$block in @kernels ({{.*}}seed_demo.mlir:160:18)";

// CHECK: digraph "gasync state machines" {

// No suspension point: start, then done; the frame is the state, the result
// and the argument.
// CHECK-LABEL: label="async @async_double ({{.*}}seed_demo.mlir:17:3)";
// CHECK: "[[F:m[0-9]+]]_s0" [shape=ellipse, label="state 0: start\n{{.*}}seed_demo.mlir:17:3"];
// CHECK-NEXT: "[[F]]_done" [shape=doublecircle, label="done (state -1)"];
// CHECK-NEXT: "[[F]]_s0" -> "[[F]]_done";
// CHECK: <B>frame: 12 bytes, align 4</B>
// CHECK: <TR><TD>1</TD><TD>0</TD><TD>4</TD><TD>4</TD><TD ALIGN="LEFT">state : i32</TD><TD></TD></TR>
// CHECK-NEXT: <TR><TD>2</TD><TD>4</TD><TD>4</TD><TD>4</TD><TD ALIGN="LEFT">result : i32</TD><TD></TD></TR>
// CHECK-NEXT: <TR><TD>3</TD><TD>8</TD><TD>4</TD><TD>4</TD><TD ALIGN="LEFT">argument 0 : i32<BR/>{{.*}}seed_demo.mlir:17:27</TD><TD></TD></TR>
// CHECK-NEXT: </TABLE>>];

// One await at line 27; its child frame (async_double's 12 bytes) at 16.
// CHECK-LABEL: label="async @async_add_then_double ({{.*}}seed_demo.mlir:24:3)";
// CHECK: "[[F:m[0-9]+]]_s1" [shape=box, label="state 1: await @async_double\n{{.*}}seed_demo.mlir:27:10"];
// CHECK: "[[F]]_s0" -> "[[F]]_s1";
// CHECK-NEXT: "[[F]]_s1" -> "[[F]]_s1" [label="pending", style=dotted];
// CHECK-NEXT: "[[F]]_s1" -> "[[F]]_done";
// CHECK: <B>frame: 28 bytes, align 4</B>
// CHECK: <TR><TD PORT="i5">5</TD><TD>16</TD><TD>12</TD><TD>4</TD><TD ALIGN="LEFT">child frame of @async_double<BR/>{{.*}}seed_demo.mlir:26:10</TD><TD></TD></TR>

// The else branch returns without suspending: start goes to done directly.
// CHECK-LABEL: label="async @async_conditional ({{.*}}seed_demo.mlir:32:3)";
// CHECK: "[[F:m[0-9]+]]_s1" [shape=box, label="state 1: await @async_double\n{{.*}}seed_demo.mlir:35:12"];
// CHECK: "[[F]]_s0" -> "[[F]]_s1";
// CHECK-NEXT: "[[F]]_s0" -> "[[F]]_done";
// CHECK: <TD>12</TD><TD>1</TD><TD>1</TD><TD ALIGN="LEFT">argument 1 : i1<BR/>{{.*}}seed_demo.mlir:32:41</TD>

// Two awaits in sequence; their child frames are never alive at once and
// share bytes 12..24.
// CHECK-LABEL: label="async @async_multi_step ({{.*}}seed_demo.mlir:44:3)";
// CHECK: "[[F:m[0-9]+]]_s1" [shape=box, label="state 1: await @async_double\n{{.*}}seed_demo.mlir:46:14"];
// CHECK-NEXT: "[[F]]_s2" [shape=box, label="state 2: await @async_double\n{{.*}}seed_demo.mlir:48:14"];
// CHECK: "[[F]]_s1" -> "[[F]]_s2";
// CHECK: "[[F]]_s2" -> "[[F]]_done";
// CHECK: <B>frame: 24 bytes, align 4</B>
// CHECK: <TR><TD PORT="i4">4</TD><TD>12</TD><TD>12</TD><TD>4</TD><TD ALIGN="LEFT">child frame of @async_double<BR/>{{.*}}seed_demo.mlir:45:11</TD><TD>#5</TD></TR>
// CHECK-NEXT: <TR><TD PORT="i5">5</TD><TD>12</TD><TD>12</TD><TD>4</TD><TD ALIGN="LEFT">child frame of @async_double<BR/>{{.*}}seed_demo.mlir:47:11</TD><TD>#4</TD></TR>

// The combinator's closure awaits a ready future (a function of its own).
// CHECK-LABEL: label="async @mul2_add100 ({{.*}}seed_demo.mlir:53:3)";
// CHECK: label="state 1: await @gasync$ready$i32\n{{.*}}seed_demo.mlir:59:10"

// The async block of @main, outlined: %a (line 89) is saved across the
// second await, at 16, before the shared child frames at 20.
// CHECK-LABEL: label="async @main$block ({{.*}}seed_demo.mlir:87:16)";
// CHECK: label="state 2: await @async_double\n{{.*}}seed_demo.mlir:91:12"
// CHECK: <TD>16</TD><TD>4</TD><TD>4</TD><TD ALIGN="LEFT">gasync.await : i32<BR/>{{.*}}seed_demo.mlir:89:12</TD><TD></TD>
// CHECK-NEXT: <TD>20</TD><TD>12</TD><TD>4</TD><TD ALIGN="LEFT">child frame of @async_double<BR/>{{.*}}seed_demo.mlir:88:13</TD><TD>#7</TD>

// `then` awaits its first future, then the closure's.
// CHECK-LABEL: label="async @mul2_add100$then ({{.*}}seed_demo.mlir:99:15)";
// CHECK: label="state 1: await @gasync$ready$i32\n
// CHECK: label="state 2: await @mul2_add100\n

// Each child frame points at the frame of its function.
// CHECK: "[[ADD:m[0-9]+]]_frame":i5 -> "[[DOUBLE:m[0-9]+]]_frame" [style=dashed, label="embeds"];
// CHECK: }
