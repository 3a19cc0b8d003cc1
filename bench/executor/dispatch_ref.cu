// Hand-written CUDA C references for the dispatch benchmark (bench/executor):
// the same work as kernels.mlir's @dispatch_* kernels, without gasync.
// Each thread runs N = 8 tasks; task j starts from x = (float)((gid & 1023) + j),
// and each poll does one FMA (x = fma(x, a, b)) until it has done K of them;
// the (K+1)-th poll finishes it: N * (K + 1) polls per thread. The results
// are summed in task order and stored at out[gid] (the same checksum as the
// gasync kernels, bit for bit).
//
// The kernels take `out` as MLIR's memref descriptor (allocated, aligned,
// offset, size, stride), as gasync's kernels do, so that one launcher
// (runtime/launch.py) runs both.
//
// ref_dispatch_regs: round-robin over static slots: an unrolled loop, a switch
//   on each task's state per poll, frames in registers.
// ref_dispatch_fifo: asyncio's order: a FIFO run queue in one 64-bit register
//   (4 bits a slot, the head in the low bits), a switch on the popped slot,
//   each case touching its frame by a static index (frames in registers).
// ref_dispatch_local: a FIFO ring and frames indexed by a runtime slot
//   number (local memory): the byte-block executor's shape, by hand.
//
//   nvcc -O3 -arch=sm_90 -cubin -o dispatch_ref.cubin dispatch_ref.cu
#define N 8
#define MEMREF(T, name) T *name##_alloc, T *name, long long name##_offset, \
                        long long name##_size, long long name##_stride

extern "C" __global__ void ref_dispatch_regs(MEMREF(float, out), float a, float b, int K) {
  int gid = blockIdx.x * blockDim.x + threadIdx.x;
  int seed = gid & 1023;
  float x[N];
  int k[N], st[N];
#pragma unroll
  for (int j = 0; j < N; j++) { x[j] = (float)(seed + j); k[j] = 0; st[j] = 0; }
  int live = N;
  while (live > 0) {
#pragma unroll
    for (int j = 0; j < N; j++) {
      switch (st[j]) {
        case 0:  // suspended in its loop: one step, then yield (or finish)
          if (k[j] < K) { x[j] = fmaf(x[j], a, b); k[j]++; }
          else { st[j] = 1; live--; }
          break;
        default:  // done
          break;
      }
    }
  }
  float s = x[0];
#pragma unroll
  for (int j = 1; j < N; j++) s += x[j];
  out[gid] = s;
}

extern "C" __global__ void ref_dispatch_fifo(MEMREF(float, out), float a, float b, int K) {
  int gid = blockIdx.x * blockDim.x + threadIdx.x;
  int seed = gid & 1023;
  float x[N];
  int k[N];
  unsigned long long q = 0;
#pragma unroll
  for (int j = 0; j < N; j++) {
    x[j] = (float)(seed + j); k[j] = 0; q |= (unsigned long long)j << (4 * j);
  }
  int len = N;
  while (len > 0) {
    int s = (int)(q & 15);
    q >>= 4;
    len--;
    bool done = true;
    switch (s) {
#define POLL(j) case j: \
      if (k[j] < K) { x[j] = fmaf(x[j], a, b); k[j]++; done = false; } \
      break;
      POLL(0) POLL(1) POLL(2) POLL(3) POLL(4) POLL(5) POLL(6) POLL(7)
#undef POLL
    }
    if (!done) { q |= (unsigned long long)s << (4 * len); len++; }  // yield: to the back
  }
  float sum = x[0];
#pragma unroll
  for (int j = 1; j < N; j++) sum += x[j];
  out[gid] = sum;
}

struct Frame { int state; int k; float x; };

extern "C" __global__ void ref_dispatch_local(MEMREF(float, out), float a, float b, int K) {
  int gid = blockIdx.x * blockDim.x + threadIdx.x;
  int seed = gid & 1023;
  Frame f[N];
  int q[N];
  for (int j = 0; j < N; j++) { f[j].state = 0; f[j].k = 0; f[j].x = (float)(seed + j); q[j] = j; }
  unsigned head = 0, tail = N;
  while (head != tail) {
    int j = q[head % N];
    head++;
    bool done;
    switch (f[j].state) {
      case 0:
        if (f[j].k < K) { f[j].x = fmaf(f[j].x, a, b); f[j].k++; done = false; }
        else { f[j].state = 1; done = true; }
        break;
      default:
        done = true;
        break;
    }
    if (!done) { q[tail % N] = j; tail++; }
  }
  float s = f[0].x;
  for (int j = 1; j < N; j++) s += f[j].x;
  out[gid] = s;
}
