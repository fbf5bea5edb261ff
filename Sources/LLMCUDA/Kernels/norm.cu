// RMSNorm, as the CPU backend computes it (sum of squares in f32 here, the scale as
// 1 / sqrt(mean + eps), out = x * scale * weight):
//  - rms_norm: one block per row; with a residual, residual += x first and the stored
//    (rounded) residual is what gets normalised, so the output is exactly the norm of
//    the residual stream as later layers see it.
//  - rms_norm_heads: in place over each head_dim slice (Qwen3's q/k norm), one warp per
//    slice.
// Rows take 16-byte vector loads when the row length is a multiple of 8 and the
// pointers are 16-byte aligned, element loads otherwise. Weights may be bf16, f16 or
// f32 (checkpoint norms are often kept in f32). Weights are the one input no kernel
// writes, so each thread's first weight vector is loaded before grid_dependency_sync():
// it arrives while the block waits instead of after the reduction.
#include "common.cuh"

/// Weight vector `v` into `w`: `first_w`, loaded before the wait, when v is the thread's
/// first vector `first`; otherwise loaded now.
template <typename W>
__device__ __forceinline__ void weight_vector(const W* __restrict__ weight, int v, int first, const float (&first_w)[8], float (&w)[8]) {
    if (v == first) {
#pragma unroll
        for (int i = 0; i < 8; i++) w[i] = first_w[i];
    } else {
        load8(weight + 8 * v, w);
    }
}

template <typename T, typename W>
__device__ __forceinline__ void rms_norm_impl(const T* __restrict__ x, T* residual, const W* __restrict__ weight, float eps,
                                              int dim, T* out) {
    __shared__ float scratch[32];
    const long long row = blockIdx.x;
    const T* xr = x + row * dim;
    T* rr = residual ? residual + row * dim : nullptr;
    T* outr = out + row * dim;
    // The values to normalise live in `src` after the first pass.
    const T* src = rr ? rr : xr;
    const bool vec = dim % 8 == 0 && aligned16(xr) && aligned16(outr) && aligned16(weight) && (!rr || aligned16(rr));
    float w0[8];
    if (vec && (int)threadIdx.x < dim / 8) load8(weight + 8 * threadIdx.x, w0);
    grid_dependency_sync();
    float ss = 0.0f;
    if (vec) {
        for (int v = threadIdx.x; v < dim / 8; v += blockDim.x) {
            float f[8];
            load8(xr + 8 * v, f);
            if (rr) {
                float r[8];
                load8(rr + 8 * v, r);
#pragma unroll
                for (int i = 0; i < 8; i++) f[i] += r[i];
                round8<T>(f);
                store8(rr + 8 * v, f);
            }
#pragma unroll
            for (int i = 0; i < 8; i++) ss += f[i] * f[i];
        }
    } else {
        for (int i = threadIdx.x; i < dim; i += blockDim.x) {
            float f = to_float(xr[i]);
            if (rr) {
                f = to_float(from_float<T>(f + to_float(rr[i])));
                rr[i] = from_float<T>(f);
            }
            ss += f * f;
        }
    }
    ss = block_sum(ss, scratch);
    const float scale = 1.0f / sqrtf(ss / (float)dim + eps);
    // Each thread rereads exactly the elements it wrote above, so no other barrier is
    // needed (and out may alias x).
    if (vec) {
        for (int v = threadIdx.x; v < dim / 8; v += blockDim.x) {
            float f[8], w[8];
            load8(src + 8 * v, f);
            weight_vector(weight, v, (int)threadIdx.x, w0, w);
#pragma unroll
            for (int i = 0; i < 8; i++) f[i] = f[i] * scale * w[i];
            store8(outr + 8 * v, f);
        }
    } else {
        for (int i = threadIdx.x; i < dim; i += blockDim.x)
            outr[i] = from_float<T>(to_float(src[i]) * scale * to_float(weight[i]));
    }
}

/// One warp per row of `head_dim` elements, in place; `rows` rows in all.
template <typename T, typename W>
__device__ __forceinline__ void rms_norm_heads_impl(T* x, const W* __restrict__ weight, float eps, long long rows, int head_dim) {
    const int lane = threadIdx.x & 31;
    const long long row = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    T* xr = x + row * head_dim;
    const bool vec = head_dim % 8 == 0 && aligned16(xr) && aligned16(weight);
    float w0[8];
    if (row < rows && vec && lane < head_dim / 8) load8(weight + 8 * lane, w0);
    grid_dependency_sync();
    if (row >= rows) return;  // whole warps leave together
    float ss = 0.0f;
    if (vec) {
        for (int v = lane; v < head_dim / 8; v += 32) {
            float f[8];
            load8(xr + 8 * v, f);
#pragma unroll
            for (int i = 0; i < 8; i++) ss += f[i] * f[i];
        }
    } else {
        for (int i = lane; i < head_dim; i += 32) {
            float f = to_float(xr[i]);
            ss += f * f;
        }
    }
    ss = warp_sum(ss);
    const float scale = 1.0f / sqrtf(ss / (float)head_dim + eps);
    if (vec) {
        for (int v = lane; v < head_dim / 8; v += 32) {
            float f[8], w[8];
            load8(xr + 8 * v, f);
            weight_vector(weight, v, lane, w0, w);
#pragma unroll
            for (int i = 0; i < 8; i++) f[i] = f[i] * scale * w[i];
            store8(xr + 8 * v, f);
        }
    } else {
        for (int i = lane; i < head_dim; i += 32) xr[i] = from_float<T>(to_float(xr[i]) * scale * to_float(weight[i]));
    }
}

#define NORMS(TN, T, WN, W)                                                                                          \
    extern "C" __global__ void __launch_bounds__(1024) rms_norm_##TN##_w##WN(                                         \
        const T* x, T* residual, const W* weight, float eps, int dim, T* out) {                                       \
        rms_norm_impl<T, W>(x, residual, weight, eps, dim, out);                                                      \
    }                                                                                                                 \
    extern "C" __global__ void __launch_bounds__(256) rms_norm_heads_##TN##_w##WN(                                    \
        T* x, const W* weight, float eps, long long rows, int head_dim) {                                             \
        rms_norm_heads_impl<T, W>(x, weight, eps, rows, head_dim);                                                    \
    }

NORMS(bf16, bf16, bf16, bf16)
NORMS(bf16, bf16, f16, f16)
NORMS(bf16, bf16, f32, float)
NORMS(f16, f16, bf16, bf16)
NORMS(f16, f16, f16, f16)
NORMS(f16, f16, f32, float)
