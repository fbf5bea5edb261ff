// Paged attention of N new query tokens per sequence against the paged KV cache, with
// exactly the CPU backend's semantics (Sources/CLLMKernels/attention.c): query token t
// of sequence s (query_start[s] <= t < query_start[s + 1]) at position p = positions[t]
// attends to the keys at positions first..p of its sequence, read through its block
// table row, where first = max(0, p + 1 - window) with a sliding window and 0 without;
// score = (q . k) * scale, then cap * tanh(score / cap) with soft-capping; softmax in
// f32; out = sum of p * v. Query head h reads kv head h / (q_heads / kv_heads) (GQA).
// Cache layout [blocks, block_size, kv_heads, head_dim].
//
// Two paths, chosen by the host from the batch shape (both are correct for any batch):
//  - decode_*: one query token per sequence, split-K flash decoding on tensor cores.
//    Grid (tokens, kv_heads * head_chunks, splits). Each block handles up to 16 query
//    heads sharing one kv head (the rows of one mma tile) over one partition of the
//    token's keys; decode_reduce_* combines the partitions when there are several.
//    A mixed batch runs its leading one-token sequences through this path too.
//  - prefill_*: FlashAttention-2 style tiles on tensor cores (mma.sync m16n8k16, fp32
//    accumulate, ldmatrix from XOR-swizzled shared memory, online softmax). A tile is
//    64 "packed" rows: row r of a sequence's tile space is query token r / G, head
//    r % G of the kv head's group of G query heads, so every K/V tile read through the
//    block table serves the whole group. K and V tiles are loaded with cp.async: V of
//    tile j overlaps the QK^T of tile j, K of tile j+1 overlaps the PV of tile j.
//    Sequences before first_seq are skipped (the decode path took them).
#include "common.cuh"

// ---- shared helpers -----------------------------------------------------------------

/// The sequence owning flattened token t: the largest s with query_start[s] <= t.
__device__ __forceinline__ int find_sequence(const int* __restrict__ query_start, int num_seqs, int t) {
    int lo = 0, hi = num_seqs - 1;
    while (lo < hi) {
        const int mid = (lo + hi + 1) >> 1;
        if (query_start[mid] <= t) lo = mid; else hi = mid - 1;
    }
    return lo;
}

/// Element offset of key j's row for kv head `kvh` in the cache, or -1 when j is
/// negative or its block is not mapped (out of the table row or the cache).
__device__ __forceinline__ long long key_row(const int* __restrict__ table, int max_blocks, int block_size,
                                             long long num_blocks, int j, int kv_heads, int kvh, int head_dim) {
    if (j < 0) return -1;
    const int b = j / block_size;
    if (b >= max_blocks) return -1;
    const int block = table[b];
    if (block < 0 || (long long)block >= num_blocks) return -1;
    const long long slot = (long long)block * block_size + (j - b * block_size);
    return (slot * kv_heads + kvh) * head_dim;
}

__device__ __forceinline__ float soft_cap(float s, float cap) { return cap > 0.0f ? cap * tanhf(s / cap) : s; }

__device__ __forceinline__ float2 load2(const bf16* p) { return __bfloat1622float2(*reinterpret_cast<const __nv_bfloat162*>(p)); }
__device__ __forceinline__ float2 load2(const f16* p) { return __half22float2(*reinterpret_cast<const __half2*>(p)); }

// ---- prefill: tensor-core tiles -------------------------------------------------------

#define PREFILL_WARPS 4
#define PREFILL_THREADS (32 * PREFILL_WARPS)
#define PREFILL_BM (16 * PREFILL_WARPS)

/// Element offset of 16-byte chunk `chunk` of row `row` in a [rows][D] tile: chunks in
/// complete groups of 8 are XOR-swizzled with the row, so the 8 rows an ldmatrix reads
/// fall in 8 different bank groups.
template <int D> __device__ __forceinline__ int swizzle(int row, int chunk) {
    constexpr int FULL = (D / 8) / 8 * 8;
    return row * D + (chunk < FULL ? (chunk ^ (row & 7)) : chunk) * 8;
}

/// 16 bytes global -> shared, asynchronously; zero-fills when !valid (src unread).
__device__ __forceinline__ void cp_async16(void* dst, const void* src, bool valid) {
    const unsigned s = (unsigned)__cvta_generic_to_shared(dst);
    const int bytes = valid ? 16 : 0;
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(s), "l"(src), "r"(bytes));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
__device__ __forceinline__ void cp_async_wait_all() { asm volatile("cp.async.wait_group 0;\n" ::: "memory"); }

__device__ __forceinline__ void ldmatrix_x4(unsigned (&r)[4], const void* p) {
    const unsigned s = (unsigned)__cvta_generic_to_shared(p);
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(s));
}
__device__ __forceinline__ void ldmatrix_x4_trans(unsigned (&r)[4], const void* p) {
    const unsigned s = (unsigned)__cvta_generic_to_shared(p);
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(s));
}

/// c += a (16x16, row) * b (16x8, col), fp32 accumulate.
__device__ __forceinline__ void mma16816(float (&c)[4], const unsigned (&a)[4], unsigned b0, unsigned b1, bf16*) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}
__device__ __forceinline__ void mma16816(float (&c)[4], const unsigned (&a)[4], unsigned b0, unsigned b1, f16*) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

/// Two floats as one register of two 16-bit elements (the first in the low half).
__device__ __forceinline__ unsigned pack2(float lo, float hi, bf16*) {
    __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<unsigned*>(&v);
}
__device__ __forceinline__ unsigned pack2(float lo, float hi, f16*) {
    __half2 v = __floats2half2_rn(lo, hi);
    return *reinterpret_cast<unsigned*>(&v);
}

/// Ints after the tiles in the prefill kernel's dynamic shared memory: the block's
/// sequence and tile, its key range, per-warp scan totals. Kernels that take dynamic
/// shared memory declare no static shared memory, so the launch's byte count is the
/// whole budget (the host raises the 48 KiB default only when that count exceeds it).
#define PREFILL_SCALARS 16
#define LOG2E_F 1.4426950408889634f

/// One online-softmax step in base 2 over a tile of mma scores. Each lane holds 4 values
/// per 8-key n-tile, the first two of row g and the last two of row g + 8 (its two
/// "halves"); the 4 lanes of a quad share the rows. Takes this tile's per-half maxima,
/// updates the running max m and sum l, turns the scores into probabilities, and gives
/// the factor alpha by which the output accumulators of each half must be scaled.
template <int NT>
__device__ __forceinline__ void softmax_update(float (&s)[NT][4], float (&row_max)[2], float (&m_r)[2], float (&l_r)[2],
                                               float (&alpha)[2]) {
    float row_sum[2] = {0.0f, 0.0f};
#pragma unroll
    for (int half = 0; half < 2; half++) {
        row_max[half] = fmaxf(row_max[half], __shfl_xor_sync(0xffffffffu, row_max[half], 1));
        row_max[half] = fmaxf(row_max[half], __shfl_xor_sync(0xffffffffu, row_max[half], 2));
        const float m_new = fmaxf(m_r[half], row_max[half]);
        alpha[half] = m_new == -INFINITY ? 1.0f : exp2f(m_r[half] - m_new);
        m_r[half] = m_new;
    }
#pragma unroll
    for (int nt = 0; nt < NT; nt++) {
#pragma unroll
        for (int e = 0; e < 4; e++) {
            const int half = e >> 1;
            const float p = m_r[half] == -INFINITY ? 0.0f : exp2f(s[nt][e] - m_r[half]);
            s[nt][e] = p;
            row_sum[half] += p;
        }
    }
#pragma unroll
    for (int half = 0; half < 2; half++) l_r[half] = l_r[half] * alpha[half] + row_sum[half];
}

/// Dynamic shared memory: Q [64][D], K [BN][D], V [BN][D] of T, swizzled, then
/// PREFILL_SCALARS ints.
template <typename T, int D, int BN>
__device__ __forceinline__ void prefill_impl(const T* __restrict__ q, const T* __restrict__ k_cache,
                                             const T* __restrict__ v_cache, const int* __restrict__ block_table,
                                             int max_blocks, const int* __restrict__ query_start,
                                             const int* __restrict__ positions, int num_seqs, int q_heads, int kv_heads,
                                             int block_size, long long num_blocks, float scale, int window, float softcap,
                                             int first_seq, T* __restrict__ out) {
    constexpr int BM = PREFILL_BM, CH = D / 8, NT = BN / 8, DT = D / 8;
    extern __shared__ float4 prefill_smem4[];
    T* q_s = reinterpret_cast<T*>(prefill_smem4);
    T* k_s = q_s + BM * D;
    T* v_s = k_s + BN * D;
    int* scalars = reinterpret_cast<int*>(v_s + BN * D);
    int& s_seq = scalars[0];
    int& s_tile = scalars[1];
    int& s_kmin = scalars[2];
    int& s_kmax = scalars[3];
    int* s_warp_sums = scalars + 4;  // PREFILL_WARPS entries
    int& s_pmin = scalars[4 + PREFILL_WARPS];
    int& s_fmax = scalars[5 + PREFILL_WARPS];
    T* const type_tag = nullptr;

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
    auto load_rows = [&](T* dst, const T* cache, long long row) {
        for (int c = load_sub; c < CH; c += TPR) cp_async16(dst + swizzle<D>(load_row, c), row >= 0 ? cache + row + c * 8 : cache, row >= 0);
    };

    float o[DT][4];
#pragma unroll
    for (int i = 0; i < DT; i++) o[i][0] = o[i][1] = o[i][2] = o[i][3] = 0.0f;
    float m_r[2] = {-INFINITY, -INFINITY}, l_r[2] = {0.0f, 0.0f};

    if (kmax >= 0) {
        const int kt0 = kmin / BN, kt1 = kmax / BN;
        long long row_kv = tile_row(kt0);
        load_rows(k_s, k_cache, row_kv);
        cp_async_commit();
        for (int kt = kt0; kt <= kt1; kt++) {
            cp_async_wait_all();
            __syncthreads();  // K tile (and Q) visible; every warp is done with the previous V tile
            load_rows(v_s, v_cache, row_kv);
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
            if (kt < kt1) {
                row_kv = tile_row(kt + 1);
                load_rows(k_s, k_cache, row_kv);
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
            const unsigned v = pack2(o[dt][2 * half] * inv, o[dt][2 * half + 1] * inv, type_tag);
            *reinterpret_cast<unsigned*>(dst + dt * 8 + tig * 2) = v;
        }
    }
}

// ---- decode on tensor cores -----------------------------------------------------------

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
/// of max and sum.
template <typename T, int D, int WARPS>
__device__ __forceinline__ void decode_impl(const T* __restrict__ q, const T* __restrict__ k_cache,
                                                const T* __restrict__ v_cache, const int* __restrict__ block_table,
                                                int max_blocks, const int* __restrict__ query_start,
                                                const int* __restrict__ positions, int num_seqs, int q_heads,
                                                int kv_heads, int block_size, long long num_blocks, float scale,
                                                int window, float softcap, int partition, int head_chunk,
                                                T* __restrict__ out, float* __restrict__ part_acc,
                                                float* __restrict__ part_ml) {
    constexpr int KT = DECODE_KEYS, CH = D / 8, DT = D / 8, KS = D / 16, TILE = KT * D;
    extern __shared__ float4 decode_smem4[];
    T* const type_tag = nullptr;
    T* q_s = reinterpret_cast<T*>(decode_smem4);
    T* stages = q_s + DECODE_HEADS * D;
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
    T* warp_stages = stages + warp * 4 * TILE;  // stage s: K at 2 s TILE, V after it
    const int load_key = lane >> 1, load_sub = lane & 1;
    auto copy_row = [&](long long row, int stage) {
        T* kd = warp_stages + 2 * stage * TILE;
        T* vd = kd + TILE;
#pragma unroll
        for (int c = load_sub; c < CH; c += 2) {
            cp_async16(kd + swizzle<D>(load_key, c), row >= 0 ? k_cache + row + c * 8 : k_cache, row >= 0);
            cp_async16(vd + swizzle<D>(load_key, c), row >= 0 ? v_cache + row + c * 8 : v_cache, row >= 0);
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
    __syncthreads();

    // Stage s holds tile w + (i ^ s) W at iteration i; a stage is refilled with the tile
    // two ahead as soon as it is used, so two tiles a warp are in flight.
    int stage = 0;
    for (int tile = warp; tile < ntiles; tile += WARPS) {
        asm volatile("cp.async.wait_group 1;\n" ::: "memory");  // this tile has landed
        __syncwarp();
        const T* k_t = warp_stages + 2 * stage * TILE;
        const T* v_t = k_t + TILE;
        const unsigned valid = mapped[stage];

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
        __syncwarp();  // every lane is done with this stage before it is refilled
        if (tile + 2 * WARPS < ntiles) mapped[stage] = issue(tile + 2 * WARPS, stage, -1);
        cp_async_commit();
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

// ---- entry points ---------------------------------------------------------------------

#define DECODE(TN, TT, D, W, NAME)                                                                               \
    extern "C" __global__ void __launch_bounds__(32 * W) NAME(                                                      \
        const TT* q, const TT* k_cache, const TT* v_cache, const int* block_table, int max_blocks,                     \
        const int* query_start, const int* positions, int num_seqs, int q_heads, int kv_heads, int block_size,        \
        long long num_blocks, float scale, int window, float softcap, int partition, int head_chunk, TT* out,        \
        float* part_acc, float* part_ml) {                                                                            \
        decode_impl<TT, D, W>(q, k_cache, v_cache, block_table, max_blocks, query_start, positions, num_seqs,           \
                           q_heads, kv_heads, block_size, num_blocks, scale, window, softcap, partition,          \
                           head_chunk, out, part_acc, part_ml);                                                       \
    }

#define PREFILL(TN, TT, D, BN)                                                                                       \
    extern "C" __global__ void __launch_bounds__(PREFILL_THREADS) prefill_##TN##_d##D(                                \
        const TT* q, const TT* k_cache, const TT* v_cache, const int* block_table, int max_blocks,                     \
        const int* query_start, const int* positions, int num_seqs, int q_heads, int kv_heads, int block_size,        \
        long long num_blocks, float scale, int window, float softcap, int first_seq, TT* out) {                       \
        grid_dependency_sync();                                                                                       \
        prefill_impl<TT, D, BN>(q, k_cache, v_cache, block_table, max_blocks, query_start, positions, num_seqs,       \
                                q_heads, kv_heads, block_size, num_blocks, scale, window, softcap, first_seq, out);   \
    }

#define HEAD_DIMS(TN, TT)                                                                                            \
    DECODE(TN, TT, 16, DECODE_WARPS, decode_##TN##_d16) DECODE(TN, TT, 32, DECODE_WARPS, decode_##TN##_d32)           \
    DECODE(TN, TT, 64, DECODE_WARPS, decode_##TN##_d64) DECODE(TN, TT, 80, DECODE_WARPS, decode_##TN##_d80)           \
    DECODE(TN, TT, 96, DECODE_WARPS, decode_##TN##_d96) DECODE(TN, TT, 112, DECODE_WARPS, decode_##TN##_d112)         \
    DECODE(TN, TT, 128, DECODE_WARPS, decode_##TN##_d128) DECODE(TN, TT, 256, DECODE_WARPS, decode_##TN##_d256)       \
    DECODE(TN, TT, 256, 2, decode_##TN##_d256_w2)                                                                     \
    PREFILL(TN, TT, 16, 64) PREFILL(TN, TT, 32, 64) PREFILL(TN, TT, 64, 64) PREFILL(TN, TT, 80, 64)                   \
    PREFILL(TN, TT, 96, 64) PREFILL(TN, TT, 112, 64) PREFILL(TN, TT, 128, 64) PREFILL(TN, TT, 256, 32)                \
    extern "C" __global__ void __launch_bounds__(256) decode_reduce_##TN(                                             \
        const float* part_acc, const float* part_ml, int q_heads, int splits, int head_dim, TT* out) {                \
        grid_dependency_sync();                                                                                       \
        decode_reduce_impl<TT>(part_acc, part_ml, q_heads, splits, head_dim, out);                                    \
    }

HEAD_DIMS(bf16, bf16)
HEAD_DIMS(f16, f16)
