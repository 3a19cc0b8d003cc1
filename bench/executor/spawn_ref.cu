// Hand-written CUDA C reference for the spawn+join benchmark (bench/executor):
// the semantics of kernels.mlir's @spawn_* kernels (root @root_spawn, tasks
// @task_tiny) with a static per-thread pool and frames in registers.
// Per batch r, the root (slot 0) spawns P tasks into slots 1..P (queued in
// order at the back of a FIFO run queue in one 64-bit register, 4 bits a
// slot), then joins them in order: a task not yet done parks the root, and
// that task wakes it (to the back of the queue) when it finishes. Task j of
// batch r computes i * 3 + 1 with i = (gid * batches + r) * P + j, done at its
// first poll; the root adds the results (i32, wrapping) into out[gid].
// Every slot is touched by a static index (a switch on the popped slot), so
// the pool lives in registers.
//
//   nvcc -O3 -arch=sm_90 -cubin -o spawn_ref.cubin spawn_ref.cu
#define P 8
#define MEMREF(T, name) T *name##_alloc, T *name, long long name##_offset, \
                        long long name##_size, long long name##_stride

extern "C" __global__ void ref_spawn(MEMREF(int, out), int batches) {
  int gid = blockIdx.x * blockDim.x + threadIdx.x;
  int acc = 0;
  for (int r = 0; r < batches; r++) {
    int base = (gid * batches + r) * P;
    int arg[P], res[P];
    unsigned done = 0;
    unsigned long long q = 0;
    int len = 0;
#pragma unroll
    for (int j = 0; j < P; j++) {  // spawn: the frame's argument, queued at the back
      arg[j] = base + j;
      q |= (unsigned long long)(j + 1) << (4 * len);
      len++;
    }
    int joined = 0;
    int awaited = 1;  // the root's join of task 0 (slot 1) found it pending
    while (len > 0) {
      int s = (int)(q & 15);
      q >>= 4;
      len--;
      switch (s) {
        case 0: {  // the root, woken: join in order, park on the first pending task
          bool parked = false;
#pragma unroll
          for (int j = 0; j < P; j++) {
            if (!parked && joined == j) {
              if (done >> j & 1) { acc += res[j]; joined++; }
              else { parked = true; awaited = j + 1; }
            }
          }
          break;
        }
#define TASK(j) case j + 1: \
          res[j] = arg[j] * 3 + 1; \
          done |= 1u << j; \
          if (awaited == j + 1) { len++; awaited = -1; }  /* wake the root: slot 0 at the back */ \
          break;
        TASK(0) TASK(1) TASK(2) TASK(3) TASK(4) TASK(5) TASK(6) TASK(7)
#undef TASK
      }
    }
  }
  out[gid] = acc;
}
