func.func @async_fn() attributes {gasync.async} {
  return
}

func.func @main() {
  %f = "gasync.future"() {callee = @async_fn} : () -> !gasync.fut<none>
  "gasync.await"(%f) : (!gasync.fut<none>) -> ()
  return
}
