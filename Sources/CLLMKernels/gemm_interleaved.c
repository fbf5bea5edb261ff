// Quantised matrix products with weights repacked into groups of 16 rows. On AVX-512 VNNI
// one VPDPBUSD multiplies four activation bytes of one token (broadcast) with four weight
// bytes of each of 16 rows, so every lane accumulates a different output row and no
// horizontal sums are needed; a group's weights for one 32-element block are loaded and
// unpacked once for up to eight tokens. On AVX2 each half of a group, 8 rows, takes
// VPMADDUBSW + VPMADDWD for the same four-byte sums, for up to four tokens; Q8_0's
// unsigned bytes u would saturate VPMADDUBSW's 16-bit pair sums (2 x 255 x 127), so
// there each byte is split into nibbles, u = 16 hi + lo, and the two sums combined in
// 32 bits: the same exact integer as VPDPBUSD's.
//
// Layout, per group of 16 rows and per block: the weights as unsigned bytes in eight
// 64-byte vectors (vector k, lane r = elements 4k..4k+3 of row r; Q4 formats keep two
// vectors per 64 bytes, in the low and high nibbles), then 16 f16 scales d, then 16 f16
// offsets m. Every format becomes value = d * u + m per element's block sum: Q4_1 as is,
// Q4_0 with u = nibble and m = -8d, Q8_0 with u = q + 128 and m = -128d. A block then
// contributes d * da * sum(u * qa) + m * sa, where qa are the token's 8-bit values, da
// their scale and sa = da * sum(qa).
//
// Each output row is computed by the same sequence of operations whatever the number of
// tokens in the call (integer sums are exact; the float accumulation runs block by block
// in one order), so a token's result does not depend on its neighbours: batch invariance.
// The AVX2 kernel runs the AVX-512 one's float operations lane for lane, so both give the
// same results.
#include "llm_kernels.h"
#include "kernels_internal.h"
#include <immintrin.h>
#include <math.h>
#include <stdlib.h>

#define SIMD512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c")))
#define SIMD256 __attribute__((target("avx2,fma,f16c")))
#define GROUP 16
#define TILE 8
/// Tokens per AVX2 call: their sums, accumulators and two weight vectors fit the 16
/// registers.
#define TILE_AVX2 4
/// Blocks ahead of the one being computed whose weights are prefetched (5-9 KiB): the
/// weights stream from memory, and without it the loop waits on every new line. The
/// AVX-512 kernel asks for them in L2 only: L1 holds the tile's activations (16 rows of
/// 1536 values fill 30 KiB) and the group's weights, which lines fetched ahead into L1
/// would evict (Zen 4, 16 tokens: Q8_0 107 -> 136 GMAC/s, Q4_1 132 -> 143).
#define PREFETCH_BLOCKS 16

bool llm_has_avx512_vnni(void) {
    return llm_has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vnni");
}

static bool nibble_format(int type) { return type == LLM_Q4_0 || type == LLM_Q4_1; }
static size_t weight_bytes(int type) { return nibble_format(type) ? GROUP * QK / 2 : GROUP * QK; }
static size_t group_block_bytes(int type) { return weight_bytes(type) + 2 * GROUP * sizeof(uint16_t); }

/// Whether this CPU runs the AVX-512 VNNI (or the AVX2) kernel for `type`.
static bool kernel_runs(bool vnni, int type) {
    return (vnni ? llm_has_avx512_vnni() : llm_has_avx2()) && (nibble_format(type) || type == LLM_Q8_0);
}

/// Formats with an interleaved kernel on this CPU (the best variant it runs).
static bool interleaved_format(int type) { return kernel_runs(llm_has_avx512_vnni(), type); }

size_t llm_interleaved_bytes(int w_type, int64_t rows, int64_t in) {
    if (!interleaved_format(w_type) || rows % GROUP != 0 || in % QK != 0) return 0;
    return (size_t)(rows / GROUP) * (size_t)(in / QK) * group_block_bytes(w_type);
}

/// Unsigned values u, scale d and offset m of block `b` of one row.
static void unpack_block(int type, const uint8_t *row, int64_t b, uint8_t *u, float *d, float *m) {
    if (type == LLM_Q8_0) {
        const block_q8_0 *blk = (const block_q8_0 *)row + b;
        for (int j = 0; j < QK; j++) u[j] = (uint8_t)(blk->qs[j] + 128);
        *d = llm_fp16_to_fp32(blk->d);
        *m = -128.0f * *d;
        return;
    }
    const uint8_t *qs;
    if (type == LLM_Q4_0) {
        const block_q4_0 *blk = (const block_q4_0 *)row + b;
        qs = blk->qs;
        *d = llm_fp16_to_fp32(blk->d);
        *m = -8.0f * *d;
    } else {
        const block_q4_1 *blk = (const block_q4_1 *)row + b;
        qs = blk->qs;
        *d = llm_fp16_to_fp32(blk->d);
        *m = llm_fp16_to_fp32(blk->m);
    }
    for (int j = 0; j < QK / 2; j++) {
        u[j] = qs[j] & 0xF;
        u[j + QK / 2] = qs[j] >> 4;
    }
}

bool llm_interleave_weights(int w_type, const void *w, int64_t rows, int64_t in, void *out) {
    if (llm_interleaved_bytes(w_type, rows, in) == 0) return false;
    const int64_t nb = in / QK;
    const size_t row_bytes = llm_row_bytes(w_type, in), gbb = group_block_bytes(w_type), wb = weight_bytes(w_type);
    for (int64_t g = 0; g < rows / GROUP; g++) {
        for (int64_t b = 0; b < nb; b++) {
            uint8_t *dst = (uint8_t *)out + ((size_t)g * nb + b) * gbb;
            uint16_t *scales = (uint16_t *)(dst + wb), *offsets = scales + GROUP;
            for (int r = 0; r < GROUP; r++) {
                uint8_t u[QK];
                float d, m;
                unpack_block(w_type, (const uint8_t *)w + (size_t)(g * GROUP + r) * row_bytes, b, u, &d, &m);
                // -8d and -128d are exact in f16 (power-of-two multiples of an f16 value).
                scales[r] = llm_fp32_to_fp16(d);
                offsets[r] = llm_fp32_to_fp16(m);
                for (int k = 0; k < QK / 4; k++) {
                    for (int j = 0; j < 4; j++) {
                        uint8_t value = u[4 * k + j];
                        if (nibble_format(w_type)) {
                            // Vectors 2i and 2i+1 share bytes 64i...: low and high nibbles.
                            uint8_t *byte = dst + (size_t)(k / 2) * 64 + 4 * r + j;
                            *byte = k % 2 == 0 ? (uint8_t)((*byte & 0xF0) | value) : (uint8_t)((*byte & 0x0F) | (value << 4));
                        } else {
                            dst[(size_t)k * 64 + 4 * r + j] = value;
                        }
                    }
                }
            }
        }
    }
    return true;
}

size_t llm_q8_split_row_bytes(int64_t n) {
    return ((size_t)n + 2 * (size_t)(n / QK) * sizeof(float) + 63) & ~(size_t)63;
}

/// Lane-wise max |x| over one block of 32 values (eight lanes left to reduce).
SIMD256 static inline __m256 block_abs_max(const float *x) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_setzero_ps();
    for (int i = 0; i < 4; i++) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + 8 * i)));
    return m;
}

/// q = x * inverse rounded to nearest even, stored as 32 bytes in order; returns the
/// lane sums of q (eight lanes left to add).
SIMD256 static inline __m256i round_block(const float *x, __m256 inverse, int8_t *qs) {
    __m256i q[4], total = _mm256_setzero_si256();
    for (int i = 0; i < 4; i++) {
        q[i] = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 8 * i), inverse));
        total = _mm256_add_epi32(total, q[i]);
    }
    // Packing interleaves 128-bit lanes; the permute puts the 32 bytes back in order.
    __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
    bytes = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256((__m256i *)qs, bytes);
    return total;
}

/// One block of 32 values: the same operations as the scalar loop (max |x|, d = max/127,
/// q = round-to-nearest-even(x / d), exact integer sum), eight lanes at a time, so the
/// results are identical.
SIMD256 static inline void quantize_block_avx2(const float *x, int8_t *qs, float *d, float *s) {
    const __m256 m = block_abs_max(x);
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    const float amax = _mm_cvtss_f32(m4), scale = amax / 127.0f, inverse = scale > 0 ? 1.0f / scale : 0.0f;
    const __m256i total = round_block(x, _mm256_set1_ps(inverse), qs);
    __m128i t = _mm_add_epi32(_mm256_castsi256_si128(total), _mm256_extracti128_si256(total, 1));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(1, 0, 3, 2)));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(2, 3, 0, 1)));
    *d = scale;
    *s = scale * (float)_mm_cvtsi128_si32(t);
}

/// Lane i of the result is the largest of lanes 2i, 2i+1 of a and b (hadd's layout).
SIMD256 static inline __m256 pair_max(__m256 a, __m256 b) {
    return _mm256_max_ps(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)), _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
}

/// Eight consecutive blocks: quantize_block_avx2's operations, with the eight maxima
/// reduced together and their scales and inverses computed in one vector, so no block
/// waits on its own reduction and divisions. The same results for every input without
/// NaN (VMAXPS drops the side a NaN is on, and the two reduce lanes in other orders).
SIMD256 static inline void quantize_8_blocks_avx2(const float *x, int8_t *qs, float *d, float *s) {
    __m256 m[8];
    for (int b = 0; b < 8; b++) m[b] = block_abs_max(x + QK * b);
    const __m256 low = pair_max(pair_max(m[0], m[1]), pair_max(m[2], m[3])), high = pair_max(pair_max(m[4], m[5]), pair_max(m[6], m[7]));
    // Lanes 0-3 of low hold blocks 0-3's halves 0-3 of the maximum, lanes 4-7 the rest.
    const __m256 amax = _mm256_max_ps(_mm256_permute2f128_ps(low, high, 0x20), _mm256_permute2f128_ps(low, high, 0x31));
    const __m256 scale = _mm256_div_ps(amax, _mm256_set1_ps(127.0f));
    const __m256 inverse = _mm256_and_ps(_mm256_div_ps(_mm256_set1_ps(1.0f), scale), _mm256_cmp_ps(scale, _mm256_setzero_ps(), _CMP_GT_OQ));
    __m256i totals[8];
    for (int b = 0; b < 8; b++) totals[b] = round_block(x + QK * b, _mm256_permutevar8x32_ps(inverse, _mm256_set1_epi32(b)), qs + QK * b);
    // Eight lane sums in one vector: hadd pairs, as for the maxima.
    const __m256i t01 = _mm256_hadd_epi32(totals[0], totals[1]), t23 = _mm256_hadd_epi32(totals[2], totals[3]);
    const __m256i t45 = _mm256_hadd_epi32(totals[4], totals[5]), t67 = _mm256_hadd_epi32(totals[6], totals[7]);
    const __m256i lo = _mm256_hadd_epi32(t01, t23), hi = _mm256_hadd_epi32(t45, t67);
    const __m256i sums = _mm256_add_epi32(_mm256_permute2x128_si256(lo, hi, 0x20), _mm256_permute2x128_si256(lo, hi, 0x31));
    _mm256_storeu_ps(d, scale);
    _mm256_storeu_ps(s, _mm256_mul_ps(scale, _mm256_cvtepi32_ps(sums)));
}

void llm_quantize_q8_split(const float *x, int64_t n, void *row) {
    int8_t *qs = row;
    float *d = (float *)(qs + n), *s = d + n / QK;
    // Only called where the interleaved kernel runs, so AVX2 is present.
    int64_t b = 0;
    for (; b + 8 <= n / QK; b += 8) quantize_8_blocks_avx2(x + b * QK, qs + b * QK, d + b, s + b);
    for (; b < n / QK; b++) quantize_block_avx2(x + b * QK, qs + b * QK, d + b, s + b);
}

/// One group of 16 rows against `tokens` (1...TILE) activation rows in the split layout.
SIMD512 static inline __attribute__((always_inline)) void group_tile(bool nibbles, const uint8_t *wg, int64_t nb, size_t gbb,
                                                                    size_t wb, const uint8_t *act, size_t stride, int64_t n,
                                                                    int tokens, __m512 *acc) {
    for (int t = 0; t < tokens; t++) acc[t] = _mm512_setzero_ps();
    const __m512i low = _mm512_set1_epi8(0x0F);
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *blk = wg + (size_t)b * gbb;
        // Past the end of the weights this is a harmless hint (prefetches never fault).
        for (size_t line = 0; line < gbb; line += 64) _mm_prefetch((const char *)(blk + PREFETCH_BLOCKS * gbb + line), _MM_HINT_T1);
        __m512i w[8];
        if (nibbles) {
            for (int i = 0; i < 4; i++) {
                __m512i packed = _mm512_loadu_si512((const void *)(blk + 64 * i));
                w[2 * i] = _mm512_and_si512(packed, low);
                w[2 * i + 1] = _mm512_and_si512(_mm512_srli_epi16(packed, 4), low);
            }
        } else {
            for (int k = 0; k < 8; k++) w[k] = _mm512_loadu_si512((const void *)(blk + 64 * k));
        }
        __m512 scale = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(blk + wb)));
        __m512 offset = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(blk + wb + 32)));
        for (int t = 0; t < tokens; t++) {
            const int8_t *qs = (const int8_t *)(act + (size_t)t * stride);
            const float *d = (const float *)(qs + n), *s = d + n / QK;
            const int32_t *a = (const int32_t *)(qs + b * QK);
            // Two chains, so consecutive multiply-adds do not wait on each other.
            __m512i even = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w[0], _mm512_set1_epi32(a[0]));
            __m512i odd = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w[1], _mm512_set1_epi32(a[1]));
            for (int k = 2; k < 8; k += 2) {
                even = _mm512_dpbusd_epi32(even, w[k], _mm512_set1_epi32(a[k]));
                odd = _mm512_dpbusd_epi32(odd, w[k + 1], _mm512_set1_epi32(a[k + 1]));
            }
            __m512 dot = _mm512_cvtepi32_ps(_mm512_add_epi32(even, odd));
            acc[t] = _mm512_fmadd_ps(dot, _mm512_mul_ps(scale, _mm512_set1_ps(d[b])), acc[t]);
            acc[t] = _mm512_fmadd_ps(offset, _mm512_set1_ps(s[b]), acc[t]);
        }
    }
}

#define TILE_CASES(nibbles)                                                                              \
    switch (count) {                                                                                     \
    case 1: group_tile(nibbles, wg, nb, gbb, wb, at, stride, in, 1, acc); break;                         \
    case 2: group_tile(nibbles, wg, nb, gbb, wb, at, stride, in, 2, acc); break;                         \
    case 3: group_tile(nibbles, wg, nb, gbb, wb, at, stride, in, 3, acc); break;                         \
    case 4: group_tile(nibbles, wg, nb, gbb, wb, at, stride, in, 4, acc); break;                         \
    case 5: group_tile(nibbles, wg, nb, gbb, wb, at, stride, in, 5, acc); break;                         \
    case 6: group_tile(nibbles, wg, nb, gbb, wb, at, stride, in, 6, acc); break;                         \
    case 7: group_tile(nibbles, wg, nb, gbb, wb, at, stride, in, 7, acc); break;                         \
    default: group_tile(nibbles, wg, nb, gbb, wb, at, stride, in, 8, acc); break;                        \
    }

/// One group against `count` (1...TILE) tokens: result k * GROUP + r is token k's row r.
SIMD512 static void tile_vnni(int w_type, const uint8_t *wg, int64_t nb, size_t gbb, size_t wb, const uint8_t *at, size_t stride,
                              int64_t in, int count, float *result) {
    __m512 acc[TILE];
    if (nibble_format(w_type)) { TILE_CASES(true) } else { TILE_CASES(false) }
    for (int k = 0; k < count; k++) _mm512_storeu_ps(result + k * GROUP, acc[k]);
}

/// Rows 8h...8h+7 of one group against `tokens` (1...TILE_AVX2) activation rows: bytes
/// 32h... of each 64-byte vector of the layout (Q4 formats with `nibbles`, else Q8_0).
SIMD256 static inline __attribute__((always_inline)) void half_group_tile(bool nibbles, const uint8_t *wg, int64_t nb, size_t gbb,
                                                                         size_t wb, int h, const uint8_t *act, size_t stride,
                                                                         int64_t n, int tokens, __m256 *acc) {
    for (int t = 0; t < tokens; t++) acc[t] = _mm256_setzero_ps();
    const __m256i low = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1), sixteen = _mm256_set1_epi16(16);
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *blk = wg + (size_t)b * gbb;
        // The second half finds the group's blocks in cache.
        if (h == 0) {
            for (size_t line = 0; line < gbb; line += 64) _mm_prefetch((const char *)(blk + PREFETCH_BLOCKS * gbb + line), _MM_HINT_T0);
        }
        // The eight pair sums of one lane stay within 16 bits (8 x 2 x 15 x 127 = 30480), so
        // they are added as int16 and widened once per block (Q8_0: the low and the high
        // nibbles' sums each).
        __m256i sum[TILE_AVX2], high[TILE_AVX2];
        for (int t = 0; t < tokens; t++) sum[t] = high[t] = _mm256_setzero_si256();
        for (int i = 0; i < (nibbles ? 4 : 8); i++) {
            const __m256i packed = _mm256_loadu_si256((const __m256i *)(blk + 64 * i + 32 * h));
            const __m256i w0 = _mm256_and_si256(packed, low), w1 = _mm256_and_si256(_mm256_srli_epi16(packed, 4), low);
            for (int t = 0; t < tokens; t++) {
                const int32_t *a = (const int32_t *)(act + (size_t)t * stride + b * QK);
                if (nibbles) {
                    const __m256i p0 = _mm256_maddubs_epi16(w0, _mm256_set1_epi32(a[2 * i]));
                    const __m256i p1 = _mm256_maddubs_epi16(w1, _mm256_set1_epi32(a[2 * i + 1]));
                    sum[t] = _mm256_add_epi16(sum[t], _mm256_add_epi16(p0, p1));
                } else {
                    const __m256i four = _mm256_set1_epi32(a[i]);
                    sum[t] = _mm256_add_epi16(sum[t], _mm256_maddubs_epi16(w0, four));
                    high[t] = _mm256_add_epi16(high[t], _mm256_maddubs_epi16(w1, four));
                }
            }
        }
        for (int t = 0; t < tokens; t++) {
            sum[t] = _mm256_madd_epi16(sum[t], ones);
            if (!nibbles) sum[t] = _mm256_add_epi32(sum[t], _mm256_madd_epi16(high[t], sixteen));
        }
        const __m256 scale = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(blk + wb + 16 * h)));
        const __m256 offset = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(blk + wb + 32 + 16 * h)));
        for (int t = 0; t < tokens; t++) {
            const float *d = (const float *)(act + (size_t)t * stride + n), *s = d + n / QK;
            acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum[t]), _mm256_mul_ps(scale, _mm256_set1_ps(d[b])), acc[t]);
            acc[t] = _mm256_fmadd_ps(offset, _mm256_set1_ps(s[b]), acc[t]);
        }
    }
}

#define HALF_TILE_CASES(nibbles)                                                                         \
    switch (count) {                                                                                     \
    case 1: half_group_tile(nibbles, wg, nb, gbb, wb, h, at, stride, in, 1, acc); break;                 \
    case 2: half_group_tile(nibbles, wg, nb, gbb, wb, h, at, stride, in, 2, acc); break;                 \
    case 3: half_group_tile(nibbles, wg, nb, gbb, wb, h, at, stride, in, 3, acc); break;                 \
    default: half_group_tile(nibbles, wg, nb, gbb, wb, h, at, stride, in, 4, acc); break;                \
    }

/// tile_vnni's work on AVX2, up to TILE_AVX2 tokens, one half of the group after the other.
SIMD256 static void tile_avx2(int w_type, const uint8_t *wg, int64_t nb, size_t gbb, size_t wb, const uint8_t *at, size_t stride,
                              int64_t in, int count, float *result) {
    for (int h = 0; h < 2; h++) {
        __m256 acc[TILE_AVX2];
        if (nibble_format(w_type)) { HALF_TILE_CASES(true) } else { HALF_TILE_CASES(false) }
        for (int k = 0; k < count; k++) _mm256_storeu_ps(result + k * GROUP + 8 * h, acc[k]);
    }
}

static void gemm_interleaved(bool vnni, int w_type, const void *w, int64_t rows, int64_t in, int64_t first_group, int64_t end_group,
                             const void *act, size_t stride, int64_t tokens, const float *bias, float *out) {
    const int tile = vnni ? TILE : TILE_AVX2;
    const int64_t nb = in / QK;
    const size_t gbb = group_block_bytes(w_type), wb = weight_bytes(w_type);
    for (int64_t g = first_group; g < end_group; g++) {
        const uint8_t *wg = (const uint8_t *)w + (size_t)g * (size_t)nb * gbb;
        for (int64_t t = 0; t < tokens; t += tile) {
            const int count = (int)llm_min64(tile, tokens - t);
            const uint8_t *at = (const uint8_t *)act + (size_t)t * stride;
            float result[TILE * GROUP];
            if (vnni) tile_vnni(w_type, wg, nb, gbb, wb, at, stride, in, count, result);
            else tile_avx2(w_type, wg, nb, gbb, wb, at, stride, in, count, result);
            float *o = out + t * rows + g * GROUP;
            for (int k = 0; k < count; k++) {
                for (int r = 0; r < GROUP; r++) o[k * rows + r] = result[k * GROUP + r] + (bias ? bias[g * GROUP + r] : 0.0f);
            }
        }
    }
}

void llm_gemm_interleaved(int w_type, const void *w, int64_t rows, int64_t in, int64_t first_group, int64_t end_group,
                          const void *act, size_t stride, int64_t tokens, const float *bias, float *out) {
    gemm_interleaved(llm_has_avx512_vnni(), w_type, w, rows, in, first_group, end_group, act, stride, tokens, bias, out);
}

bool llm_interleaved_product(int variant, int w_type, const void *w, int64_t rows, int64_t in, const float *x, int64_t tokens,
                             float *out) {
    const bool vnni = variant == LLM_KERNELS_VNNI;
    if ((!vnni && variant != LLM_KERNELS_AVX2) || !kernel_runs(vnni, w_type)) return false;
    if (rows % GROUP != 0 || in % QK != 0 || tokens < 1) return false;
    const size_t stride = llm_q8_split_row_bytes(in);
    uint8_t *act = aligned_alloc(64, stride * (size_t)tokens);
    if (!act) return false;
    for (int64_t t = 0; t < tokens; t++) llm_quantize_q8_split(x + t * in, in, act + (size_t)t * stride);
    gemm_interleaved(vnni, w_type, w, rows, in, 0, rows / GROUP, act, stride, tokens, NULL, out);
    free(act);
    return true;
}
