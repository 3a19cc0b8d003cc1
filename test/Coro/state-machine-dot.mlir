// The picture of state machines whose frames share storage: values never
// live at once share bytes (the "shares bytes with" column), values live
// together do not; a loop steps from a yield back to itself; a join waits on
// a spawned task; an alloca used after a yield lives in the frame.
// RUN: gasync-opt %s --gasync-coro-lower --emit-dot | filecheck %s
// RUN: gasync-opt %s --split-input-file --gasync-coro --emit-dot | filecheck %s --check-prefix=SPLIT

// CHECK: digraph "gasync state machines" {

// %a (line 23) is live across the first yield only, %b (line 25) across the
// second only: both at offset 12, sharing it.
// CHECK-LABEL: label="async @sequential ({{.*}}state-machine-dot.mlir:21:1)";
// CHECK: "[[F:m[0-9]+]]_s1" [shape=box, label="state 1: yield\n{{.*}}state-machine-dot.mlir:24:3"];
// CHECK-NEXT: "[[F]]_s2" [shape=box, label="state 2: yield\n{{.*}}state-machine-dot.mlir:26:3"];
// CHECK: "[[F]]_s0" -> "[[F]]_s1";
// CHECK-NEXT: "[[F]]_s1" -> "[[F]]_s2";
// CHECK-NEXT: "[[F]]_s2" -> "[[F]]_done";
// CHECK: <B>frame: 16 bytes, align 4</B>
// CHECK: <TR><TD>4</TD><TD>12</TD><TD>4</TD><TD>4</TD><TD ALIGN="LEFT">arith.addi : i32<BR/>{{.*}}state-machine-dot.mlir:23:8</TD><TD>#5</TD></TR>
// CHECK-NEXT: <TR><TD>5</TD><TD>12</TD><TD>4</TD><TD>4</TD><TD ALIGN="LEFT">arith.muli : i32<BR/>{{.*}}state-machine-dot.mlir:25:8</TD><TD>#4</TD></TR>
func.func private @sequential(%x: i32) -> i32 attributes {gasync.async} {
  %c1 = arith.constant 1 : i32
  %a = arith.addi %x, %c1 : i32
  "gasync.yield"() : () -> ()
  %b = arith.muli %a, %a : i32
  "gasync.yield"() : () -> ()
  %r = arith.addi %b, %c1 : i32
  return %r : i32
}

// %a and %b are both live across the second yield: two slots, none shared.
// CHECK-LABEL: label="async @overlapping ({{.*}}state-machine-dot.mlir:36:1)";
// CHECK: <B>frame: 20 bytes, align 4</B>
// CHECK: <TD>12</TD><TD>4</TD><TD>4</TD><TD ALIGN="LEFT">arith.addi : i32<BR/>{{.*}}state-machine-dot.mlir:38:8</TD><TD></TD>
// CHECK-NEXT: <TD>16</TD><TD>4</TD><TD>4</TD><TD ALIGN="LEFT">arith.muli : i32<BR/>{{.*}}state-machine-dot.mlir:40:8</TD><TD></TD>
func.func private @overlapping(%x: i32) -> i32 attributes {gasync.async} {
  %c1 = arith.constant 1 : i32
  %a = arith.addi %x, %c1 : i32
  "gasync.yield"() : () -> ()
  %b = arith.muli %a, %a : i32
  "gasync.yield"() : () -> ()
  %s = arith.addi %a, %b : i32
  return %s : i32
}

// The yield in the loop resumes into the loop: its next stop is itself (a
// step of the program, not a pending poll) or the end. The loop's counter is
// saved in the frame; the alloca's memory, used after the yield, too.
// CHECK-LABEL: label="async @looping ({{.*}}state-machine-dot.mlir:58:1)";
// CHECK: "[[F:m[0-9]+]]_s1" [shape=box, label="state 1: yield\n{{.*}}state-machine-dot.mlir:64:5"];
// CHECK: "[[F]]_s0" -> "[[F]]_s1";
// CHECK-NEXT: "[[F]]_s0" -> "[[F]]_done";
// CHECK-NEXT: "[[F]]_s1" -> "[[F]]_s1";
// CHECK-NEXT: "[[F]]_s1" -> "[[F]]_done";
// CHECK-NOT: pending
// CHECK: <TD ALIGN="LEFT">block argument 0 : index<BR/>{{.*}}state-machine-dot.mlir:62:11</TD>
// CHECK: <TD ALIGN="LEFT">memref.alloca memory : memref&lt;4xi32&gt;<BR/>{{.*}}state-machine-dot.mlir:61:8</TD>
func.func private @looping(%n: index) -> i32 attributes {gasync.async} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = memref.alloca() : memref<4xi32>
  scf.for %i = %c0 to %n step %c1 {
    %v = arith.index_cast %i : index to i32
    "gasync.yield"() : () -> ()
    memref.store %v, %m[%c0] : memref<4xi32>
  }
  %r = memref.load %m[%c0] : memref<4xi32>
  return %r : i32
}

// A join waits on the task spawned at line 85; the task's slot index is
// saved across the yield.
// CHECK-LABEL: label="async @spawner ({{.*}}state-machine-dot.mlir:83:1)";
// CHECK: "[[F:m[0-9]+]]_s1" [shape=box, label="state 1: yield\n{{.*}}state-machine-dot.mlir:86:3"];
// CHECK-NEXT: "[[F]]_s2" [shape=box, label="state 2: join @double (task spawned at {{.*}}state-machine-dot.mlir:85:8)\n{{.*}}state-machine-dot.mlir:87:8"];
// CHECK: "[[F]]_s2" -> "[[F]]_s2" [label="pending", style=dotted];
// CHECK: <TD ALIGN="LEFT">gasync.spawn : !gasync.task&lt;i32&gt; (its slot index, i32)<BR/>{{.*}}state-machine-dot.mlir:85:8</TD>
func.func private @double(%v: i32) -> i32 attributes {gasync.async} {
  %r = arith.addi %v, %v : i32
  return %r : i32
}

func.func private @spawner(%a: i32) -> i32 attributes {gasync.async} {
  %f = "gasync.future"(%a) {callee = @double} : (i32) -> !gasync.fut<i32>
  %t = "gasync.spawn"(%f) : (!gasync.fut<i32>) -> !gasync.task<i32>
  "gasync.yield"() : () -> ()
  %r = "gasync.await"(%t) : (!gasync.task<i32>) -> i32
  return %r : i32
}

// CHECK: }

// -----

// With --split-input-file, each chunk is a graph of its own.
// SPLIT: digraph "gasync state machines" {
// SPLIT: label="async @sequential (
// SPLIT: // -----
// SPLIT-NEXT: digraph "gasync state machines" {
// SPLIT: label="async @other ({{.*}}state-machine-dot.mlir:[[# @LINE + 1]]:1)";
func.func private @other() attributes {gasync.async} {
  return
}
