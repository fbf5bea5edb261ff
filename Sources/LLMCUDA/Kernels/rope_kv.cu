// Rotary embedding (rotary.cuh) on q and k in place, fused with storing the rotated
// keys and the values in the paged cache, one block per token. Cache layout [blocks,
// block_size, kv_heads, head_dim]: a token's K (or V) row is kv_heads*head_dim
// contiguous elements at slot * kv_dim. A negative slot skips the store; a slot past
// the cache reports STATUS_KV_SLOT and skips it. The cache holds T, or e4m3
// (rope_kv_<T>_e4m3: rounded as it is stored, kv_fp8.cuh).
// Positions (set by the host before the step) and inv_freq are written by no kernel, so
// the table is built before grid_dependency_sync(), while the previous kernel finishes.
#include "kv_fp8.cuh"
#include "rotary.cuh"

/// Stores `count` elements of `src` into a cache row of C, one value per thread and
/// step (the row is a few hundred elements; the store is not on the hot path).
template <typename T, typename C>
__device__ __forceinline__ void store_cache_row(const T* __restrict__ src, C* __restrict__ dst, int count) {
    if constexpr (is_e4m3_cache<C>::value) {
        for (int i = threadIdx.x; i < count; i += blockDim.x) dst[i] = e4m3_from_float(to_float(src[i]));
    } else {
        copy_row(src, dst, count);
    }
}

#define MODE_ROTATE 1
#define MODE_WRITE_KV 2

template <typename T, typename C>
__device__ __forceinline__ void rope_kv_impl(T* q, T* k, const T* v, const int* __restrict__ positions,
                                             const float* __restrict__ inv_freq, int q_heads, int kv_heads, int head_dim,
                                             int half, float attention_scale, C* k_cache, C* v_cache,
                                             const int* __restrict__ slots, long long cache_slots, int mode, int* status) {
    __shared__ float cs[ROPE_MAX_HALF], sn[ROPE_MAX_HALF];
    const long long t = blockIdx.x;
    const int kv_dim = kv_heads * head_dim;
    if (mode & MODE_ROTATE) {
        rope_table(positions[t], inv_freq, half, attention_scale, cs, sn);
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
        store_cache_row(k + t * kv_dim, k_cache + slot * kv_dim, kv_dim);
        store_cache_row(v + t * kv_dim, v_cache + slot * kv_dim, kv_dim);
    }
}

#define ROPE_KV(NAME, T, C)                                                                                          \
    extern "C" __global__ void __launch_bounds__(256) NAME(                                                           \
        T* q, T* k, const T* v, const int* positions, const float* inv_freq, int q_heads, int kv_heads, int head_dim, \
        int half, float attention_scale, C* k_cache, C* v_cache, const int* slots, long long cache_slots, int mode,   \
        int* status) {                                                                                                \
        rope_kv_impl<T, C>(q, k, v, positions, inv_freq, q_heads, kv_heads, head_dim, half, attention_scale, k_cache,   \
                        v_cache, slots, cache_slots, mode, status);                                                   \
    }

ROPE_KV(rope_kv_bf16, bf16, bf16)
ROPE_KV(rope_kv_f16, f16, f16)
ROPE_KV(rope_kv_bf16_e4m3, bf16, e4m3)
ROPE_KV(rope_kv_f16_e4m3, f16, e4m3)
