// CUDA dynamic parallelism reference for the spawn+join benchmark
// (bench/executor): `total` tiny tasks, each one child grid <<<1, 1>>> that
// computes out[i] = i * 3 + 1 (the same work as kernels.mlir's @task_tiny),
// launched by a parent grid of 132 CTAs x 256 threads (grid-stride over i).
// The parent grid completes only when all its children have (the implicit
// join), so the parent's time, by CUDA events, is the spawn+join time.
// Two launch modes: the block's default (NULL) stream, and
// cudaStreamFireAndForget (CUDA 12+).
//
//   nvcc -O3 -arch=sm_90 -rdc=true -o cdp_ref cdp_ref.cu -lcudadevrt
//   ./cdp_ref TOTAL REPS OUT.bin   (prints one JSON object)
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <algorithm>

#define CK(x) do { cudaError_t e = (x); if (e != cudaSuccess) { \
  fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e)); exit(1); } } while (0)

__global__ void child(int* out, int i) { out[i] = i * 3 + 1; }

__global__ void parent_default(int* out, int total, int* errors) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < total; i += gridDim.x * blockDim.x) {
    child<<<1, 1>>>(out, i);
    if (cudaGetLastError() != cudaSuccess) atomicAdd(errors, 1);
  }
}

__global__ void parent_ff(int* out, int total, int* errors) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < total; i += gridDim.x * blockDim.x) {
    child<<<1, 1, 0, cudaStreamFireAndForget>>>(out, i);
    if (cudaGetLastError() != cudaSuccess) atomicAdd(errors, 1);
  }
}

template <typename K>
void attrs(const char* name, K k, int block, bool last) {
  cudaFuncAttributes a;
  CK(cudaFuncGetAttributes(&a, k));
  int occ = 0;
  CK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&occ, k, block, 0));
  printf("\"%s\": {\"registers\": %d, \"local_bytes\": %zu, \"block\": %d, "
         "\"blocks_per_sm\": %d}%s\n", name, a.numRegs, a.localSizeBytes, block, occ, last ? "" : ",");
}

int main(int argc, char** argv) {
  int total = argc > 1 ? atoi(argv[1]) : (1 << 20);
  int reps = argc > 2 ? atoi(argv[2]) : 3;
  const char* path = argc > 3 ? argv[3] : nullptr;
  const int grid = 132, block = 256;
  CK(cudaDeviceSetLimit(cudaLimitDevRuntimePendingLaunchCount, total + 4096));
  int *out, *errors;
  CK(cudaMalloc(&out, sizeof(int) * total));
  CK(cudaMalloc(&errors, sizeof(int)));
  cudaEvent_t e0, e1;
  CK(cudaEventCreate(&e0));
  CK(cudaEventCreate(&e1));
  printf("{\"total\": %d, \"grid\": %d, \"block\": %d,\n", total, grid, block);
  attrs("child", child, 1, false);
  attrs("parent_default", parent_default, block, false);
  attrs("parent_ff", parent_ff, block, false);
  std::vector<int> host(total);
  for (int mode = 0; mode < 2; mode++) {
    const char* name = mode ? "fire_and_forget" : "default_stream";
    std::vector<float> ms;
    long long bad = 0, errs = 0;
    for (int r = 0; r < reps + 1; r++) {  // the first run warms up
      CK(cudaMemset(out, 0, sizeof(int) * total));
      CK(cudaMemset(errors, 0, sizeof(int)));
      CK(cudaEventRecord(e0));
      if (mode) parent_ff<<<grid, block>>>(out, total, errors);
      else parent_default<<<grid, block>>>(out, total, errors);
      CK(cudaEventRecord(e1));
      CK(cudaEventSynchronize(e1));
      CK(cudaGetLastError());
      float t;
      CK(cudaEventElapsedTime(&t, e0, e1));
      if (r) ms.push_back(t);
      int err;
      CK(cudaMemcpy(&err, errors, sizeof(int), cudaMemcpyDeviceToHost));
      errs += err;
      CK(cudaMemcpy(host.data(), out, sizeof(int) * total, cudaMemcpyDeviceToHost));
      for (int i = 0; i < total; i++) bad += host[i] != i * 3 + 1;
    }
    std::sort(ms.begin(), ms.end());
    printf("\"%s\": {\"ms\": [", name);
    for (size_t i = 0; i < ms.size(); i++) printf("%s%.4f", i ? ", " : "", ms[i]);
    printf("], \"ms_median\": %.4f, \"child_grids_per_s\": %.6g, \"wrong_values\": %lld, "
           "\"launch_errors\": %lld},\n", ms[ms.size() / 2], total / (ms[ms.size() / 2] * 1e-3),
           bad, errs);
  }
  if (path) {
    FILE* f = fopen(path, "wb");
    fwrite(host.data(), sizeof(int), total, f);
    fclose(f);
  }
  printf("\"ok\": true}\n");
  return 0;
}
