// The verifier's rules for the hardware futures and their signals
// (docs/hardware-futures.md), one invalid program per chunk.
// RUN: gasync-opt %s --split-input-file --verify-diagnostics

func.func @flag_not_memref(%f: i32, %v: i32) {
  // expected-error@+1 {{'gasync.flag_store' expects the flag as a memref, found 'i32'}}
  "gasync.flag_store"(%f, %v) : (i32, i32) -> ()
  return
}

// -----

func.func @flag_element(%f: memref<1xf32>, %v: f32) {
  // expected-error@+1 {{'gasync.flag_store' expects the flag with 'i32' or 'i64' elements, found 'memref<1xf32>'}}
  "gasync.flag_store"(%f, %v) : (memref<1xf32>, f32) -> ()
  return
}

// -----

func.func @flag_value_type(%f: memref<1xi64>, %v: i32) {
  // expected-error@+1 {{'gasync.flag_store' expects the value of type 'i64', found 'i32'}}
  "gasync.flag_store"(%f, %v) : (memref<1xi64>, i32) -> ()
  return
}

// -----

func.func @flag_scope(%f: memref<1xi32>, %v: i32) {
  // expected-error@+1 {{'gasync.flag_store' attribute 'scope' must be one of 'block', 'gpu', 'system', not "cluster"}}
  "gasync.flag_store"(%f, %v) {scope = "cluster"} : (memref<1xi32>, i32) -> ()
  return
}

// -----

func.func @flag_predicate(%f: memref<1xi32>, %v: i32) {
  // expected-error@+1 {{'gasync.flag_wait' attribute 'predicate' must be one of 'eq', 'ne', 'slt', 'sle', 'sgt', 'sge', 'ult', 'ule', 'ugt', 'uge', not "gt"}}
  %w = "gasync.flag_wait"(%f, %v) {predicate = "gt"} : (memref<1xi32>, i32) -> !gasync.fut<i32>
  "gasync.block_on"(%w) : (!gasync.fut<i32>) -> i32
  return
}

// -----

func.func @flag_wait_result(%f: memref<1xi32>, %v: i32) {
  // expected-error@+1 {{'gasync.flag_wait' result type must be '!gasync.fut<i32>', found '!gasync.fut<none>'}}
  %w = "gasync.flag_wait"(%f, %v) : (memref<1xi32>, i32) -> !gasync.fut<none>
  "gasync.block_on"(%w) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @flag_add_result(%f: memref<1xi32>, %v: i32) {
  // expected-error@+1 {{'gasync.flag_add' result type must be 'i32', found 'i64'}}
  %old = "gasync.flag_add"(%f, %v) : (memref<1xi32>, i32) -> i64
  return
}

// -----

func.func @flag_empty(%f: memref<0xi32>, %v: i32) {
  // expected-error@+1 {{'gasync.flag_store': the flag 'memref<0xi32>' has no elements}}
  "gasync.flag_store"(%f, %v) : (memref<0xi32>, i32) -> ()
  return
}

// -----

func.func @mbarrier_element(%b: memref<1xi32>, %n: i32) {
  // expected-error@+1 {{'gasync.mbarrier_init' expects the mbarrier with 'i64' elements, found 'memref<1xi32>'}}
  "gasync.mbarrier_init"(%b, %n) : (memref<1xi32>, i32) -> ()
  return
}

// -----

func.func @mbarrier_count(%b: memref<1xi64>, %n: i64) {
  // expected-error@+1 {{'gasync.mbarrier_init' expects the arrival count of type 'i32', found 'i64'}}
  "gasync.mbarrier_init"(%b, %n) : (memref<1xi64>, i64) -> ()
  return
}

// -----

func.func @mbarrier_wait_parity(%b: memref<1xi64>, %p: i1) {
  // expected-error@+1 {{'gasync.mbarrier_wait' expects the phase parity of type 'i32', found 'i1'}}
  %w = "gasync.mbarrier_wait"(%b, %p) : (memref<1xi64>, i1) -> !gasync.fut<none>
  "gasync.block_on"(%w) : (!gasync.fut<none>) -> ()
  return
}

// -----

module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @mbarrier_in_global(%b: memref<1xi64>) kernel {
      %one = arith.constant 1 : i32
      // expected-error@+1 {{'gasync.mbarrier_init': the mbarrier must be in shared memory (#gpu.address_space<workgroup>) on the GPU, found 'memref<1xi64>'}}
      "gasync.mbarrier_init"(%b, %one) : (memref<1xi64>, i32) -> ()
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @load_to_global(%d: memref<16xf32>, %s: memref<16xf32>, %b: memref<1xi64, #gpu.address_space<workgroup>>) kernel {
      // expected-error@+1 {{'gasync.bulk_load': the destination must be in shared memory (#gpu.address_space<workgroup>) on the GPU, found 'memref<16xf32>'}}
      "gasync.bulk_load"(%d, %s, %b) : (memref<16xf32>, memref<16xf32>, memref<1xi64, #gpu.address_space<workgroup>>) -> ()
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @store_from_global(%d: memref<16xf32>, %s: memref<16xf32>) kernel {
      // expected-error@+1 {{'gasync.bulk_store': the source must be in shared memory (#gpu.address_space<workgroup>) on the GPU, found 'memref<16xf32>'}}
      %f = "gasync.bulk_store"(%d, %s) : (memref<16xf32>, memref<16xf32>) -> !gasync.fut<none>
      "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
      gpu.return
    }
  }
}

// -----

func.func @bulk_size(%d: memref<5xf32>, %s: memref<5xf32>, %b: memref<1xi64>) {
  // expected-error@+1 {{'gasync.bulk_load' copies 20 bytes: a bulk copy's size must be a multiple of 16 bytes}}
  "gasync.bulk_load"(%d, %s, %b) : (memref<5xf32>, memref<5xf32>, memref<1xi64>) -> ()
  return
}

// -----

func.func @bulk_too_big(%d: memref<262144xf32>, %s: memref<262144xf32>, %b: memref<1xi64>) {
  // expected-error@+1 {{'gasync.bulk_load' copies 1048576 bytes: at most 1048575 bytes per bulk copy}}
  "gasync.bulk_load"(%d, %s, %b) : (memref<262144xf32>, memref<262144xf32>, memref<1xi64>) -> ()
  return
}

// -----

func.func @bulk_misaligned(%d: memref<8xf32>, %s: memref<8xf32, strided<[1], offset: 2>>, %b: memref<1xi64>) {
  // expected-error@+1 {{'gasync.bulk_load': the source 'memref<8xf32, strided<[1], offset: 2>>' starts 8 bytes into its buffer: a bulk copy's addresses must be 16-byte aligned}}
  "gasync.bulk_load"(%d, %s, %b) : (memref<8xf32>, memref<8xf32, strided<[1], offset: 2>>, memref<1xi64>) -> ()
  return
}

// -----

func.func @bulk_dynamic(%d: memref<?xf32>, %s: memref<?xf32>) {
  // expected-error@+1 {{'gasync.bulk_store': the destination 'memref<?xf32>' must have a static shape and cover contiguous memory}}
  %f = "gasync.bulk_store"(%d, %s) : (memref<?xf32>, memref<?xf32>) -> !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @bulk_strided(%d: memref<4x4xf32>, %s: memref<4x4xf32, strided<[8, 1]>>, %b: memref<1xi64>) {
  // expected-error@+1 {{'gasync.bulk_load': the source 'memref<4x4xf32, strided<[8, 1]>>' must have a static shape and cover contiguous memory}}
  "gasync.bulk_load"(%d, %s, %b) : (memref<4x4xf32>, memref<4x4xf32, strided<[8, 1]>>, memref<1xi64>) -> ()
  return
}

// -----

func.func @bulk_shapes(%d: memref<8xf32>, %s: memref<4xf32>, %b: memref<1xi64>) {
  // expected-error@+1 {{'gasync.bulk_load': the destination 'memref<8xf32>' and the source 'memref<4xf32>' must hold as many elements of one type}}
  "gasync.bulk_load"(%d, %s, %b) : (memref<8xf32>, memref<4xf32>, memref<1xi64>) -> ()
  return
}

// -----

func.func @sleep_type(%ns: i32) {
  // expected-error@+1 {{'gasync.sleep' expects the duration in nanoseconds of type 'i64', found 'i32'}}
  %f = "gasync.sleep"(%ns) : (i32) -> !gasync.fut<none>
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @moved_twice(%ns: i64) {
  // expected-note@+1 {{the future was created here}}
  %f = "gasync.sleep"(%ns) : (i64) -> !gasync.fut<none>
  // expected-note@+1 {{the future may have been consumed here}}
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  // expected-error@+1 {{use of a moved future}}
  "gasync.block_on"(%f) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @arity(%b: memref<1xi64>) {
  // expected-error@+1 {{'gasync.mbarrier_arrive_expect_tx' expects 2 operand(s), found 1}}
  "gasync.mbarrier_arrive_expect_tx"(%b) : (memref<1xi64>) -> ()
  return
}

// -----

func.func @channel_state_size(%slots: memref<4xi32>, %state: memref<4xi64>, %n: i32) {
  // expected-error@+1 {{'gasync.channel_init': the state of a channel of 4 slots must be memref<8xi64> (a full and an empty mbarrier per slot), found 'memref<4xi64>'}}
  "gasync.channel_init"(%slots, %state, %n) : (memref<4xi32>, memref<4xi64>, i32) -> ()
  return
}

// -----

func.func @channel_message_number(%slots: memref<4xi32>, %state: memref<8xi64>, %i: i32) {
  // expected-error@+1 {{'gasync.recv' expects the message number of type 'index', found 'i32'}}
  %r = "gasync.recv"(%slots, %state, %i) : (memref<4xi32>, memref<8xi64>, i32) -> !gasync.fut<i32>
  "gasync.block_on"(%r) : (!gasync.fut<i32>) -> i32
  return
}

// -----

func.func @channel_send_type(%slots: memref<4xi32>, %state: memref<8xi64>, %i: index, %v: f32) {
  // expected-error@+1 {{'gasync.send' expects the message of type 'i32', found 'f32'}}
  %s = "gasync.send"(%slots, %state, %i, %v) : (memref<4xi32>, memref<8xi64>, index, f32) -> !gasync.fut<none>
  "gasync.block_on"(%s) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @channel_recv_tile(%slots: memref<2x8xf32>, %state: memref<4xi64>, %i: index) {
  // expected-error@+1 {{'gasync.recv' result type must be '!gasync.fut<index>', found '!gasync.fut<f32>'}}
  %r = "gasync.recv"(%slots, %state, %i) : (memref<2x8xf32>, memref<4xi64>, index) -> !gasync.fut<f32>
  "gasync.block_on"(%r) : (!gasync.fut<f32>) -> f32
  return
}

// -----

func.func @channel_tile_size(%slots: memref<2x3xf32>, %state: memref<4xi64>, %i: index, %t: memref<3xf32>) {
  // expected-error@+1 {{'gasync.send' copies 12 bytes: a bulk copy's size must be a multiple of 16 bytes}}
  %s = "gasync.send"(%slots, %state, %i, %t) : (memref<2x3xf32>, memref<4xi64>, index, memref<3xf32>) -> !gasync.fut<none>
  "gasync.block_on"(%s) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @channel_tile_mismatch(%slots: memref<2x8xf32>, %state: memref<4xi64>, %i: index, %t: memref<4xf32>) {
  // expected-error@+1 {{'gasync.send': the slot 'memref<8xf32>' and the tile 'memref<4xf32>' must hold as many elements of one type}}
  %s = "gasync.send"(%slots, %state, %i, %t) : (memref<2x8xf32>, memref<4xi64>, index, memref<4xf32>) -> !gasync.fut<none>
  "gasync.block_on"(%s) : (!gasync.fut<none>) -> ()
  return
}

// -----

func.func @release_scalar(%slots: memref<4xi32>, %state: memref<8xi64>, %i: index) {
  // expected-error@+1 {{'gasync.release' is for tile channels: a scalar channel's recv frees its slot itself}}
  "gasync.release"(%slots, %state, %i) : (memref<4xi32>, memref<8xi64>, index) -> ()
  return
}

// -----

module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @channel_in_global(%slots: memref<4xi32>, %state: memref<8xi64, #gpu.address_space<workgroup>>) kernel {
      %one = arith.constant 1 : i32
      // expected-error@+1 {{'gasync.channel_init': the channel's slots must be in shared memory (#gpu.address_space<workgroup>) on the GPU, found 'memref<4xi32>'}}
      "gasync.channel_init"(%slots, %state, %one) : (memref<4xi32>, memref<8xi64, #gpu.address_space<workgroup>>, i32) -> ()
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @k {
    memref.global "private" @box : memref<2xi32, #gpu.address_space<workgroup>>
    memref.global "private" @box_state : memref<4xi64, #gpu.address_space<workgroup>>
    gpu.func @nobody_sends() kernel {
      %slots = memref.get_global @box : memref<2xi32, #gpu.address_space<workgroup>>
      %state = memref.get_global @box_state : memref<4xi64, #gpu.address_space<workgroup>>
      %c0 = arith.constant 0 : index
      // expected-error@+1 {{'gasync.recv' on channel @box waits for ever: nothing in this module sends to it}}
      %r = "gasync.recv"(%slots, %state, %c0) : (memref<2xi32, #gpu.address_space<workgroup>>, memref<4xi64, #gpu.address_space<workgroup>>, index) -> !gasync.fut<i32>
      %v = "gasync.block_on"(%r) : (!gasync.fut<i32>) -> i32
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @k {
    memref.global "private" @bar : memref<1xi64, #gpu.address_space<workgroup>>
    gpu.func @no_copy() kernel {
      %bar = memref.get_global @bar : memref<1xi64, #gpu.address_space<workgroup>>
      %n = arith.constant 64 : i32
      // expected-error@+1 {{'gasync.mbarrier_arrive_expect_tx' on mbarrier @bar waits for bytes that no gasync.bulk_load in this module completes}}
      "gasync.mbarrier_arrive_expect_tx"(%bar, %n) : (memref<1xi64, #gpu.address_space<workgroup>>, i32) -> ()
      gpu.return
    }
  }
}
