// The flag ping-pong of examples/flag_pingpong.mlir between two tasks of one
// CPU executor: 1000 round trips; ping sums 1..1000, pong 0..999.
// RUN: gasync-run %S/../../examples/flag_pingpong.mlir --entry main --arg 'memref<2xi32>' --arg 1000 | filecheck %s
// CHECK: result 0: 1000000
// CHECK-NEXT: arg 0: [1000, 1000]
