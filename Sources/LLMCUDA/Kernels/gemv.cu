// Matrix-vector product for one-token steps (batch-1 decode): out[r] = x · w[r] (+ bias[r]).
// Such a step is bound by reading the weights once, so each warp streams one weight row
// in 16-byte vectors, GEMV_UNROLL of them in flight per lane and marked evict-first so
// they do not push the activation row out of L1; fp32 accumulation and one warp
// reduction per row. At the 8B shapes this reads 2.7-3.1 TB/s where cuBLASLt's M=1
// tiles read 0.5-2.8 (k/v projections worst). With two or more tokens cuBLASLt is
// faster, so the host uses this only for one token, k a multiple of 8 and 16-byte
// aligned x and w.
#include "common.cuh"

#define GEMV_WARPS 4
#define GEMV_UNROLL 4

/// Bias element types, chosen at run time so the instantiations stay few.
enum GemvBias : int { GEMV_BIAS_NONE = 0, GEMV_BIAS_F32 = 1, GEMV_BIAS_BF16 = 2, GEMV_BIAS_F16 = 3 };

__device__ __forceinline__ float bias_value(const void* bias, int kind, int row) {
    switch (kind) {
    case GEMV_BIAS_F32: return reinterpret_cast<const float*>(bias)[row];
    case GEMV_BIAS_BF16: return to_float(reinterpret_cast<const bf16*>(bias)[row]);
    case GEMV_BIAS_F16: return to_float(reinterpret_cast<const f16*>(bias)[row]);
    default: return 0.0f;
    }
}

/// acc += x[8v .. 8v+8) · the weight vector `wv` (8 elements of T in 16 bytes).
template <typename T>
__device__ __forceinline__ float dot8(const T* __restrict__ x, int v, const uint4& wv, float acc) {
    float wf[8], xf[8];
    load8(reinterpret_cast<const T*>(&wv), wf);
    load8(x + 8 * v, xf);
#pragma unroll
    for (int i = 0; i < 8; i++) acc = fmaf(xf[i], wf[i], acc);
    return acc;
}

template <typename T, typename TO>
__device__ __forceinline__ void gemv_impl(const T* __restrict__ x, const T* __restrict__ w, const void* __restrict__ bias,
                                          int bias_kind, TO* __restrict__ out, int m, int k) {
    const int lane = threadIdx.x & 31;
    const int row = blockIdx.x * GEMV_WARPS + (threadIdx.x >> 5);
    if (row >= m) return;
    const uint4* wr = reinterpret_cast<const uint4*>(w + (long long)row * k);
    const int vectors = k / 8;
    float acc = 0.0f;
    int v = lane;
    for (; v + 32 * (GEMV_UNROLL - 1) < vectors; v += 32 * GEMV_UNROLL) {
        uint4 wv[GEMV_UNROLL];
#pragma unroll
        for (int u = 0; u < GEMV_UNROLL; u++) wv[u] = __ldcs(wr + v + 32 * u);
#pragma unroll
        for (int u = 0; u < GEMV_UNROLL; u++) acc = dot8(x, v + 32 * u, wv[u], acc);
    }
    for (; v < vectors; v += 32) acc = dot8(x, v, __ldcs(wr + v), acc);
    acc = warp_sum(acc);
    if (lane == 0) out[row] = from_float<TO>(acc + bias_value(bias, bias_kind, row));
}

#define GEMV_KERNEL(NAME, T, TO)                                                                                       \
    extern "C" __global__ void __launch_bounds__(32 * GEMV_WARPS) NAME(                                                \
        const T* __restrict__ x, const T* __restrict__ w, const void* __restrict__ bias, int bias_kind,               \
        TO* __restrict__ out, int m, int k) {                                                                        \
        gemv_impl<T, TO>(x, w, bias, bias_kind, out, m, k);                                                            \
    }

GEMV_KERNEL(gemv_bf16_bf16, bf16, bf16)
GEMV_KERNEL(gemv_bf16_f32, bf16, float)
GEMV_KERNEL(gemv_f16_f16, f16, f16)
GEMV_KERNEL(gemv_f16_f32, f16, float)
