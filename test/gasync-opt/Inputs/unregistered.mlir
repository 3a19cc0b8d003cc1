func.func @main(%x: !foo.value) -> i32 {
  %v = "foo.get"(%x) : (!foo.value) -> i32
  "foo.sink"(%v) {note = "kept"} : (i32) -> ()
  return %v : i32
}
