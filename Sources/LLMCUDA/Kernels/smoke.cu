// Smoke kernels: exercise the CUDA backend's plumbing (NVRTC with the CUDA headers,
// module loading, argument marshalling, large dynamic shared memory). No model uses them.
#include "common.cuh"

extern "C" __global__ void fill_f32(float* p, float v, int n) {
    grid_dependency_sync();
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) p[i] = v;
}

extern "C" __global__ void fill_bf16(__nv_bfloat16* p, float v, int n) {
    grid_dependency_sync();
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) p[i] = __float2bfloat16(v);
}

// out[i] = a * x[i] + b: one argument of every kind (pointer, float, 64-bit count).
extern "C" __global__ void axpb_f32(const float* x, float a, float b, long long n, float* out) {
    grid_dependency_sync();
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = a * x[i] + b;
}

// *out = sum of x[0..<n], staged through n floats of dynamic shared memory (more than
// the 48 KiB default when n > 12288, so the launch must raise the function's limit).
extern "C" __global__ void shared_sum_f32(const float* x, int n, float* out) {
    grid_dependency_sync();
    extern __shared__ float staged[];
    for (int i = threadIdx.x; i < n; i += blockDim.x) staged[i] = x[i];
    __syncthreads();
    if (threadIdx.x == 0) {
        float sum = 0.0f;
        for (int i = 0; i < n; ++i) sum += staged[i];
        *out = sum;
    }
}
