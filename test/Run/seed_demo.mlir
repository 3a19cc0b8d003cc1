// The seed's demo_async, all six cases, compiled to state machines and run
// on the CPU: val = 21 with the flag set, then with it clear (the
// conditional case then returns the value unchanged).
// RUN: gasync-run %S/../../examples/seed_demo.mlir --entry main --arg 21 --arg 1 | filecheck %s
// RUN: gasync-run %S/../../examples/seed_demo.mlir --entry main --arg 21 --arg 0 | filecheck %s --check-prefix=FLAG0
// CHECK: result 0: 42
// CHECK-NEXT: result 1: 126
// CHECK-NEXT: result 2: 42
// CHECK-NEXT: result 3: 84
// CHECK-NEXT: result 4: 294
// CHECK-NEXT: result 5: 142
// CHECK-EMPTY:
// FLAG0: result 2: 21
