// Hand-written CUDA C references for bench/pipeline (compiled with nvcc by
// run_device.py on the GPU machine, -arch=sm_90a):
//
// - ref_pipeline: the warp-specialised stream of examples/pipeline.mlir, by
//   hand: per block one producer thread (warp 0) fills a ring of STAGES
//   8 KiB tiles by cp.async.bulk completing on each stage's full mbarrier;
//   the threads of the other warps wait for the stage with a
//   mbarrier.test_wait.parity spin, compute y = a*x + b, store to global
//   memory and arrive on the stage's empty mbarrier (count: consumer
//   threads). The producer waits on the empty barrier with the phase bit
//   flipped (CUTLASS's producer starting at phase 1).
// - ref_copy: a plain grid-stride float4 copy (the bandwidth roof).
// - ref_axpy: a plain grid-stride float4 y = a*x + b (no pipeline).
// - ref_handoff: bench/pipeline/handoff.mlir by hand: two one-thread warps
//   hand a value back and forth through two channels of 2 slots, each a slot
//   with full and empty mbarriers, waits a test_wait spin; 2n handoffs.

#include <cstdint>

#define TILE 2048
#define STAGES 4

__device__ __forceinline__ uint32_t smem(const void *p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

__device__ __forceinline__ void bar_init(uint64_t *bar, uint32_t count) {
  asm volatile("mbarrier.init.shared.b64 [%0], %1;" ::"r"(smem(bar)), "r"(count) : "memory");
}

__device__ __forceinline__ void bar_arrive(uint64_t *bar) {
  asm volatile("{ .reg .b64 t; mbarrier.arrive.shared.b64 t, [%0]; }" ::"r"(smem(bar)) : "memory");
}

__device__ __forceinline__ void bar_arrive_expect_tx(uint64_t *bar, uint32_t bytes) {
  asm volatile("{ .reg .b64 t; mbarrier.arrive.expect_tx.shared.b64 t, [%0], %1; }" ::"r"(smem(bar)),
               "r"(bytes) : "memory");
}

__device__ __forceinline__ bool bar_test(uint64_t *bar, uint32_t parity) {
  uint32_t done;
  asm volatile("{ .reg .pred p; mbarrier.test_wait.parity.shared.b64 p, [%1], %2; selp.u32 %0, 1, 0, p; }"
               : "=r"(done) : "r"(smem(bar)), "r"(parity) : "memory");
  return done;
}

__device__ __forceinline__ void bar_wait(uint64_t *bar, uint32_t parity) {
  while (!bar_test(bar, parity)) {
  }
}

__device__ __forceinline__ void bulk_load(void *dst, const void *src, uint32_t bytes, uint64_t *bar) {
  asm volatile("cp.async.bulk.shared::cta.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];"
               ::"r"(smem(dst)), "l"(src), "r"(bytes), "r"(smem(bar)) : "memory");
}

extern "C" __global__ void ref_pipeline(const float *__restrict__ x, float *__restrict__ y, float a,
                                        float b, int tiles) {
  __shared__ alignas(128) float ring[STAGES][TILE];
  __shared__ alignas(8) uint64_t full[STAGES], empty[STAGES];
  const unsigned consumers = blockDim.x - 32;
  if (threadIdx.x == 0) {
    for (int s = 0; s < STAGES; ++s) {
      bar_init(&full[s], 1);
      bar_init(&empty[s], consumers);
    }
    asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
  }
  __syncthreads();
  const int count = blockIdx.x < (unsigned)tiles ? (tiles - blockIdx.x + gridDim.x - 1) / gridDim.x : 0;
  if (threadIdx.x == 0) {
    for (int k = 0; k < count; ++k) {
      const int s = k % STAGES;
      const uint32_t parity = (k / STAGES) & 1;
      bar_wait(&empty[s], parity ^ 1);
      const long t = blockIdx.x + (long)k * gridDim.x;
      bar_arrive_expect_tx(&full[s], TILE * 4);
      bulk_load(ring[s], x + t * TILE, TILE * 4, &full[s]);
    }
  } else if (threadIdx.x >= 32) {
    const unsigned me = threadIdx.x - 32;
    for (int k = 0; k < count; ++k) {
      const int s = k % STAGES;
      const uint32_t parity = (k / STAGES) & 1;
      bar_wait(&full[s], parity);
      const long t = blockIdx.x + (long)k * gridDim.x;
      for (unsigned j = me; j < TILE; j += consumers)
        y[t * TILE + j] = a * ring[s][j] + b;
      bar_arrive(&empty[s]);
    }
  }
}

extern "C" __global__ void ref_copy(const float4 *__restrict__ x, float4 *__restrict__ y, long n4) {
  for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n4; i += (long)gridDim.x * blockDim.x)
    y[i] = x[i];
}

extern "C" __global__ void ref_axpy(const float4 *__restrict__ x, float4 *__restrict__ y, float a,
                                    float b, long n4) {
  for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n4; i += (long)gridDim.x * blockDim.x) {
    float4 v = x[i];
    y[i] = make_float4(a * v.x + b, a * v.y + b, a * v.z + b, a * v.w + b);
  }
}

struct Channel {  // 2 slots of one int, a full and an empty mbarrier each
  int slot[2];
  uint64_t full[2], empty[2];
  __device__ void init() {
    for (int s = 0; s < 2; ++s) {
      bar_init(&full[s], 1);
      bar_init(&empty[s], 1);
    }
  }
  __device__ void send(int i, int v) {
    const int s = i & 1;
    bar_wait(&empty[s], ((i >> 1) & 1) ^ 1);
    *(volatile int *)&slot[s] = v;
    bar_arrive(&full[s]);
  }
  __device__ int recv(int i) {
    const int s = i & 1;
    bar_wait(&full[s], (i >> 1) & 1);
    const int v = *(volatile int *)&slot[s];
    bar_arrive(&empty[s]);
    return v;
  }
};

extern "C" __global__ void ref_handoff(int n, long long *out) {
  __shared__ Channel ping, pong;
  if (threadIdx.x == 0) {
    ping.init();
    pong.init();
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    const long long t0 = clock64();
    int v = 0;
    for (int i = 0; i < n; ++i) {
      ping.send(i, v);
      v = pong.recv(i);
    }
    const long long t1 = clock64();
    out[0] = t1 - t0;
    out[1] = v;
  } else if (threadIdx.x == 32) {
    for (int i = 0; i < n; ++i)
      pong.send(i, ping.recv(i) + 1);
  }
}
