// Hand-written CUDA C reference for the block-scope dispatch benchmark
// (bench/executor): the result of kernels.mlir's @dispatch_block, one
// executor per thread block with its state as SoA in shared memory.
// The root's lanes are warp 0's: lane l's N tasks start from
// x = (float)(((blockIdx.x * blockDim.x + l) & 1023) + j). Each round, warp j
// (j < N) polls task j with all its lanes (each lane its own frame: one FMA,
// or finishing after K of them); a barrier ends the round. After the K + 1
// rounds the root's sum (task order) is stored by every thread of the block:
// thread (w, l) stores lane l's, as gasync's block-scope kernel does.
// Needs blockDim.x = 32 * N (here 256).
//
//   nvcc -O3 -arch=sm_90 -cubin -o block_ref.cubin block_ref.cu
#define N 8
#define LANES 32
#define MEMREF(T, name) T *name##_alloc, T *name, long long name##_offset, \
                        long long name##_size, long long name##_stride

extern "C" __global__ void ref_dispatch_block(MEMREF(float, out), float a, float b, int K) {
  __shared__ float x[N][LANES];  // task j's frame for lane l
  __shared__ int k[N];           // task j's loop counter (uniform over the lanes)
  __shared__ int state[N];       // 0: suspended, 1: done
  int lane = threadIdx.x % LANES;
  int warp = threadIdx.x / LANES;
  if (warp < N) {
    x[warp][lane] = (float)(((blockIdx.x * blockDim.x + lane) & 1023) + warp);
    if (lane == 0) { k[warp] = 0; state[warp] = 0; }
  }
  __syncthreads();
  for (int round = 0; round <= K; round++) {
    if (warp < N && state[warp] == 0) {
      int kk = k[warp];
      if (kk < K) x[warp][lane] = fmaf(x[warp][lane], a, b);
      __syncwarp();
      if (lane == 0) { if (kk < K) k[warp] = kk + 1; else state[warp] = 1; }
    }
    __syncthreads();
  }
  float s = x[0][lane];
#pragma unroll
  for (int j = 1; j < N; j++) s += x[j][lane];
  out[blockIdx.x * blockDim.x + threadIdx.x] = s;
}
