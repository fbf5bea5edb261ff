// Split-K decode attention on tensor cores and its reduction (see attention.cu).
#pragma once
#include "attention_tiles.cuh"

#define DECODE_KEYS 16
#define DECODE_HEADS 16
/// Warps of a decode block: four, each with its own tiles; head size 256 also comes
/// with two (decode_*_d256_w2) for GPUs whose blocks get less shared memory than four
/// warps' tiles take (sm_86/sm_89: 99 KiB).
#define DECODE_WARPS 4

/// Split-K decode with up to 16 query heads of one kv head as the rows of one mma tile
/// (rows past the block's heads are zero): the dot products and p . V run on tensor
/// cores, CUDA cores only do the softmax (on CUDA cores alone the batch decode was
/// bound by its arithmetic at a third of the memory bandwidth). Each warp streams its
/// own 16-key tiles of the block's partition (tiles w, w + W, ...) through a private
/// double buffer with cp.async, waiting for no other warp until the end, where the
/// warps' (max, sum, acc) combine in shared memory. With one partition the block writes
/// the output; otherwise unnormalised partial sums with their max (natural-log units)
/// and sum, which decode_reduce combines.
/// Dynamic shared memory: Q [16][D] of T, per warp two stages of K and V tiles
/// [16][D] of T (the combine reuses them as [W][16][D] floats), then [W][16][2] floats
/// of max and sum. With an e4m3 cache (C) a warp's area holds the two stages as loaded
/// ([16][D] bytes a tile) and one K and one V tile of T that the current stage is
/// widened into: the same bytes.
template <typename T, typename C, int D, int WARPS>
__device__ __forceinline__ void decode_impl(const T* __restrict__ q, const C* __restrict__ k_cache,
                                                const C* __restrict__ v_cache, const int* __restrict__ block_table,
                                                int max_blocks, const int* __restrict__ query_start,
                                                const int* __restrict__ positions, int num_seqs, int q_heads,
                                                int kv_heads, int block_size, long long num_blocks, float scale,
                                                int window, float softcap, int partition, int head_chunk,
                                                T* __restrict__ out, float* __restrict__ part_acc,
                                                float* __restrict__ part_ml) {
    constexpr int KT = DECODE_KEYS, CH = D / 8, DT = D / 8, KS = D / 16, TILE = KT * D;
    extern __shared__ float4 decode_smem4[];
    typedef typename attention_math<T, C>::type M;  // the tiles' element type
    M* const type_tag = nullptr;
    M* q_s = reinterpret_cast<M*>(decode_smem4);
    M* stages = q_s + DECODE_HEADS * D;
    float* ml_s = reinterpret_cast<float*>(stages + WARPS * 4 * TILE);
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int t = blockIdx.x;
    const int group = q_heads / kv_heads;
    const int chunks = (group + head_chunk - 1) / head_chunk;
    const int kvh = blockIdx.y / chunks;
    const int h0 = kvh * group + (blockIdx.y - kvh * chunks) * head_chunk;
    const int hc = min(head_chunk, kvh * group + group - h0);
    const int split = blockIdx.z, splits = gridDim.z;

    const int seq = find_sequence(query_start, num_seqs, t);
    const int pos = positions[t];
    const int first = (window > 0 && pos + 1 > window) ? pos + 1 - window : 0;
    const int kbeg = first + split * partition;
    const int kend = min(pos + 1, kbeg + partition);
    const int ntiles = kend > kbeg ? (kend - kbeg + KT - 1) / KT : 0;
    const int* table = block_table + (long long)seq * max_blocks;

    // A tile is loaded by two lanes per key row; the ballot of mapped rows (bit 2k for
    // key k) masks keys whose block is missing.
    M* warp_stages = stages + warp * 4 * TILE;  // stage s: K at 2 s TILE, V after it
    constexpr bool FP8 = is_e4m3_cache<C>::value;
    unsigned char* raw_stages = reinterpret_cast<unsigned char*>(warp_stages);  // stage s: K at 2 s TILE bytes
    M* wide_k = warp_stages + 2 * TILE;
    M* wide_v = wide_k + TILE;
    const int load_key = lane >> 1, load_sub = lane & 1;
    auto copy_row = [&](long long row, int stage) {
        if constexpr (FP8) {
            unsigned char* kd = raw_stages + 2 * stage * TILE + load_key * D;
            unsigned char* vd = kd + TILE;
            const unsigned char* kc = reinterpret_cast<const unsigned char*>(k_cache);
            const unsigned char* vc = reinterpret_cast<const unsigned char*>(v_cache);
#pragma unroll
            for (int c = load_sub; c < D / 16; c += 2) {
                cp_async16(kd + c * 16, row >= 0 ? kc + row + c * 16 : kc, row >= 0);
                cp_async16(vd + c * 16, row >= 0 ? vc + row + c * 16 : vc, row >= 0);
            }
        } else {
            M* kd = warp_stages + 2 * stage * TILE;
            M* vd = kd + TILE;
#pragma unroll
            for (int c = load_sub; c < CH; c += 2) {
                cp_async16(kd + swizzle<D>(load_key, c), row >= 0 ? k_cache + row + c * 8 : k_cache, row >= 0);
                cp_async16(vd + swizzle<D>(load_key, c), row >= 0 ? v_cache + row + c * 8 : v_cache, row >= 0);
            }
        }
    };
    // Key `skip` is not copied (its slot is left for a later copy).
    auto issue = [&](int tile, int stage, int skip) -> unsigned {
        const int j = kbeg + tile * KT + load_key;
        const long long row = j < kend ? key_row(table, max_blocks, block_size, num_blocks, j, kv_heads, kvh, D) : -1;
        if (j != skip) copy_row(row, stage);
        return __ballot_sync(0xffffffffu, row >= 0);
    };

    float o[DT][4];
#pragma unroll
    for (int i = 0; i < DT; i++) o[i][0] = o[i][1] = o[i][2] = o[i][3] = 0.0f;
    float m_r[2] = {-INFINITY, -INFINITY}, l_r[2] = {0.0f, 0.0f};
    const int tig = lane & 3;
    unsigned mapped[2] = {0u, 0u};
    // Every key but the token's own was written by an earlier step and the block table
    // by the host before the step, so the warp's first two tiles (both stages: a short
    // context's whole partition) are fetched before the wait for the previous kernel
    // (which writes q and the token's own key and value).
    if (warp < ntiles) mapped[0] = issue(warp, 0, pos);
    if (warp + WARPS < ntiles) mapped[1] = issue(warp + WARPS, 1, pos);
    cp_async_commit();
    grid_dependency_sync();
    for (int i = threadIdx.x; i < DECODE_HEADS * CH; i += 32 * WARPS) {
        const int r = i / CH, c = i - r * CH;
        const bool valid = r < hc;
        cp_async16(q_s + swizzle<D>(r, c), valid ? q + ((long long)t * q_heads + h0 + r) * D + c * 8 : q, valid);
    }
#pragma unroll
    for (int s = 0; s < 2; s++) {
        if (warp + s * WARPS < ntiles && kbeg + (warp + s * WARPS) * KT + load_key == pos)
            copy_row(key_row(table, max_blocks, block_size, num_blocks, pos, kv_heads, kvh, D), s);
    }
    cp_async_commit();
    cp_async_wait_all();  // Q and the first two tiles have landed
    for (int i = threadIdx.x; i < DECODE_HEADS * CH; i += 32 * WARPS) {  // the chunks this thread loaded
        const int r = i / CH;
        query_to_math<T, M>(q_s + swizzle<D>(r, i - r * CH));
    }
    __syncthreads();

    // Stage s holds tile w + (i ^ s) W at iteration i; a stage is refilled with the tile
    // two ahead as soon as it is used, so two tiles a warp are in flight.
    int stage = 0;
    for (int tile = warp; tile < ntiles; tile += WARPS) {
        asm volatile("cp.async.wait_group 1;\n" ::: "memory");  // this tile has landed
        __syncwarp();
        const M* k_t = warp_stages + 2 * stage * TILE;
        const M* v_t = k_t + TILE;
        const unsigned valid = mapped[stage];
        if constexpr (FP8) {
            // Widen the stage, then refill it at once: the load overlaps this tile's math.
            const unsigned char* rk = raw_stages + 2 * stage * TILE;
#pragma unroll
            for (int i = lane; i < KT * CH; i += 32) {
                const int r = i / CH, c = i - r * CH;
                *reinterpret_cast<uint4*>(wide_k + swizzle<D>(r, c)) = e4m3x8_to_half(*reinterpret_cast<const uint2*>(rk + i * 8));
                *reinterpret_cast<uint4*>(wide_v + swizzle<D>(r, c)) = e4m3x8_to_half(*reinterpret_cast<const uint2*>(rk + TILE + i * 8));
            }
            __syncwarp();
            if (tile + 2 * WARPS < ntiles) mapped[stage] = issue(tile + 2 * WARPS, stage, -1);
            cp_async_commit();
            k_t = wide_k;
            v_t = wide_v;
        }

        float s[2][4];
#pragma unroll
        for (int i = 0; i < 2; i++) s[i][0] = s[i][1] = s[i][2] = s[i][3] = 0.0f;
#pragma unroll
        for (int ks = 0; ks < KS; ks++) {
            unsigned a[4], b[4];
            ldmatrix_x4(a, q_s + swizzle<D>(lane & 15, ks * 2 + (lane >> 4)));
            ldmatrix_x4(b, k_t + swizzle<D>((lane & 7) + ((lane >> 4) << 3), ks * 2 + ((lane >> 3) & 1)));
            mma16816(s[0], a, b[0], b[1], type_tag);
            mma16816(s[1], a, b[2], b[3], type_tag);
        }

        // Online softmax per row in base 2, as the prefill kernel.
        float row_max[2] = {-INFINITY, -INFINITY};
#pragma unroll
        for (int nt = 0; nt < 2; nt++) {
#pragma unroll
            for (int e = 0; e < 4; e++) {
                const int key = nt * 8 + tig * 2 + (e & 1);
                const float v = (valid >> (2 * key)) & 1u ? soft_cap(s[nt][e] * scale, softcap) * LOG2E_F : -INFINITY;
                s[nt][e] = v;
                row_max[e >> 1] = fmaxf(row_max[e >> 1], v);
            }
        }
        float alpha[2];
        softmax_update(s, row_max, m_r, l_r, alpha);
        unsigned pa[4];
        pa[0] = pack2(s[0][0], s[0][1], type_tag);
        pa[1] = pack2(s[0][2], s[0][3], type_tag);
        pa[2] = pack2(s[1][0], s[1][1], type_tag);
        pa[3] = pack2(s[1][2], s[1][3], type_tag);
#pragma unroll
        for (int dp = 0; dp < KS; dp++) {
            unsigned b[4];
            ldmatrix_x4_trans(b, v_t + swizzle<D>((lane & 7) + (((lane >> 3) & 1) << 3), dp * 2 + (lane >> 4)));
#pragma unroll
            for (int x = 0; x < 2; x++) {
                float* acc = o[2 * dp + x];
                acc[0] *= alpha[0];
                acc[1] *= alpha[0];
                acc[2] *= alpha[1];
                acc[3] *= alpha[1];
            }
            mma16816(o[2 * dp], pa, b[0], b[1], type_tag);
            mma16816(o[2 * dp + 1], pa, b[2], b[3], type_tag);
        }
        __syncwarp();  // every lane is done with this stage (or its widened tiles) before it is refilled
        if constexpr (!FP8) {
            if (tile + 2 * WARPS < ntiles) mapped[stage] = issue(tile + 2 * WARPS, stage, -1);
            cp_async_commit();
        }
        stage ^= 1;
    }
    cp_async_wait_all();
    __syncthreads();  // every warp is done with its stages: reuse them for the combine

    float* red = reinterpret_cast<float*>(stages);  // [warps][16][D]
    const int g = lane >> 2;
#pragma unroll
    for (int half = 0; half < 2; half++) {
        float l = l_r[half];
        l += __shfl_xor_sync(0xffffffffu, l, 1);
        l += __shfl_xor_sync(0xffffffffu, l, 2);
        const int r = g + 8 * half;
        if (r >= hc) continue;
        float* dst = red + (warp * DECODE_HEADS + r) * D;
#pragma unroll
        for (int dt = 0; dt < DT; dt++) {
            dst[dt * 8 + tig * 2] = o[dt][2 * half];
            dst[dt * 8 + tig * 2 + 1] = o[dt][2 * half + 1];
        }
        if (tig == 0) {
            ml_s[2 * (warp * DECODE_HEADS + r)] = m_r[half];
            ml_s[2 * (warp * DECODE_HEADS + r) + 1] = l;
        }
    }
    __syncthreads();
    for (int i = threadIdx.x; i < hc * D; i += 32 * WARPS) {
        const int r = i / D, d = i - r * D;
        float m = -INFINITY;
#pragma unroll
        for (int w = 0; w < WARPS; w++)
            if (ml_s[2 * (w * DECODE_HEADS + r) + 1] > 0.0f) m = fmaxf(m, ml_s[2 * (w * DECODE_HEADS + r)]);
        float a = 0.0f, l = 0.0f;
#pragma unroll
        for (int w = 0; w < WARPS; w++) {
            const float lw = ml_s[2 * (w * DECODE_HEADS + r) + 1];
            if (lw > 0.0f) {
                const float f = exp2f(ml_s[2 * (w * DECODE_HEADS + r)] - m);
                l += lw * f;
                a += red[(w * DECODE_HEADS + r) * D + d] * f;
            }
        }
        const long long th = (long long)t * q_heads + h0 + r;
        if (splits == 1) {
            out[th * D + d] = from_float<T>(l > 0.0f ? a / l : 0.0f);
        } else {
            const long long idx = th * splits + split;
            part_acc[idx * D + d] = a;
            if (d == 0) {
                part_ml[2 * idx] = m / LOG2E_F;
                part_ml[2 * idx + 1] = l;
            }
        }
    }
}

/// Combines the partitions of one (token, head): out = sum_i acc_i e^(m_i - M) /
/// sum_i l_i e^(m_i - M). Grid (tokens, q_heads); partitions without keys (l = 0) are
/// skipped. A step's few partitions are latency, not bytes: their (max, sum) pairs are
/// staged in shared memory with one load each, and each thread has eight partitions'
/// sums in flight at once (the sums are taken in partition order either way).
#define DECODE_REDUCE_STAGED 256
#define DECODE_REDUCE_UNROLL 8
template <typename T>
__device__ __forceinline__ void decode_reduce_impl(const float* __restrict__ part_acc, const float* __restrict__ part_ml,
                                                   int q_heads, int splits, int head_dim, T* __restrict__ out) {
    __shared__ float ml_staged[2 * DECODE_REDUCE_STAGED];
    const long long th = (long long)blockIdx.x * q_heads + blockIdx.y;
    const float* ml = part_ml + th * splits * 2;
    if (splits <= DECODE_REDUCE_STAGED) {
        for (int i = threadIdx.x; i < 2 * splits; i += blockDim.x) ml_staged[i] = ml[i];
        __syncthreads();
        ml = ml_staged;
    }
    float m = -INFINITY;
    for (int s = 0; s < splits; s++)
        if (ml[2 * s + 1] > 0.0f) m = fmaxf(m, ml[2 * s]);
    for (int d = threadIdx.x; d < head_dim; d += blockDim.x) {
        float l = 0.0f, a = 0.0f;
        for (int s0 = 0; s0 < splits; s0 += DECODE_REDUCE_UNROLL) {
            float acc[DECODE_REDUCE_UNROLL];
#pragma unroll
            for (int u = 0; u < DECODE_REDUCE_UNROLL; u++)
                acc[u] = s0 + u < splits ? part_acc[(th * splits + s0 + u) * head_dim + d] : 0.0f;
#pragma unroll
            for (int u = 0; u < DECODE_REDUCE_UNROLL; u++) {
                const int s = s0 + u;
                const float ls = s < splits ? ml[2 * s + 1] : 0.0f;
                if (ls > 0.0f) {
                    const float w = expf(ml[2 * s] - m);
                    l += ls * w;
                    a += acc[u] * w;
                }
            }
        }
        out[th * head_dim + d] = from_float<T>(l > 0.0f ? a / l : 0.0f);
    }
}

