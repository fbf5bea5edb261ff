// Matrix-vector products for one-token steps (batch-1 decode). Such a step is bound by
// reading the weights once, so each warp streams weight rows in 16-byte vectors, several
// in flight per lane (gemv.cuh), marked evict-first so they do not push the activation
// row out of L1; fp32 accumulation and one warp reduction per row. At the 8B
// shapes this reads 2.7-3.1 TB/s where cuBLASLt's M=1 tiles read 0.5-2.8 (k/v worst).
// With two or more tokens cuBLASLt is faster, so the host uses these only for one
// token, k a multiple of 8 and 16-byte aligned x and weights.
//  - gemv_*: up to three products of the same x in one launch (q, k and v of a layer;
//    one launch instead of three also saves two ramp-ups and tails): rows are numbered
//    across the segments, out_s[r] = x · w_s[r] (+ bias_s[r]).
//  - gemv_gated_*: the gate/up product with the gated activation as its epilogue: a warp
//    reads gate row j and up row ff + j together and writes act(g) * u, with g and u
//    rounded to the activation type first, as the unfused ops would store them.
#include "gemv.cuh"

/// One warp per row of the concatenated segments 0, 1, 2 (m1 = m2 = 0 for one product).
template <typename T, typename TO>
__device__ __forceinline__ void gemv_impl(const T* __restrict__ x, int k, const T* w0, const void* b0, int bk0, TO* o0, int m0,
                                          const T* w1, const void* b1, int bk1, TO* o1, int m1, const T* w2, const void* b2,
                                          int bk2, TO* o2, int m2) {
    int row = blockIdx.x * GEMV_WARPS + (threadIdx.x >> 5);
    const T* w = w0;
    const void* bias = b0;
    int bias_kind = bk0;
    TO* out = o0;
    if (row >= m0) {
        row -= m0;
        w = w1, bias = b1, bias_kind = bk1, out = o1;
        if (row >= m1) {
            row -= m1;
            w = w2, bias = b2, bias_kind = bk2, out = o2;
            if (row >= m2) return;
        }
    }
    const uint4* const rows[1] = {reinterpret_cast<const uint4*>(w + (long long)row * k)};
    float acc[1];
    row_dots<T, 1, GEMV_UNROLL_ONE_ROW>(x, rows, k / 8, acc);
    acc[0] = warp_sum(acc[0]);
    if ((threadIdx.x & 31) == 0) out[row] = from_float<TO>(acc[0] + bias_value(bias, bias_kind, row));
}

template <typename T, bool GELU>
__device__ __forceinline__ void gemv_gated_impl(const T* __restrict__ x, const T* __restrict__ w, T* __restrict__ out, int ff, int k) {
    const int j = blockIdx.x * GEMV_WARPS + (threadIdx.x >> 5);
    if (j >= ff) return;
    const uint4* const rows[2] = {reinterpret_cast<const uint4*>(w + (long long)j * k),
                                  reinterpret_cast<const uint4*>(w + (long long)(ff + j) * k)};
    float acc[2];
    row_dots<T, 2, GEMV_UNROLL>(x, rows, k / 8, acc);
    const float g = to_float(from_float<T>(warp_sum(acc[0])));
    const float u = to_float(from_float<T>(warp_sum(acc[1])));
    if ((threadIdx.x & 31) == 0) out[j] = from_float<T>((GELU ? gelu_tanh(g) : silu(g)) * u);
}

#define GEMV_KERNEL(NAME, T, TO)                                                                                        \
    extern "C" __global__ void __launch_bounds__(32 * GEMV_WARPS) NAME(                                                 \
        const T* __restrict__ x, int k, const T* w0, const void* b0, int bk0, TO* o0, int m0, const T* w1, const void* b1, \
        int bk1, TO* o1, int m1, const T* w2, const void* b2, int bk2, TO* o2, int m2) {                               \
        gemv_impl<T, TO>(x, k, w0, b0, bk0, o0, m0, w1, b1, bk1, o1, m1, w2, b2, bk2, o2, m2);                          \
    }

#define GEMV_GATED_KERNEL(NAME, T, GELU)                                                                                \
    extern "C" __global__ void __launch_bounds__(32 * GEMV_WARPS) NAME(const T* __restrict__ x, const T* __restrict__ w, \
                                                                       T* __restrict__ out, int ff, int k) {           \
        gemv_gated_impl<T, GELU>(x, w, out, ff, k);                                                                     \
    }

GEMV_KERNEL(gemv_bf16_bf16, bf16, bf16)
GEMV_KERNEL(gemv_bf16_f32, bf16, float)
GEMV_KERNEL(gemv_f16_f16, f16, f16)
GEMV_KERNEL(gemv_f16_f32, f16, float)
GEMV_GATED_KERNEL(gemv_gated_silu_bf16, bf16, false)
GEMV_GATED_KERNEL(gemv_gated_gelu_tanh_bf16, bf16, true)
GEMV_GATED_KERNEL(gemv_gated_silu_f16, f16, false)
GEMV_GATED_KERNEL(gemv_gated_gelu_tanh_f16, f16, true)
