// --version and --show-dialects print and exit 0 without reading input.
// RUN: gasync-opt --version < /dev/null | filecheck %s --check-prefix=VERSION
// RUN: gasync-opt -show-dialects < /dev/null | filecheck %s --check-prefix=DIALECTS
// RUN: gasync-opt --mlir-disable-threading %S/Inputs/simple.mlir | filecheck %s --check-prefix=THREADS

// VERSION: gasync-opt (gasync {{[0-9]+\.[0-9]+\.[0-9]+}})
// VERSION-NEXT: MLIR Python bindings {{[0-9]+\.}}

// DIALECTS: Available Dialects: {{.*}}builtin, {{.*}}func, gasync, gpu, {{.*}}scf

// THREADS: func.func @add_zero
