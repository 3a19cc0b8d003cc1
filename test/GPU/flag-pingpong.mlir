// The flag ping-pong of examples/flag_pingpong.mlir between two blocks: a
// release store and a release add answered by acquire loads at GPU scope.
// RUN: %gpu-run %S/../../examples/flag_pingpong.mlir --emit=ptx | filecheck %s
// GPU-SOURCE: ../../examples/flag_pingpong.mlir
// GPU-EXEC: --entry pingpong --grid 2,1,1 --block 1,1,1 --arg 'memref<2xi32>' --arg 1000 --arg 'memref<2xi32>' --timeout 60
// GPU-EXPECT: arg 0: [1000, 1000]
// GPU-EXPECT: arg 2: [500500, 499500]
// CHECK-LABEL: .entry pingpong(
// CHECK-DAG: st.release.gpu.global.b32
// CHECK-DAG: ld.acquire.gpu
// CHECK-DAG: atom.add.u32
// CHECK-NOT: try_wait
