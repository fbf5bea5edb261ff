// Rotary embedding helpers shared by rope_kv.cu and the fused attention-input kernel,
// so both rotate bit for bit alike (rotate-half layout over the first 2*half elements
// of each head; cos and sin scaled by attention_scale):
//   (x_i, x_{i+half}) -> (x_i cos - x_{i+half} sin, x_{i+half} cos + x_i sin).
// Angles: position * inv_freq[i] is formed and reduced modulo 2*pi in double (positions
// past 2^16 lose the angle in f32), then sin/cos run in f32 on |r| <= pi.
#pragma once
#include "common.cuh"

#define ROPE_MAX_HALF 512

/// cos and sin of position * inv_freq, times attention_scale.
__device__ __forceinline__ void rope_angle(int position, float inv_freq, float attention_scale, float& c, float& s) {
    const double angle = (double)position * (double)inv_freq;
    const double reduced = angle - rint(angle * 0.15915494309189535) * 6.283185307179586;
    sincosf((float)reduced, &s, &c);
    c *= attention_scale;
    s *= attention_scale;
}

/// The block's cos/sin table for one position (threads stride over i < half; the caller
/// synchronises before reading it).
__device__ __forceinline__ void rope_table(int position, const float* __restrict__ inv_freq, int half, float attention_scale,
                                           float* cs, float* sn) {
    for (int i = threadIdx.x; i < half; i += blockDim.x) rope_angle(position, inv_freq[i], attention_scale, cs[i], sn[i]);
}

/// The rotated pair (x_i, x_{i+half}) = (a, b) for cos c and sin s.
__device__ __forceinline__ float2 rotate_pair(float a, float b, float c, float s) { return make_float2(a * c - b * s, b * c + a * s); }

template <typename T> struct Pair2;
template <> struct Pair2<bf16> {
    typedef __nv_bfloat162 type;
    static __device__ __forceinline__ float2 load(const type* p) { return __bfloat1622float2(*p); }
    static __device__ __forceinline__ void store(type* p, float a, float b) { *p = __floats2bfloat162_rn(a, b); }
};
template <> struct Pair2<f16> {
    typedef __half2 type;
    static __device__ __forceinline__ float2 load(const type* p) { return __half22float2(*p); }
    static __device__ __forceinline__ void store(type* p, float a, float b) { *p = __floats2half2_rn(a, b); }
};

/// Rotates `heads` heads of one token's row in place with the block's cos/sin table.
template <typename T>
__device__ __forceinline__ void rotate_heads(T* row, int heads, int head_dim, int half, const float* cs, const float* sn) {
    typedef typename Pair2<T>::type T2;
    if (half % 2 == 0 && head_dim % 2 == 0 && (reinterpret_cast<unsigned long long>(row) & 3ull) == 0) {
        const int pairs = half / 2;
        for (int u = threadIdx.x; u < heads * pairs; u += blockDim.x) {
            const int h = u / pairs, i = 2 * (u - h * pairs);
            T* x = row + h * head_dim;
            float2 a = Pair2<T>::load(reinterpret_cast<const T2*>(x + i));
            float2 b = Pair2<T>::load(reinterpret_cast<const T2*>(x + i + half));
            const float2 r0 = rotate_pair(a.x, b.x, cs[i], sn[i]), r1 = rotate_pair(a.y, b.y, cs[i + 1], sn[i + 1]);
            Pair2<T>::store(reinterpret_cast<T2*>(x + i), r0.x, r1.x);
            Pair2<T>::store(reinterpret_cast<T2*>(x + i + half), r0.y, r1.y);
        }
    } else {
        for (int u = threadIdx.x; u < heads * half; u += blockDim.x) {
            const int h = u / half, i = u - h * half;
            T* x = row + h * head_dim;
            const float2 r = rotate_pair(to_float(x[i]), to_float(x[i + half]), cs[i], sn[i]);
            x[i] = from_float<T>(r.x);
            x[i + half] = from_float<T>(r.y);
        }
    }
}

/// Copies `count` elements of one row (16-byte vectors when aligned).
template <typename T>
__device__ __forceinline__ void copy_row(const T* __restrict__ src, T* __restrict__ dst, int count) {
    if (count % 8 == 0 && aligned16(src) && aligned16(dst)) {
        const uint4* s = reinterpret_cast<const uint4*>(src);
        uint4* d = reinterpret_cast<uint4*>(dst);
        for (int v = threadIdx.x; v < count / 8; v += blockDim.x) d[v] = s[v];
    } else {
        for (int i = threadIdx.x; i < count; i += blockDim.x) dst[i] = src[i];
    }
}

