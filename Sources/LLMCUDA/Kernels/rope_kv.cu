// Rotary embedding (rotate-half layout) on q and k in place, fused with storing the
// rotated keys and the values in the paged cache, one block per token:
//   angle_i = position * inv_freq[i]; cos and sin scaled by attention_scale;
//   (x_i, x_{i+half}) -> (x_i cos - x_{i+half} sin, x_{i+half} cos + x_i sin)
// over the first 2*half elements of each head. Cache layout [blocks, block_size,
// kv_heads, head_dim]: a token's K (or V) row is kv_heads*head_dim contiguous elements
// at slot * kv_dim. A negative slot skips the store; a slot past the cache reports
// STATUS_KV_SLOT and skips it.
// Angles: the product position * inv_freq is formed and reduced modulo 2*pi in double
// (positions past 2^16 lose the angle in f32), then sin/cos run in f32 on |r| <= pi.
// Positions (set by the host before the step) and inv_freq are written by no kernel, so
// the table is built before grid_dependency_sync(), while the previous kernel finishes.
#include "common.cuh"

#define ROPE_MAX_HALF 512
#define MODE_ROTATE 1
#define MODE_WRITE_KV 2

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
            Pair2<T>::store(reinterpret_cast<T2*>(x + i), a.x * cs[i] - b.x * sn[i], a.y * cs[i + 1] - b.y * sn[i + 1]);
            Pair2<T>::store(reinterpret_cast<T2*>(x + i + half), b.x * cs[i] + a.x * sn[i], b.y * cs[i + 1] + a.y * sn[i + 1]);
        }
    } else {
        for (int u = threadIdx.x; u < heads * half; u += blockDim.x) {
            const int h = u / half, i = u - h * half;
            T* x = row + h * head_dim;
            const float a = to_float(x[i]), b = to_float(x[i + half]);
            x[i] = from_float<T>(a * cs[i] - b * sn[i]);
            x[i + half] = from_float<T>(b * cs[i] + a * sn[i]);
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

template <typename T>
__device__ __forceinline__ void rope_kv_impl(T* q, T* k, const T* v, const int* __restrict__ positions,
                                             const float* __restrict__ inv_freq, int q_heads, int kv_heads, int head_dim,
                                             int half, float attention_scale, T* k_cache, T* v_cache,
                                             const int* __restrict__ slots, long long cache_slots, int mode, int* status) {
    __shared__ float cs[ROPE_MAX_HALF], sn[ROPE_MAX_HALF];
    const long long t = blockIdx.x;
    const int kv_dim = kv_heads * head_dim;
    if (mode & MODE_ROTATE) {
        const double position = (double)positions[t];
        for (int i = threadIdx.x; i < half; i += blockDim.x) {
            const double angle = position * (double)inv_freq[i];
            const double reduced = angle - rint(angle * 0.15915494309189535) * 6.283185307179586;
            float s, c;
            sincosf((float)reduced, &s, &c);
            cs[i] = c * attention_scale;
            sn[i] = s * attention_scale;
        }
        __syncthreads();
    }
    grid_dependency_sync();
    if (mode & MODE_ROTATE) {
        if (q != nullptr) rotate_heads(q + t * q_heads * head_dim, q_heads, head_dim, half, cs, sn);
        rotate_heads(k + t * kv_dim, kv_heads, head_dim, half, cs, sn);
    }
    if (mode & MODE_WRITE_KV) {
        const long long slot = slots[t];
        if (slot < 0) return;
        if (slot >= cache_slots) {
            if (threadIdx.x == 0) report_status(status, STATUS_KV_SLOT, (int)slot);
            return;
        }
        // The rotated keys were written to global memory by other threads of this block.
        __syncthreads();
        copy_row(k + t * kv_dim, k_cache + slot * kv_dim, kv_dim);
        copy_row(v + t * kv_dim, v_cache + slot * kv_dim, kv_dim);
    }
}

#define ROPE_KV(TN, T)                                                                                               \
    extern "C" __global__ void __launch_bounds__(256) rope_kv_##TN(                                                   \
        T* q, T* k, const T* v, const int* positions, const float* inv_freq, int q_heads, int kv_heads, int head_dim, \
        int half, float attention_scale, T* k_cache, T* v_cache, const int* slots, long long cache_slots, int mode,   \
        int* status) {                                                                                                \
        rope_kv_impl<T>(q, k, v, positions, inv_freq, q_heads, kv_heads, head_dim, half, attention_scale, k_cache,   \
                        v_cache, slots, cache_slots, mode, status);                                                   \
    }

ROPE_KV(bf16, bf16)
ROPE_KV(f16, f16)
