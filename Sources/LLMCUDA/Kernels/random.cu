// Uniform random fills that reproduce the CPU backend's sequence exactly, so a
// random-weight model (`--load-format dummy`) is the same model on both backends. The
// sequence is SplitMix64, which is counter-based: output i mixes seed + (i + 1) * gamma,
// so every element is computed on its own and a 16 GB model fills in well under a
// second instead of streaming host-generated values through PCIe. Value i is
// low + (high - low) * (top 24 bits) / 2^24 in f32, each step rounded as the host
// rounds it (no contraction into an FMA), then stored as the tensor's type.
#include "common.cuh"

__device__ __forceinline__ float uniform_at(unsigned long long seed, long long i, float low, float span) {
    unsigned long long z = seed + (unsigned long long)(i + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return __fadd_rn(low, __fdiv_rn(__fmul_rn(span, (float)(z >> 40)), 16777216.0f));
}

template <typename T>
__device__ __forceinline__ void fill_uniform_impl(T* __restrict__ out, long long n, unsigned long long seed, float low, float span) {
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        out[i] = from_float<T>(uniform_at(seed, i, low, span));
}

extern "C" __global__ void fill_uniform_f32(float* out, long long n, unsigned long long seed, float low, float span) {
    grid_dependency_sync();
    fill_uniform_impl(out, n, seed, low, span);
}

extern "C" __global__ void fill_uniform_bf16(bf16* out, long long n, unsigned long long seed, float low, float span) {
    grid_dependency_sync();
    fill_uniform_impl(out, n, seed, low, span);
}
