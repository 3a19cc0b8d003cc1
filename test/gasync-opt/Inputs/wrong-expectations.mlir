// --verify-diagnostics fails on this file: one expected error is not
// produced, and one error is produced that nobody expected.
func.func @a() attributes {gasync.async} {
  // expected-error@+1 {{this message is never produced}}
  return
}

func.func @main() {
  %f = "gasync.future"() {callee = @a} : () -> !gasync.fut<none>
  "gasync.await"(%f) : (!gasync.fut<none>) -> ()
  return
}
