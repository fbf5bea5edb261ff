// Device code shared by sampling.cu's kernels: a row's settings and penalised logits,
// the order of ranking keys, block-wide reductions of SAMPLE_THREADS threads and the
// row scan that loads several pieces before using any.
#pragma once
#include "common.cuh"

#define SAMPLE_THREADS 512
#define SAMPLE_WARPS (SAMPLE_THREADS / 32)
#define SAMPLE_UNROLL 8
#define SAMPLE_CAP 1024
#define SAMPLE_PIVOTS 7
#define SAMPLE_SPLIT (SAMPLE_PIVOTS + 1)
#define GREEDY_TEMPERATURE 1e-5f

typedef unsigned long long u64;

/// Larger key = ranked first: the logit's order-preserving bits (-0 as +0), then ~id.
__device__ __forceinline__ u64 rank_key(float v, int id) {
    const unsigned u = __float_as_uint(v == 0.0f ? 0.0f : v);
    const unsigned ordered = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
    return ((u64)ordered << 32) | (u64)(0xFFFFFFFFu - (unsigned)id);
}

/// One row's settings and penalty list.
struct SampleRow {
    const float* logits;
    int vocab;
    float inv_t, min_p, rep, pres, freq;
    const int* ids;  // penalty entries [begin, end), ascending ids
    const int* counts;
    const int* in_prompt;
    int begin, end;
    bool penalised;          // any entry and any penalty on
    const unsigned* bitmap;  // ids with an entry from bitmap_first on, or null (binary search every id)
    int bitmap_first;        // a multiple of 32
};

/// First entry of ids[lo, hi) (ascending) that is >= id.
__device__ __forceinline__ int lower_bound_id(const int* ids, int lo, int hi, int id) {
    while (lo < hi) {
        const int mid = (lo + hi) >> 1;
        if (ids[mid] < id) lo = mid + 1; else hi = mid;
    }
    return lo;
}

/// The logit of token i after the penalties.
__device__ __forceinline__ float processed(const SampleRow& r, int i) {
    float v = r.logits[i];
    if (!r.penalised) return v;
    if (r.bitmap != nullptr && ((r.bitmap[(i - r.bitmap_first) >> 5] >> (i & 31)) & 1u) == 0) return v;
    const int lo = lower_bound_id(r.ids, r.begin, r.end, i);
    if (lo == r.end || r.ids[lo] != i) return v;
    const int count = r.counts[lo];
    if (r.rep != 1.0f && (r.in_prompt[lo] != 0 || count > 0)) v = v > 0.0f ? v / r.rep : __fmul_rn(v, r.rep);
    if ((r.freq != 0.0f || r.pres != 0.0f) && count > 0) {
        v = __fsub_rn(v, __fmul_rn(r.freq, (float)count));
        v = __fsub_rn(v, r.pres);
    }
    return v;
}

/// exp((p - max) / T), zero below min-p; 0 for NaN and -inf.
__device__ __forceinline__ float weight_of(float p, float max_p, const SampleRow& r) {
    const float d = __fmul_rn(__fsub_rn(p, max_p), r.inv_t);
    const float e = d > -INFINITY ? expf(d) : 0.0f;
    return e >= r.min_p ? e : 0.0f;
}

// ---- block reductions (SAMPLE_THREADS threads; results broadcast) --------------------

struct SampleShared {
    double warp_d[SAMPLE_WARPS];
    float warp_f[SAMPLE_WARPS];
    int warp_i[SAMPLE_WARPS];
    u64 warp_u[SAMPLE_WARPS];
    int pivot_count[SAMPLE_WARPS][SAMPLE_PIVOTS + 1];
    double pivot_mass[SAMPLE_WARPS][SAMPLE_PIVOTS + 1];
    long long count[SAMPLE_PIVOTS + 1];
    double mass[SAMPLE_PIVOTS + 1];
    u64 keys[SAMPLE_CAP];
    float weights[SAMPLE_CAP];
    int candidates;
    u64 cut;
    double cut_mass;
    double warp_sum[SAMPLE_WARPS];
    int cross_warp;
    double cross_base;
    int chosen;
    float row_raw_max;  // the row's chunk partials, combined
    double row_raw_total;
    int row_argmax;
};

/// `op` over the block's values (lanes by the xor butterfly, then warps 0, 1, ... onto
/// `identity`); `slots` holds one value a warp. Every thread gets the result.
template <typename V, typename Op>
__device__ __forceinline__ V block_reduce(V v, V identity, V* slots, Op op) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = op(v, __shfl_xor_sync(0xffffffffu, v, o));
    __syncthreads();
    if ((threadIdx.x & 31) == 0) slots[threadIdx.x >> 5] = v;
    __syncthreads();
    V result = identity;
    for (int w = 0; w < SAMPLE_WARPS; w++) result = op(result, slots[w]);
    return result;
}

__device__ __forceinline__ double block_sum_d(double v, SampleShared& sh) {
    return block_reduce(v, 0.0, sh.warp_d, [](double a, double b) { return a + b; });
}
__device__ __forceinline__ float block_max_f(float v, SampleShared& sh) {
    return block_reduce(v, -INFINITY, sh.warp_f, [](float a, float b) { return fmaxf(a, b); });
}
__device__ __forceinline__ int block_sum_i(int v, SampleShared& sh) {
    return block_reduce(v, 0, sh.warp_i, [](int a, int b) { return a + b; });
}
__device__ __forceinline__ int block_max_i(int v, SampleShared& sh) {
    return block_reduce(v, (int)0x80000000, sh.warp_i, [](int a, int b) { return max(a, b); });
}
__device__ __forceinline__ u64 block_min_u(u64 v, SampleShared& sh) {
    return block_reduce(v, ~0ull, sh.warp_u, [](u64 a, u64 b) { return b < a ? b : a; });
}

/// Best (value, id): larger value, then lower id; id < 0 means none (NaN only).
__device__ __forceinline__ void better_of(float& v, int& id, float ov, int oid) {
    if (oid >= 0 && (id < 0 || ov > v || (ov == v && oid < id))) {
        v = ov;
        id = oid;
    }
}

/// The warp's best (value, id) by better_of, in every lane.
__device__ __forceinline__ void warp_best(float& v, int& id) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        const float ov = __shfl_xor_sync(0xffffffffu, v, o);
        const int oid = __shfl_xor_sync(0xffffffffu, id, o);
        better_of(v, id, ov, oid);
    }
}

/// The block's best id by better_of (-1 when every value is NaN).
__device__ __forceinline__ int block_argmax(float v, int id, SampleShared& sh) {
    warp_best(v, id);
    __syncthreads();
    if ((threadIdx.x & 31) == 0) {
        sh.warp_f[threadIdx.x >> 5] = v;
        sh.warp_i[threadIdx.x >> 5] = id;
    }
    __syncthreads();
    float bv = sh.warp_f[0];
    int bid = sh.warp_i[0];
    for (int w = 1; w < SAMPLE_WARPS; w++) better_of(bv, bid, sh.warp_f[w], sh.warp_i[w]);
    return bid;  // -1: every value NaN
}

/// Calls f(id, raw logit) for each id in [first, end) this thread owns, in ascending
/// order (ties keep the lowest id), loading SAMPLE_UNROLL pieces before using any. Rows
/// that start 16-byte aligned are read in float4s (four times the bytes per load in
/// flight); `first` is a multiple of 4 and `end` the row's end or a multiple of 4.
template <typename F>
__device__ __forceinline__ void for_each_logit(const SampleRow& r, int first, int end, F&& f) {
    if ((r.vocab & 3) == 0 && (reinterpret_cast<unsigned long long>(r.logits) & 15) == 0) {
        const float4* row = reinterpret_cast<const float4*>(r.logits);
        const int n = end >> 2;
        for (int base = (first >> 2) + (int)threadIdx.x; base < n; base += SAMPLE_UNROLL * SAMPLE_THREADS) {
            float4 v[SAMPLE_UNROLL];
#pragma unroll
            for (int u = 0; u < SAMPLE_UNROLL; u++) {
                const int j = base + u * SAMPLE_THREADS;
                if (j < n) v[u] = row[j];
            }
#pragma unroll
            for (int u = 0; u < SAMPLE_UNROLL; u++) {
                const int j = base + u * SAMPLE_THREADS;
                if (j < n) {
                    f(4 * j, v[u].x);
                    f(4 * j + 1, v[u].y);
                    f(4 * j + 2, v[u].z);
                    f(4 * j + 3, v[u].w);
                }
            }
        }
        return;
    }
    for (int base = first + (int)threadIdx.x; base < end; base += SAMPLE_UNROLL * SAMPLE_THREADS) {
        float v[SAMPLE_UNROLL];
#pragma unroll
        for (int u = 0; u < SAMPLE_UNROLL; u++) {
            const int i = base + u * SAMPLE_THREADS;
            v[u] = i < end ? r.logits[i] : -INFINITY;
        }
#pragma unroll
        for (int u = 0; u < SAMPLE_UNROLL; u++) {
            const int i = base + u * SAMPLE_THREADS;
            if (i < end) f(i, v[u]);
        }
    }
}
