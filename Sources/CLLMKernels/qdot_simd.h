// SIMD dot products of quantised weight rows with q8 activation rows. Included once
// per instruction set (qdot_avx2.c, qdot_vnni.c) with SIMD (the target attribute),
// SIMD_NAME (the function suffix) and optionally SIMD_VNNI defined, so each kernel is
// written once.
#include "llm_kernels.h"
#include "kernels_internal.h"
#include <immintrin.h>

SIMD static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// 32 nibbles of 16 bytes: low nibbles in the first 16 lanes, high in the last 16.
SIMD static inline __m256i unpack_nibbles(const uint8_t *q) {
    __m128i raw = _mm_loadu_si128((const __m128i *)q);
    __m256i both = _mm256_set_m128i(_mm_srli_epi16(raw, 4), raw);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

/// Sum of unsigned(x) * signed(y) over 32 bytes, as 8 int32 lanes.
SIMD static inline __m256i mul_sum_us8(__m256i x, __m256i y) {
#ifdef SIMD_VNNI
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), x, y);
#else
    return _mm256_madd_epi16(_mm256_maddubs_epi16(x, y), _mm256_set1_epi16(1));
#endif
}

/// Sum of signed(x) * signed(y) over 32 bytes: maddubs needs one unsigned operand, so
/// the sign of x moves onto y.
SIMD static inline __m256i mul_sum_i8(__m256i x, __m256i y) {
    return mul_sum_us8(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
}

// Two blocks per iteration into two accumulators, so consecutive FMAs do not wait on
// each other's latency.
SIMD static inline __m256 q4_0_block(const block_q4_0 *w, const block_q8_act *a, __m256 acc) {
    __m256i x = _mm256_sub_epi8(unpack_nibbles(w->qs), _mm256_set1_epi8(8));
    __m256i p = mul_sum_i8(x, _mm256_loadu_si256((const __m256i *)a->qs));
    return _mm256_fmadd_ps(_mm256_set1_ps(_cvtsh_ss(w->d) * a->d), _mm256_cvtepi32_ps(p), acc);
}

SIMD static inline __m256 q4_1_block(const block_q4_1 *w, const block_q8_act *a, __m256 acc) {
    __m256i p = mul_sum_us8(unpack_nibbles(w->qs), _mm256_loadu_si256((const __m256i *)a->qs));
    return _mm256_fmadd_ps(_mm256_set1_ps(_cvtsh_ss(w->d) * a->d), _mm256_cvtepi32_ps(p), acc);
}

SIMD static inline __m256 q8_0_block(const block_q8_0 *w, const block_q8_act *a, __m256 acc) {
    __m256i p = mul_sum_i8(_mm256_loadu_si256((const __m256i *)w->qs), _mm256_loadu_si256((const __m256i *)a->qs));
    return _mm256_fmadd_ps(_mm256_set1_ps(_cvtsh_ss(w->d) * a->d), _mm256_cvtepi32_ps(p), acc);
}

#define UNROLLED_DOT(block_fn, w, a, nb, acc0, acc1)               \
    int64_t b = 0;                                                 \
    for (; b + 2 <= nb; b += 2) {                                  \
        acc0 = block_fn(&w[b], &a[b], acc0);                       \
        acc1 = block_fn(&w[b + 1], &a[b + 1], acc1);               \
    }                                                              \
    if (b < nb) acc0 = block_fn(&w[b], &a[b], acc0);

SIMD static float SIMD_NAME(dot_q4_0)(const void *wv, const void *av, int64_t nb) {
    const block_q4_0 *w = wv; const block_q8_act *a = av;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    UNROLLED_DOT(q4_0_block, w, a, nb, acc0, acc1)
    return hsum8(_mm256_add_ps(acc0, acc1));
}

SIMD static float SIMD_NAME(dot_q4_1)(const void *wv, const void *av, int64_t nb) {
    const block_q4_1 *w = wv; const block_q8_act *a = av;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    // Each block's offset m * (d_a * sum(q_a)) joins two scalar chains in the same loop,
    // where it overlaps the vector work instead of forming a serial loop of its own.
    float off0 = 0, off1 = 0;
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2) {
        acc0 = q4_1_block(&w[b], &a[b], acc0);
        off0 += _cvtsh_ss(w[b].m) * a[b].s;
        acc1 = q4_1_block(&w[b + 1], &a[b + 1], acc1);
        off1 += _cvtsh_ss(w[b + 1].m) * a[b + 1].s;
    }
    if (b < nb) {
        acc0 = q4_1_block(&w[b], &a[b], acc0);
        off0 += _cvtsh_ss(w[b].m) * a[b].s;
    }
    return hsum8(_mm256_add_ps(acc0, acc1)) + off0 + off1;
}

SIMD static float SIMD_NAME(dot_q8_0)(const void *wv, const void *av, int64_t nb) {
    const block_q8_0 *w = wv; const block_q8_act *a = av;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    UNROLLED_DOT(q8_0_block, w, a, nb, acc0, acc1)
    return hsum8(_mm256_add_ps(acc0, acc1));
}

// Four activation rows against one weight row: each weight block is loaded and unpacked
// once for all four (prefill, batched decode), the part of the work that does not depend
// on the row. Each row accumulates exactly as the one-row kernels above do (even blocks
// into one accumulator, odd into another, offsets in two chains, summed in the same
// order), so a token's result is bit-identical whether it is computed alone or beside
// others: batch invariance.
// `unpack_weight` and `offset_term` name the block being processed `blk`.
#define DOT4_BLOCK(index, acc, off, unpack_weight, mul_sum, offset_term)                      \
    {                                                                                           \
        const int64_t blk = (index);                                                            \
        __m256i x = unpack_weight;                                                              \
        float dw = _cvtsh_ss(w[blk].d);                                                         \
        for (int r = 0; r < 4; r++) {                                                           \
            const block_q8_act *a = (const block_q8_act *)((const uint8_t *)av + r * stride) + blk; \
            __m256i p = mul_sum(x, _mm256_loadu_si256((const __m256i *)a->qs));                 \
            acc[r] = _mm256_fmadd_ps(_mm256_set1_ps(dw * a->d), _mm256_cvtepi32_ps(p), acc[r]); \
            off[r] += offset_term;                                                              \
        }                                                                                       \
    }

#define DOT4_BODY(unpack_weight, mul_sum, offset_term, finish)                                 \
    __m256 acc0[4], acc1[4];                                                                    \
    float off0[4] = {0, 0, 0, 0}, off1[4] = {0, 0, 0, 0};                                       \
    for (int r = 0; r < 4; r++) acc0[r] = acc1[r] = _mm256_setzero_ps();                        \
    int64_t b = 0;                                                                              \
    for (; b + 2 <= nb; b += 2) {                                                               \
        DOT4_BLOCK(b, acc0, off0, unpack_weight, mul_sum, offset_term)                          \
        DOT4_BLOCK(b + 1, acc1, off1, unpack_weight, mul_sum, offset_term)                      \
    }                                                                                           \
    if (b < nb) DOT4_BLOCK(b, acc0, off0, unpack_weight, mul_sum, offset_term)                  \
    for (int r = 0; r < 4; r++) out[r] = finish;

#define SUM_ONLY hsum8(_mm256_add_ps(acc0[r], acc1[r]))
#define SUM_AND_OFFSETS hsum8(_mm256_add_ps(acc0[r], acc1[r])) + off0[r] + off1[r]

SIMD static void SIMD_NAME(dot4_q4_0)(const void *wv, const void *av, size_t stride, int64_t nb, float *out) {
    const block_q4_0 *w = wv;
    DOT4_BODY(_mm256_sub_epi8(unpack_nibbles(w[blk].qs), _mm256_set1_epi8(8)), mul_sum_i8, 0.0f, SUM_ONLY)
}

SIMD static void SIMD_NAME(dot4_q4_1)(const void *wv, const void *av, size_t stride, int64_t nb, float *out) {
    const block_q4_1 *w = wv;
    DOT4_BODY(unpack_nibbles(w[blk].qs), mul_sum_us8, _cvtsh_ss(w[blk].m) * a->s, SUM_AND_OFFSETS)
}

SIMD static void SIMD_NAME(dot4_q8_0)(const void *wv, const void *av, size_t stride, int64_t nb, float *out) {
    const block_q8_0 *w = wv;
    DOT4_BODY(_mm256_loadu_si256((const __m256i *)w[blk].qs), mul_sum_i8, 0.0f, SUM_ONLY)
}

SIMD static float SIMD_NAME(dot_q4_K)(const void *wv, const void *av, int64_t nb) {
    const block_q4_K *w = wv; const block_q8_K *a = av;
    __m256 acc = _mm256_setzero_ps();
    float mins = 0;
    const __m256i low = _mm256_set1_epi8(0x0F);
    for (int64_t b = 0; b < nb; b++) {
        uint8_t sc[8], m[8];
        for (int j = 0; j < 8; j++) k_scale_min(j, w[b].scales, &sc[j], &m[j]);
        int32_t summ = 0;
        for (int j = 0; j < 8; j++) summ += m[j] * (a[b].bsums[2 * j] + a[b].bsums[2 * j + 1]);
        __m256i sumi = _mm256_setzero_si256();
        const uint8_t *q = w[b].qs;
        const int8_t *y = a[b].qs;
        for (int j = 0; j < 4; j++, q += 32, y += 64) {
            __m256i raw = _mm256_loadu_si256((const __m256i *)q);
            __m256i lo = _mm256_and_si256(raw, low);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(raw, 4), low);
            __m256i p0 = mul_sum_us8(lo, _mm256_loadu_si256((const __m256i *)y));
            __m256i p1 = mul_sum_us8(hi, _mm256_loadu_si256((const __m256i *)(y + 32)));
            sumi = _mm256_add_epi32(sumi, _mm256_mullo_epi32(p0, _mm256_set1_epi32(sc[2 * j])));
            sumi = _mm256_add_epi32(sumi, _mm256_mullo_epi32(p1, _mm256_set1_epi32(sc[2 * j + 1])));
        }
        float d = _cvtsh_ss(w[b].d) * a[b].d;
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
        mins += _cvtsh_ss(w[b].dmin) * a[b].d * (float)summ;
    }
    return hsum8(acc) - mins;
}

SIMD static float SIMD_NAME(dot_q6_K)(const void *wv, const void *av, int64_t nb) {
    const block_q6_K *w = wv; const block_q8_K *a = av;
    __m256 acc = _mm256_setzero_ps();
    float corrections = 0;
    const __m256i low = _mm256_set1_epi8(0x0F), two = _mm256_set1_epi8(3);
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *ql = w[b].ql, *qh = w[b].qh;
        const int8_t *sc = w[b].scales, *y = a[b].qs;
        __m256i sumi = _mm256_setzero_si256();
        int32_t offset = 0; // sum of 32 * scale * y, removed at the end
        for (int g = 0; g < 16; g++) offset += sc[g] * a[b].bsums[g];
        for (int half = 0; half < 2; half++, ql += 64, qh += 32, sc += 8, y += 128) {
            __m256i l0 = _mm256_loadu_si256((const __m256i *)ql);
            __m256i l1 = _mm256_loadu_si256((const __m256i *)(ql + 32));
            __m256i h = _mm256_loadu_si256((const __m256i *)qh);
            __m256i q[4];
            q[0] = _mm256_or_si256(_mm256_and_si256(l0, low), _mm256_slli_epi16(_mm256_and_si256(h, two), 4));
            q[1] = _mm256_or_si256(_mm256_and_si256(l1, low), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 2), two), 4));
            q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 4), two), 4));
            q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 6), two), 4));
            for (int k = 0; k < 4; k++) {
                // 32 values of group k: the first 16 use scale sc[2k], the last 16 sc[2k+1].
                __m256i p16 = _mm256_maddubs_epi16(q[k], _mm256_loadu_si256((const __m256i *)(y + 32 * k)));
                __m256i scales = _mm256_set_m128i(_mm_set1_epi16(sc[2 * k + 1]), _mm_set1_epi16(sc[2 * k]));
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p16, scales));
            }
        }
        float d = a[b].d * _cvtsh_ss(w[b].d);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
        corrections += d * 32.0f * (float)offset;
    }
    return hsum8(acc) - corrections;
}
