// --verify-each is on by default, as in mlir-opt (MLIR's verifier after
// every pass); --verify-each=false (or -verify-each=0) turns it off. No pass
// of ours or upstream's breaks the IR, so here the output is the same either way.
// RUN: gasync-opt %S/Inputs/simple.mlir --canonicalize > %t.on
// RUN: gasync-opt %S/Inputs/simple.mlir --canonicalize --verify-each=false > %t.off
// RUN: gasync-opt %S/Inputs/simple.mlir -canonicalize -verify-each=0 > %t.off0
// RUN: gasync-opt %S/Inputs/simple.mlir -canonicalize --no-verify-each > %t.no
// RUN: diff %t.on %t.off
// RUN: diff %t.on %t.off0
// RUN: diff %t.on %t.no
// RUN: filecheck %s --input-file %t.off
// RUN: not gasync-opt %S/Inputs/simple.mlir --verify-each=2 2>&1 | filecheck %s --check-prefix=BAD

// CHECK: func.func @add_zero(%[[X:.*]]: i32) -> i32 attributes {gasync.async}
// CHECK-NEXT: return %[[X]] : i32

// BAD: gasync-opt: error: option '--verify-each' takes true or false, not '2'
