// Hand-written CUDA C references for the dispatch benchmark (bench/executor):
// the same work as kernels.mlir's @dispatch_* kernels, without gasync.
// Each thread runs N = 8 tasks; task j starts from x = (float)((gid & 1023) + j),
// and each poll does one FMA (x = fma(x, a, b)) until it has done K of them;
// the (K+1)-th poll finishes it: N * (K + 1) polls per thread. The results
// are summed in task order and stored at out[gid] (the same checksum as the
// gasync kernels, bit for bit).
//
// ref_dispatch_regs: the tasks are round-robined by an unrolled loop, a
//   switch on each task's state per poll: frames in registers (the anchor of docs/design.md's
//   "What the GPU costs": "8-state switch poll, frame in registers").
// ref_dispatch_local: a hand-written executor shaped like gasync's: frames in
//   an array and a run-queue ring, both indexed by a runtime slot number, so
//   they live in local memory; a switch on the frame's state per poll.
//
//   nvcc -O3 -arch=sm_90 -cubin -o dispatch_ref.cubin dispatch_ref.cu
#define N 8

extern "C" __global__ void ref_dispatch_regs(float* out, float a, float b, int K) {
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

struct Frame { int state; int k; float x; };

extern "C" __global__ void ref_dispatch_local(float* out, float a, float b, int K) {
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
