// Building blocks of the attention kernels (attention.cu): finding a token's sequence
// and a key's cache row, XOR-swizzled shared tiles, cp.async, ldmatrix and the
// m16n8k16 tensor-core product, and the online-softmax step.
#pragma once
#include "kv_fp8.cuh"

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
