// RMSNorm, as the CPU backend computes it (sum of squares in f32 here, the scale as
// 1 / sqrt(mean + eps), out = x * scale * weight):
//  - rms_norm: one block per row; with a residual, residual += x first and the stored
//    (rounded) residual is what gets normalised, so the output is exactly the norm of
//    the residual stream as later layers see it.
//  - rms_norm_sandwich: Gemma's norm of a block's output added to the residual, then
//    the norm of the residual for the next block, in one launch.
//  - rms_norm_heads: in place over each head_dim slice (Qwen3's q/k norm), one warp per
//    slice.
// Rows take 16-byte vector loads when the row length is a multiple of 8 and the
// pointers are 16-byte aligned, element loads otherwise. Weights may be bf16, f16 or
// f32 (checkpoint norms are often kept in f32). Weights are the one input no kernel
// writes, so each thread's first weight vector is loaded before grid_dependency_sync():
// it arrives while the block waits instead of after the reduction.
#include "head_norm.cuh"

/// The block's last pass: out = src * scale * weight over one row, each thread over the
/// vectors (or elements) it handled in the earlier passes, so no barrier is needed and out
/// may alias src. `w0` holds the thread's first weight vector on the vector path.
template <typename T, typename W>
__device__ __forceinline__ void store_normalised(const T* src, const W* __restrict__ weight, const float (&w0)[8], float scale,
                                                 int dim, bool vec, T* out) {
    if (vec) {
        for (int v = threadIdx.x; v < dim / 8; v += blockDim.x) {
            float f[8], w[8];
            load8(src + 8 * v, f);
            weight_vector(weight, v, (int)threadIdx.x, w0, w);
#pragma unroll
            for (int i = 0; i < 8; i++) f[i] = f[i] * scale * w[i];
            store8(out + 8 * v, f);
        }
    } else {
        for (int i = threadIdx.x; i < dim; i += blockDim.x) out[i] = from_float<T>(to_float(src[i]) * scale * to_float(weight[i]));
    }
}

/// residual += f for one vector (rounded to T and stored, as the residual stream holds
/// it); f becomes the stored values, whose squares are added to ss in order.
template <typename T>
__device__ __forceinline__ void add_to_residual(T* rr, float (&f)[8], float& ss) {
    float r[8];
    load8(rr, r);
#pragma unroll
    for (int i = 0; i < 8; i++) f[i] += r[i];
    round8<T>(f);
    store8(rr, f);
#pragma unroll
    for (int i = 0; i < 8; i++) ss += f[i] * f[i];
}

/// The same for one element: r += f rounded to T, then ss += r^2.
template <typename T>
__device__ __forceinline__ void add_to_residual(T* r, float f, float& ss) {
    const float sum = to_float(from_float<T>(f + to_float(*r)));
    *r = from_float<T>(sum);
    ss += sum * sum;
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
                add_to_residual(rr + 8 * v, f, ss);
            } else {
#pragma unroll
                for (int i = 0; i < 8; i++) ss += f[i] * f[i];
            }
        }
    } else {
        for (int i = threadIdx.x; i < dim; i += blockDim.x) {
            const float f = to_float(xr[i]);
            if (rr) {
                add_to_residual(rr + i, f, ss);
            } else {
                ss += f * f;
            }
        }
    }
    ss = block_sum(ss, scratch);
    const float scale = 1.0f / sqrtf(ss / (float)dim + eps);
    // Each thread rereads exactly the elements it wrote above (out may alias x).
    store_normalised(src, weight, w0, scale, dim, vec, outr);
}

/// Gemma's sandwich step in one block per row: y = rmsnorm(x) * w_out rounded to T (what
/// the unfused kernel stores), residual += y, out = rmsnorm(residual) * w_next. The same
/// passes and block sums as two rms_norm launches (same thread count), so the same bits.
template <typename T, typename W>
__device__ __forceinline__ void rms_norm_sandwich_impl(const T* __restrict__ x, const W* __restrict__ w_out, T* residual,
                                                       const W* __restrict__ w_next, float eps, int dim, T* out) {
    __shared__ float scratch[32];
    const long long row = blockIdx.x;
    const T* xr = x + row * dim;
    T* rr = residual + row * dim;
    T* outr = out + row * dim;
    const bool vec = dim % 8 == 0 && aligned16(xr) && aligned16(rr) && aligned16(outr) && aligned16(w_out) && aligned16(w_next);
    float wo0[8], wn0[8];
    if (vec && (int)threadIdx.x < dim / 8) {
        load8(w_out + 8 * threadIdx.x, wo0);
        load8(w_next + 8 * threadIdx.x, wn0);
    }
    grid_dependency_sync();
    float ss = 0.0f;
    if (vec) {
        for (int v = threadIdx.x; v < dim / 8; v += blockDim.x) {
            float f[8];
            load8(xr + 8 * v, f);
#pragma unroll
            for (int i = 0; i < 8; i++) ss += f[i] * f[i];
        }
    } else {
        for (int i = threadIdx.x; i < dim; i += blockDim.x) {
            const float f = to_float(xr[i]);
            ss += f * f;
        }
    }
    ss = block_sum(ss, scratch);
    const float scale = 1.0f / sqrtf(ss / (float)dim + eps);
    float ss_next = 0.0f;
    if (vec) {
        for (int v = threadIdx.x; v < dim / 8; v += blockDim.x) {
            float f[8], w[8];
            load8(xr + 8 * v, f);
            weight_vector(w_out, v, (int)threadIdx.x, wo0, w);
#pragma unroll
            for (int i = 0; i < 8; i++) f[i] = f[i] * scale * w[i];
            round8<T>(f);
            add_to_residual(rr + 8 * v, f, ss_next);
        }
    } else {
        for (int i = threadIdx.x; i < dim; i += blockDim.x) {
            add_to_residual(rr + i, to_float(from_float<T>(to_float(xr[i]) * scale * to_float(w_out[i]))), ss_next);
        }
    }
    ss_next = block_sum(ss_next, scratch);
    const float scale_next = 1.0f / sqrtf(ss_next / (float)dim + eps);
    store_normalised(rr, w_next, wn0, scale_next, dim, vec, outr);
}

/// One warp per row of `head_dim` elements, in place; `rows` rows in all.
template <typename T, typename W>
__device__ __forceinline__ void rms_norm_heads_impl(T* x, const W* __restrict__ weight, float eps, long long rows, int head_dim) {
    const int lane = threadIdx.x & 31;
    const long long row = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    T* xr = x + row * head_dim;
    float w0[8];
    if (row < rows && head_norm_vectorised(xr, weight, head_dim) && lane < head_dim / 8) load8(weight + 8 * lane, w0);
    grid_dependency_sync();
    if (row >= rows) return;  // whole warps leave together
    rms_norm_head_warp(xr, weight, eps, head_dim, w0);
}

#define NORMS(TN, T, WN, W)                                                                                          \
    extern "C" __global__ void __launch_bounds__(1024) rms_norm_##TN##_w##WN(                                         \
        const T* x, T* residual, const W* weight, float eps, int dim, T* out) {                                       \
        rms_norm_impl<T, W>(x, residual, weight, eps, dim, out);                                                      \
    }                                                                                                                 \
    extern "C" __global__ void __launch_bounds__(1024) rms_norm_sandwich_##TN##_w##WN(                                \
        const T* x, const W* w_out, T* residual, const W* w_next, float eps, int dim, T* out) {                      \
        rms_norm_sandwich_impl<T, W>(x, w_out, residual, w_next, eps, dim, out);                                      \
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
