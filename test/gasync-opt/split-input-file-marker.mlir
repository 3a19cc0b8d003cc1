// --split-input-file takes its marker only after `=`: a following argument
// is the input file, not the marker (it used to be taken as the marker, and
// stdin read instead).
// RUN: gasync-opt --split-input-file %s | filecheck %s
// RUN: gasync-opt -split-input-file %s < /dev/null | filecheck %s
// RUN: gasync-opt --split-input-file='// =====' %S/Inputs/custom-marker.mlir | filecheck %s --check-prefix=CUSTOM
// Without a file name it reads stdin.
// RUN: gasync-opt --split-input-file < %s | filecheck %s

// CHECK: func.func @first
// CHECK: // -----
// CHECK: func.func @second

// CUSTOM: func.func @one
// CUSTOM: // =====
// CUSTOM: func.func @two

func.func @first() {
  return
}

// -----

func.func @second() {
  return
}
