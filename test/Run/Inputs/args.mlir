// Entries for test/python/test_run_cli.py's argument checks.
func.func @main(%m: memref<2x3xi32>, %f: f32, %v: memref<2xf32>) -> f32 {
  return %f : f32
}

func.func @wide(%m: memref<100000x100000xi32>) {
  return
}
