// RMSNorm of one head_dim slice by one warp (Qwen3's and Gemma 3's per-head q/k norm),
// shared by norm.cu's rms_norm_heads and the fused attention-input kernel, so both
// compute bit for bit the same: sum of squares in f32 over lane-strided 8-element
// vectors, one warp_sum, scale 1 / sqrt(mean + eps), out = x * scale * weight.
#pragma once
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

/// Whether a slice and its weight take the 16-byte vector path.
template <typename T, typename W>
__device__ __forceinline__ bool head_norm_vectorised(const T* xr, const W* weight, int head_dim) {
    return head_dim % 8 == 0 && aligned16(xr) && aligned16(weight);
}

/// Normalises `xr` (head_dim elements, global or shared memory) in place; every lane of
/// the warp calls it. `w0` holds the lane's first weight vector on the vector path.
template <typename T, typename W>
__device__ __forceinline__ void rms_norm_head_warp(T* xr, const W* __restrict__ weight, float eps, int head_dim, const float (&w0)[8]) {
    const int lane = threadIdx.x & 31;
    const bool vec = head_norm_vectorised(xr, weight, head_dim);
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
