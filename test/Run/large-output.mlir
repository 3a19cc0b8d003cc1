// A memref argument of more than 1,000 elements prints summarised, numpy's
// way: the first and last 3 items of each dimension around `...`;
// --print-full prints every element. At 1,000 elements and below the print
// is the full one, unchanged.
// RUN: gasync-run %s --entry iota2000 --arg 'memref<2000xi32>' | filecheck %s --check-prefix=SUMMARY
// RUN: gasync-run %s --entry iota2000 --arg 'memref<2000xi32>' --print-full | filecheck %s --check-prefix=FULL
// RUN: gasync-run %s --entry iota1000 --arg 'memref<1000xi32>' | filecheck %s --check-prefix=SMALL
// RUN: gasync-run %s --entry grid40x50 --arg 'memref<40x50xi32>' | filecheck %s --check-prefix=GRID
// RUN: gasync-run %s --entry grid2x600 --arg 'memref<2x600xi32>' | filecheck %s --check-prefix=ROWS
// RUN: gasync-run %s --entry grid40x50 --arg 'memref<40x50xi32>' --print-full | filecheck %s --check-prefix=GRIDFULL

// SUMMARY: arg 0: [0, 1, 2, ..., 1997, 1998, 1999]{{$}}
// FULL: arg 0: [0, 1, 2, 3, 4, 5, 6, {{.*}}, 997, 998, 999, 1000, 1001, {{.*}}, 1996, 1997, 1998, 1999]{{$}}
// FULL-NOT: ...
// SMALL: arg 0: [0, 1, 2, 3, 4, {{.*}}, 500, 501, {{.*}}, 995, 996, 997, 998, 999]{{$}}
// SMALL-NOT: ...
// GRID: arg 0: {{\[}}[0, 1, 2, ..., 47, 48, 49], [50, 51, 52, ..., 97, 98, 99], [100, 101, 102, ..., 147, 148, 149], ..., [1850, 1851, 1852, ..., 1897, 1898, 1899], [1900, 1901, 1902, ..., 1947, 1948, 1949], [1950, 1951, 1952, ..., 1997, 1998, 1999]]{{$}}
// A dimension of at most 6 items is printed whole.
// ROWS: arg 0: {{\[}}[0, 1, 2, ..., 597, 598, 599], [600, 601, 602, ..., 1197, 1198, 1199]]{{$}}
// GRIDFULL: arg 0: {{\[}}[0, 1, 2, 3, 4, 5, {{.*}}, 48, 49], [50, 51, {{.*}}, [1950, 1951, {{.*}}, 1998, 1999]]{{$}}
// GRIDFULL-NOT: ...

// The entries (the CPU runs static shapes) fill their argument with @iota or @grid.
func.func @iota2000(%m: memref<2000xi32>) {
  %d = memref.cast %m : memref<2000xi32> to memref<?xi32>
  call @iota(%d) : (memref<?xi32>) -> ()
  return
}

func.func @iota1000(%m: memref<1000xi32>) {
  %d = memref.cast %m : memref<1000xi32> to memref<?xi32>
  call @iota(%d) : (memref<?xi32>) -> ()
  return
}

func.func @grid40x50(%m: memref<40x50xi32>) {
  %d = memref.cast %m : memref<40x50xi32> to memref<?x?xi32>
  call @grid(%d) : (memref<?x?xi32>) -> ()
  return
}

func.func @grid2x600(%m: memref<2x600xi32>) {
  %d = memref.cast %m : memref<2x600xi32> to memref<?x?xi32>
  call @grid(%d) : (memref<?x?xi32>) -> ()
  return
}

// %m[i] = i
func.func @iota(%m: memref<?xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %m, %c0 : memref<?xi32>
  scf.for %i = %c0 to %n step %c1 {
    %v = arith.index_cast %i : index to i32
    memref.store %v, %m[%i] : memref<?xi32>
  }
  return
}

// %m[i, j] = i * columns + j
func.func @grid(%m: memref<?x?xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %m, %c0 : memref<?x?xi32>
  %cols = memref.dim %m, %c1 : memref<?x?xi32>
  scf.for %i = %c0 to %rows step %c1 {
    scf.for %j = %c0 to %cols step %c1 {
      %row = arith.muli %i, %cols : index
      %k = arith.addi %row, %j : index
      %v = arith.index_cast %k : index to i32
      memref.store %v, %m[%i, %j] : memref<?x?xi32>
    }
  }
  return
}
