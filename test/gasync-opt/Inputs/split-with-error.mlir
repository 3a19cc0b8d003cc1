func.func @first() attributes {gasync.async} {
  return
}

// -----

// The error is located at line 10 of this file, not of its chunk.

func.func @second() {
  "gasync.yield"() : () -> ()
  return
}

// -----

func.func @third() attributes {gasync.async} {
  return
}
