// Allocas whose memory is used after a suspension point live in the frame,
// which has a static size: what cannot be placed there is a located error.
// RUN: gasync-opt %s --split-input-file --verify-diagnostics --gasync-coro

func.func private @dynamic(%n: index, %x: i32) -> i32 attributes {gasync.async} {
  // expected-error @+1 {{'memref.alloca' of a dynamic size whose memory is used after a suspension point: not supported}}
  %a = memref.alloca(%n) : memref<?xi32>
  %c0 = arith.constant 0 : index
  memref.store %x, %a[%c0] : memref<?xi32>
  "gasync.yield"() : () -> ()
  %v = memref.load %a[%c0] : memref<?xi32>
  return %v : i32
}

// -----

func.func private @dynamic_llvm(%n: i64, %x: i32) -> i32 attributes {gasync.async} {
  // expected-error @+1 {{'llvm.alloca' of a dynamic size whose memory is used after a suspension point: not supported}}
  %p = llvm.alloca %n x i32 : (i64) -> !llvm.ptr
  llvm.store %x, %p : i32, !llvm.ptr
  "gasync.yield"() : () -> ()
  %v = llvm.load %p : !llvm.ptr -> i32
  return %v : i32
}

// -----

func.func private @private_space(%x: i32) -> i32 attributes {gasync.async} {
  // expected-error @+1 {{'memref.alloca' of type 'memref<1xi32, 5>' whose memory is used after a suspension point: not supported in frames}}
  %a = memref.alloca() : memref<1xi32, 5>
  %c0 = arith.constant 0 : index
  memref.store %x, %a[%c0] : memref<1xi32, 5>
  "gasync.yield"() : () -> ()
  %v = memref.load %a[%c0] : memref<1xi32, 5>
  return %v : i32
}

// -----

// A dynamic alloca used only before the first suspension stays on the stack.
func.func private @dynamic_before(%n: index, %x: i32) -> i32 attributes {gasync.async} {
  %a = memref.alloca(%n) : memref<?xi32>
  %c0 = arith.constant 0 : index
  memref.store %x, %a[%c0] : memref<?xi32>
  %v = memref.load %a[%c0] : memref<?xi32>
  "gasync.yield"() : () -> ()
  return %v : i32
}
