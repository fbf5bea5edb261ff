// A layer's attention inputs for one token (batch-1 decode) in one launch: the q, k and
// v products (gemv.cuh, one warp per row or pair of rows), the optional per-head q/k
// RMSNorm (head_norm.cuh), the rotary embedding (rotary.cuh) and the stores of the
// rotated key and the value into the paged cache. Unfused, those are three to five
// launches, each with its own ramp-up and tail on a step bound by reading the weights.
// Both kernels apply the same functions to the same rounded values as the unfused
// kernels, so both paths give identical bits.
//  - qkv_rope_kv_*: no head norms. A warp computes the two rows a rotation mixes (i and
//    i + half of a head; beyond the rotary part, and for v, two rows of the rest) and
//    rotates and stores them itself.
//  - qkv_norm_rope_kv_*: a norm needs the whole head, so a warp computes two adjacent
//    rows (8 a block, so that 8B-model shapes fit the GPU in one wave of blocks) and the
//    last block of a head to finish (a per-head counter, reset by that block for the
//    next launch) reads the head back from L2, normalises and rotates it in shared
//    memory and writes it out; a block's rows lie in one head. Value rows go to the
//    cache straight from the product.
// A negative slot skips the cache stores; a slot past the cache reports STATUS_KV_SLOT.
#include "gemv.cuh"
#include "head_norm.cuh"
#include "rotary.cuh"

#define QKV_MAX_HEAD_DIM 256
#define QKV_NORM_ROWS 2
/// Rows of one qkv_norm_rope_kv block.
#define QKV_NORM_BLOCK_ROWS (GEMV_WARPS * QKV_NORM_ROWS)

/// One product segment of a launch: q, k or v.
template <typename T>
struct QKVSegment {
    const T* weight;
    const void* bias;
    int bias_kind;
    T* out;
};

template <typename T, typename W>
__device__ __forceinline__ void qkv_norm_rope_kv_impl(const T* __restrict__ x, int k, const QKVSegment<T> (&segments)[3], int q_heads,
                                                 int kv_heads, int head_dim, const W* q_norm, const W* k_norm, float eps,
                                                 const int* __restrict__ positions, const float* __restrict__ inv_freq, int half,
                                                 float attention_scale, T* k_cache, T* v_cache, const int* __restrict__ slots,
                                                 long long cache_slots, int* head_counters, int* status) {
    __shared__ float cs[QKV_MAX_HEAD_DIM / 2], sn[QKV_MAX_HEAD_DIM / 2];
    __shared__ __align__(16) T head[QKV_MAX_HEAD_DIM];
    __shared__ bool last;
    const int q_dim = q_heads * head_dim, kv_dim = kv_heads * head_dim;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    // Which segment the block's rows belong to, and the first row within it.
    const int block_row = blockIdx.x * QKV_NORM_BLOCK_ROWS;
    const int segment = block_row < q_dim ? 0 : block_row < q_dim + kv_dim ? 1 : 2;
    const int segment_row = block_row - (segment == 0 ? 0 : segment == 1 ? q_dim : q_dim + kv_dim);
    const QKVSegment<T> s = segment == 0 ? segments[0] : segment == 1 ? segments[1] : segments[2];
    const int row = segment_row + QKV_NORM_ROWS * warp;
    // The cos/sin table needs only the step's metadata: built while the weights load.
    if (segment < 2) rope_table(positions[0], inv_freq, half, attention_scale, cs, sn);

    const uint4* rows[QKV_NORM_ROWS];
#pragma unroll
    for (int r = 0; r < QKV_NORM_ROWS; r++) rows[r] = reinterpret_cast<const uint4*>(s.weight + (long long)(row + r) * k);
    float acc[QKV_NORM_ROWS];
    row_dots<T, QKV_NORM_ROWS, GEMV_UNROLL>(x, rows, k / 8, acc);
    const long long slot = slots[0];
#pragma unroll
    for (int r = 0; r < QKV_NORM_ROWS; r++) {
        acc[r] = warp_sum(acc[r]);
        if (lane == 0) {
            const T value = from_float<T>(acc[r] + bias_value(s.bias, s.bias_kind, row + r));
            s.out[row + r] = value;
            if (segment == 2 && slot >= 0 && slot < cache_slots) v_cache[slot * kv_dim + row + r] = value;
        }
    }
    if (segment == 2) return;

    // Publish this block's rows, then count it in; the head's last block goes on.
    __threadfence();
    __syncthreads();
    const int head_in_segment = segment_row / head_dim;
    const int counter = (segment == 0 ? 0 : q_heads) + head_in_segment;
    if (threadIdx.x == 0) {
        last = atomicAdd(head_counters + counter, 1) == head_dim / QKV_NORM_BLOCK_ROWS - 1;
        if (last) head_counters[counter] = 0;
    }
    __syncthreads();
    if (!last) return;
    __threadfence();
    T* out_head = s.out + head_in_segment * head_dim;
    // Other blocks wrote these rows: read them from L2, not from this SM's L1.
    for (int v = threadIdx.x; v < head_dim / 8; v += blockDim.x)
        reinterpret_cast<uint4*>(head)[v] = __ldcg(reinterpret_cast<const uint4*>(out_head) + v);
    __syncthreads();
    const W* norm = segment == 0 ? q_norm : k_norm;
    if (norm != nullptr && warp == 0) {
        float w0[8];
        if (head_norm_vectorised(head, norm, head_dim) && lane < head_dim / 8) load8(norm + 8 * lane, w0);
        rms_norm_head_warp(head, norm, eps, head_dim, w0);
    }
    __syncthreads();
    rotate_heads(head, 1, head_dim, half, cs, sn);
    __syncthreads();
    copy_row(head, out_head, head_dim);
    if (segment == 1) {
        if (slot >= cache_slots) {
            if (threadIdx.x == 0) report_status(status, STATUS_KV_SLOT, (int)slot);
        } else if (slot >= 0) {
            copy_row(head, k_cache + slot * kv_dim + head_in_segment * head_dim, head_dim);
        }
    }
}

// At most 64 registers, so 8 blocks fit an SM: Gemma-3-12B's 1,024 blocks are one wave
// on a 132-SM GPU (at 70 registers, 7 a SM, the last 100 would run alone after it).
#define QKV_NORM_ROPE_KV(TN, T, WN, W)                                                                                         \
    extern "C" __global__ void __launch_bounds__(32 * GEMV_WARPS, 8) qkv_norm_rope_kv_##TN##_w##WN(                               \
        const T* x, int k, const T* wq, const void* bq, int bkq, T* q, const T* wk, const void* bk, int bkk, T* kout,      \
        const T* wv, const void* bv, int bkv, T* vout, int q_heads, int kv_heads, int head_dim, const W* q_norm,          \
        const W* k_norm, float eps, const int* positions, const float* inv_freq, int half, float attention_scale,         \
        T* k_cache, T* v_cache, const int* slots, long long cache_slots, int* head_counters, int* status) {               \
        const QKVSegment<T> segments[3] = {{wq, bq, bkq, q}, {wk, bk, bkk, kout}, {wv, bv, bkv, vout}};                   \
        qkv_norm_rope_kv_impl<T, W>(x, k, segments, q_heads, kv_heads, head_dim, q_norm, k_norm, eps, positions, inv_freq,     \
                               half, attention_scale, k_cache, v_cache, slots, cache_slots, head_counters, status);       \
    }

QKV_NORM_ROPE_KV(bf16, bf16, bf16, bf16)
QKV_NORM_ROPE_KV(bf16, bf16, f16, f16)
QKV_NORM_ROPE_KV(bf16, bf16, f32, float)
QKV_NORM_ROPE_KV(f16, f16, bf16, bf16)
QKV_NORM_ROPE_KV(f16, f16, f16, f16)
QKV_NORM_ROPE_KV(f16, f16, f32, float)

/// Rows (first, second) of pair p of a head: the rotary partners (p, p + half) for
/// p < half, then the unrotated rest split in two halves.
__device__ __forceinline__ int2 head_pair_rows(int p, int head_dim, int half) {
    if (p < half) return make_int2(p, p + half);
    const int j = p - half, rest = (head_dim - 2 * half) / 2;
    return make_int2(2 * half + j, 2 * half + j + rest);
}

template <typename T>
__device__ __forceinline__ void qkv_rope_kv_impl(const T* __restrict__ x, int k, const QKVSegment<T> (&segments)[3], int q_heads,
                                                 int kv_heads, int head_dim, const int* __restrict__ positions,
                                                 const float* __restrict__ inv_freq, int half, float attention_scale, T* k_cache,
                                                 T* v_cache, const int* __restrict__ slots, long long cache_slots, int* status) {
    const int pairs_per_head = head_dim / 2;
    const int q_pairs = q_heads * pairs_per_head, kv_pairs = kv_heads * pairs_per_head;
    int pair = blockIdx.x * GEMV_WARPS + (threadIdx.x >> 5);
    if (pair >= q_pairs + 2 * kv_pairs) return;  // whole warps leave together
    const int segment = pair < q_pairs ? 0 : pair < q_pairs + kv_pairs ? 1 : 2;
    pair -= segment == 0 ? 0 : segment == 1 ? q_pairs : q_pairs + kv_pairs;
    const QKVSegment<T> s = segment == 0 ? segments[0] : segment == 1 ? segments[1] : segments[2];
    const int head = pair / pairs_per_head, p = pair - head * pairs_per_head;
    const bool rotated = segment < 2 && p < half;
    const int2 in_head = head_pair_rows(p, head_dim, segment < 2 ? half : 0);
    const int row_a = head * head_dim + in_head.x, row_b = head * head_dim + in_head.y;
    // The angle needs only the step's metadata: computed while the weights load.
    float c = 1.0f, sn = 0.0f;
    if (rotated) rope_angle(positions[0], inv_freq[p], attention_scale, c, sn);

    const uint4* const rows[2] = {reinterpret_cast<const uint4*>(s.weight + (long long)row_a * k),
                                  reinterpret_cast<const uint4*>(s.weight + (long long)row_b * k)};
    float acc[2];
    row_dots<T, 2, GEMV_UNROLL>(x, rows, k / 8, acc);
    // As the unfused path: the products rounded to T, then rotated and rounded again.
    float a = to_float(from_float<T>(warp_sum(acc[0]) + bias_value(s.bias, s.bias_kind, row_a)));
    float b = to_float(from_float<T>(warp_sum(acc[1]) + bias_value(s.bias, s.bias_kind, row_b)));
    if ((threadIdx.x & 31) != 0) return;
    if (rotated) {
        const float2 r = rotate_pair(a, b, c, sn);
        a = r.x, b = r.y;
    }
    const T va = from_float<T>(a), vb = from_float<T>(b);
    s.out[row_a] = va;
    s.out[row_b] = vb;
    if (segment == 0) return;
    const long long slot = slots[0];
    if (slot >= cache_slots) {
        report_status(status, STATUS_KV_SLOT, (int)slot);
    } else if (slot >= 0) {
        T* cache = segment == 1 ? k_cache : v_cache;
        cache[slot * kv_heads * head_dim + row_a] = va;
        cache[slot * kv_heads * head_dim + row_b] = vb;
    }
}

#define QKV_ROPE_KV(TN, T)                                                                                                \
    extern "C" __global__ void __launch_bounds__(32 * GEMV_WARPS) qkv_rope_kv_##TN(                                       \
        const T* x, int k, const T* wq, const void* bq, int bkq, T* q, const T* wk, const void* bk, int bkk, T* kout,      \
        const T* wv, const void* bv, int bkv, T* vout, int q_heads, int kv_heads, int head_dim, const int* positions,     \
        const float* inv_freq, int half, float attention_scale, T* k_cache, T* v_cache, const int* slots,                 \
        long long cache_slots, int* status) {                                                                              \
        const QKVSegment<T> segments[3] = {{wq, bq, bkq, q}, {wk, bk, bkk, kout}, {wv, bv, bkv, vout}};                   \
        qkv_rope_kv_impl<T>(x, k, segments, q_heads, kv_heads, head_dim, positions, inv_freq, half, attention_scale,      \
                            k_cache, v_cache, slots, cache_slots, status);                                                 \
    }

QKV_ROPE_KV(bf16, bf16)
QKV_ROPE_KV(f16, f16)
