// Prefill attention on tensor cores (see attention.cu).
#pragma once
#include "attention_tiles.cuh"

#define PREFILL_WARPS 4
#define PREFILL_THREADS (32 * PREFILL_WARPS)
#define PREFILL_BM (16 * PREFILL_WARPS)

/// Ints after the tiles in the prefill kernel's dynamic shared memory: the block's
/// sequence and tile, its key range, per-warp scan totals. Kernels that take dynamic
/// shared memory declare no static shared memory, so the launch's byte count is the
/// whole budget (the host raises the 48 KiB default only when that count exceeds it).
#define PREFILL_SCALARS 16

/// Dynamic shared memory: Q [64][D], K [BN][D], V [BN][D] of T, swizzled; with an
/// e4m3 cache (C) then the K and V tiles as loaded, [BN][D] bytes each, which the block
/// widens into the T tiles; then PREFILL_SCALARS ints.
template <typename T, typename C, int D, int BN>
__device__ __forceinline__ void prefill_impl(const T* __restrict__ q, const C* __restrict__ k_cache,
                                             const C* __restrict__ v_cache, const int* __restrict__ block_table,
                                             int max_blocks, const int* __restrict__ query_start,
                                             const int* __restrict__ positions, int num_seqs, int q_heads, int kv_heads,
                                             int block_size, long long num_blocks, float scale, int window, float softcap,
                                             int first_seq, T* __restrict__ out) {
    constexpr int BM = PREFILL_BM, CH = D / 8, NT = BN / 8, DT = D / 8;
    extern __shared__ float4 prefill_smem4[];
    typedef typename attention_math<T, C>::type M;  // the tiles' element type
    M* q_s = reinterpret_cast<M*>(prefill_smem4);
    M* k_s = q_s + BM * D;
    M* v_s = k_s + BN * D;
    constexpr bool FP8 = is_e4m3_cache<C>::value;
    unsigned char* k_raw = reinterpret_cast<unsigned char*>(v_s + BN * D);
    unsigned char* v_raw = k_raw + BN * D;
    int* scalars = reinterpret_cast<int*>(FP8 ? v_raw + BN * D : k_raw);
    int& s_seq = scalars[0];
    int& s_tile = scalars[1];
    int& s_kmin = scalars[2];
    int& s_kmax = scalars[3];
    int* s_warp_sums = scalars + 4;  // PREFILL_WARPS entries
    int& s_pmin = scalars[4 + PREFILL_WARPS];
    int& s_fmax = scalars[5 + PREFILL_WARPS];
    M* const type_tag = nullptr;

    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int group = q_heads / kv_heads;
    const int kvh = blockIdx.y;
    const int tile = blockIdx.x;

    // Which sequence and which of its tiles: a block-wide scan of tiles per sequence.
    if (threadIdx.x == 0) {
        s_seq = -1;
        s_kmin = 0x7fffffff;
        s_kmax = -1;
        s_pmin = 0x7fffffff;
        s_fmax = -1;
    }
    __syncthreads();
    int base = 0;
    for (int c0 = first_seq; c0 < num_seqs; c0 += PREFILL_THREADS) {
        const int s = c0 + threadIdx.x;
        const int n = s < num_seqs ? ((query_start[s + 1] - query_start[s]) * group + BM - 1) / BM : 0;
        int incl = n;
#pragma unroll
        for (int o = 1; o < 32; o <<= 1) {
            const int y = __shfl_up_sync(0xffffffffu, incl, o);
            if (lane >= o) incl += y;
        }
        if (lane == 31) s_warp_sums[warp] = incl;
        __syncthreads();
        int start = base + incl - n, total = base;
        for (int w = 0; w < PREFILL_WARPS; w++) {
            if (w < warp) start += s_warp_sums[w];
            total += s_warp_sums[w];
        }
        if (n > 0 && tile >= start && tile < start + n) {
            s_seq = s;
            s_tile = tile - start;
        }
        base = total;
        __syncthreads();
        if (s_seq >= 0) break;
    }
    if (s_seq < 0) return;  // past the last tile of the batch
    const int seq = s_seq;
    const int q0 = query_start[seq];
    const int rows_total = (query_start[seq + 1] - q0) * group;
    const int row0 = s_tile * BM;
    const int* table = block_table + (long long)seq * max_blocks;

    // The key range of the tile: from the smallest window start to the largest position.
    if (threadIdx.x < BM && row0 + (int)threadIdx.x < rows_total) {
        const int pos = positions[q0 + (row0 + threadIdx.x) / group];
        const int first = (window > 0 && pos + 1 > window) ? pos + 1 - window : 0;
        if (pos >= first) {
            atomicMin(&s_kmin, first);
            atomicMax(&s_kmax, pos);
            atomicMin(&s_pmin, pos);
            atomicMax(&s_fmax, first);
        }
    }
    for (int i = threadIdx.x; i < BM * CH; i += PREFILL_THREADS) {
        const int r = i / CH, c = i - r * CH, R = row0 + r;
        const bool valid = R < rows_total;
        const T* src = q;
        if (valid) src = q + ((long long)(q0 + R / group) * q_heads + kvh * group + R % group) * D + c * 8;
        cp_async16(q_s + swizzle<D>(r, c), src, valid);
    }
    cp_async_commit();
    if constexpr (FP8) {  // the queries become M before any tile is read (each thread its own chunks)
        cp_async_wait_all();
        for (int i = threadIdx.x; i < BM * CH; i += PREFILL_THREADS) {
            const int r = i / CH;
            query_to_math<T, M>(q_s + swizzle<D>(r, i - r * CH));
        }
    }
    __syncthreads();
    const int kmin = s_kmin, kmax = s_kmax;
    // Key tiles inside every row's range [first, pos] need no mask.
    const int unmasked_lo = s_fmax, unmasked_hi = s_pmin;

    // The two rows this thread holds in the accumulator layout (lane/4 and lane/4 + 8).
    const int g = lane >> 2, tig = lane & 3;
    int pos_r[2], first_r[2];
#pragma unroll
    for (int half = 0; half < 2; half++) {
        const int R = row0 + warp * 16 + g + 8 * half;
        pos_r[half] = -1;
        first_r[half] = 0;
        if (R < rows_total) {
            pos_r[half] = positions[q0 + R / group];
            first_r[half] = (window > 0 && pos_r[half] + 1 > window) ? pos_r[half] + 1 - window : 0;
        }
    }

    // K and V tiles are loaded by TPR threads per key row, each computing the row's cache
    // offset once for both tiles; a thread's chunks interleave with its neighbours' so a
    // warp's 16-byte pieces form whole 32-byte sectors.
    constexpr int TPR = PREFILL_THREADS / BN;
    const int load_row = threadIdx.x / TPR, load_sub = threadIdx.x - load_row * TPR;
    auto tile_row = [&](int kt) -> long long {
        const int j = kt * BN + load_row;
        return (j >= kmin && j <= kmax) ? key_row(table, max_blocks, block_size, num_blocks, j, kv_heads, kvh, D) : -1;
    };
    // An e4m3 tile lands as it is in the cache (16 elements a piece) and is widened to
    // T by the whole block before the tensor cores read it.
    auto load_rows = [&](M* dst, unsigned char* raw, const C* cache, long long row) {
        if constexpr (FP8) {
            const unsigned char* bytes = reinterpret_cast<const unsigned char*>(cache);
            for (int c = load_sub; c < D / 16; c += TPR)
                cp_async16(raw + load_row * D + c * 16, row >= 0 ? bytes + row + c * 16 : bytes, row >= 0);
        } else {
            for (int c = load_sub; c < CH; c += TPR) cp_async16(dst + swizzle<D>(load_row, c), row >= 0 ? cache + row + c * 8 : cache, row >= 0);
        }
    };
    auto widen = [&](M* dst, const unsigned char* raw) {
        if constexpr (FP8) {
            for (int i = threadIdx.x; i < BN * CH; i += PREFILL_THREADS) {
                const int r = i / CH, c = i - r * CH;
                *reinterpret_cast<uint4*>(dst + swizzle<D>(r, c)) = e4m3x8_to_half(*reinterpret_cast<const uint2*>(raw + i * 8));
            }
            __syncthreads();
        }
    };

    float o[DT][4];
#pragma unroll
    for (int i = 0; i < DT; i++) o[i][0] = o[i][1] = o[i][2] = o[i][3] = 0.0f;
    float m_r[2] = {-INFINITY, -INFINITY}, l_r[2] = {0.0f, 0.0f};

    if (kmax >= 0) {
        const int kt0 = kmin / BN, kt1 = kmax / BN;
        long long row_kv = tile_row(kt0);
        load_rows(k_s, k_raw, k_cache, row_kv);
        cp_async_commit();
        for (int kt = kt0; kt <= kt1; kt++) {
            cp_async_wait_all();
            __syncthreads();  // K tile (and Q) visible; every warp is done with the previous V tile
            widen(k_s, k_raw);
            load_rows(v_s, v_raw, v_cache, row_kv);
            cp_async_commit();

            float s[NT][4];
#pragma unroll
            for (int i = 0; i < NT; i++) s[i][0] = s[i][1] = s[i][2] = s[i][3] = 0.0f;
#pragma unroll
            for (int ks = 0; ks < D / 16; ks++) {
                unsigned a[4];
                ldmatrix_x4(a, q_s + swizzle<D>(warp * 16 + (lane & 15), ks * 2 + (lane >> 4)));
#pragma unroll
                for (int np = 0; np < BN / 16; np++) {
                    unsigned b[4];
                    ldmatrix_x4(b, k_s + swizzle<D>(np * 16 + (lane & 7) + ((lane >> 4) << 3), ks * 2 + ((lane >> 3) & 1)));
                    mma16816(s[2 * np], a, b[0], b[1], type_tag);
                    mma16816(s[2 * np + 1], a, b[2], b[3], type_tag);
                }
            }

            // Scale, cap, mask; online softmax per row (a row spans the 4 lanes of a quad), in
            // base 2 (exp2 is one instruction; scores are scaled by log2(e) once).
            float row_max[2] = {-INFINITY, -INFINITY};
            const bool masked = kt * BN < unmasked_lo || kt * BN + BN - 1 > unmasked_hi;
#pragma unroll
            for (int nt = 0; nt < NT; nt++) {
#pragma unroll
                for (int e = 0; e < 4; e++) {
                    const int half = e >> 1, key = kt * BN + nt * 8 + tig * 2 + (e & 1);
                    float v = soft_cap(s[nt][e] * scale, softcap) * LOG2E_F;
                    if (masked && (key > pos_r[half] || key < first_r[half])) v = -INFINITY;
                    s[nt][e] = v;
                    row_max[half] = fmaxf(row_max[half], v);
                }
            }
            float alpha[2];
            softmax_update(s, row_max, m_r, l_r, alpha);
#pragma unroll
            for (int dt = 0; dt < DT; dt++) {
                o[dt][0] *= alpha[0];
                o[dt][1] *= alpha[0];
                o[dt][2] *= alpha[1];
                o[dt][3] *= alpha[1];
            }

            cp_async_wait_all();
            __syncthreads();  // V tile visible; every warp is done with this K tile
            widen(v_s, v_raw);
            if (kt < kt1) {
                row_kv = tile_row(kt + 1);
                load_rows(k_s, k_raw, k_cache, row_kv);
                cp_async_commit();
            }

            // O += P V: the score accumulators of two key n-tiles are one A fragment.
#pragma unroll
            for (int kk = 0; kk < BN / 16; kk++) {
                unsigned pa[4];
                pa[0] = pack2(s[2 * kk][0], s[2 * kk][1], type_tag);
                pa[1] = pack2(s[2 * kk][2], s[2 * kk][3], type_tag);
                pa[2] = pack2(s[2 * kk + 1][0], s[2 * kk + 1][1], type_tag);
                pa[3] = pack2(s[2 * kk + 1][2], s[2 * kk + 1][3], type_tag);
#pragma unroll
                for (int dp = 0; dp < D / 16; dp++) {
                    unsigned b[4];
                    ldmatrix_x4_trans(b, v_s + swizzle<D>(kk * 16 + (lane & 7) + (((lane >> 3) & 1) << 3), dp * 2 + (lane >> 4)));
                    mma16816(o[2 * dp], pa, b[0], b[1], type_tag);
                    mma16816(o[2 * dp + 1], pa, b[2], b[3], type_tag);
                }
            }
        }
    }
    cp_async_wait_all();

    // Normalise and store the valid rows.
#pragma unroll
    for (int half = 0; half < 2; half++) {
        float l = l_r[half];
        l += __shfl_xor_sync(0xffffffffu, l, 1);
        l += __shfl_xor_sync(0xffffffffu, l, 2);
        const int R = row0 + warp * 16 + g + 8 * half;
        if (R >= rows_total) continue;
        const float inv = l > 0.0f ? 1.0f / l : 0.0f;
        T* dst = out + ((long long)(q0 + R / group) * q_heads + kvh * group + R % group) * D;
#pragma unroll
        for (int dt = 0; dt < DT; dt++) {
            const unsigned v = pack2(o[dt][2 * half] * inv, o[dt][2 * half + 1] * inv, (T*)nullptr);
            *reinterpret_cast<unsigned*>(dst + dt * 8 + tig * 2) = v;
        }
    }
}
