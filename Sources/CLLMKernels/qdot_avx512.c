// AVX-512 VNNI dot products of Q4_0, Q4_1 and Q8_0 weight rows with up to eight 8-bit
// activation rows at once: two 32-element blocks per 512-bit instruction, each weight
// block pair loaded and unpacked once for all rows. Activations use a split layout
// (all q8 values of a row contiguous, then the block scales, then the block sums times
// scales) so a block pair is one 64-byte load.
//
// Every row is computed by the same instruction sequence whatever the number of rows in
// the call (block pairs into lanes 0-7 and 8-15 of one accumulator, offsets in two lanes
// of another, reduced in one fixed order), so a token's result does not depend on its
// neighbours: batch invariance.
#include "llm_kernels.h"
#include "kernels_internal.h"
#include <immintrin.h>
#include <math.h>

#define SIMD512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c")))

bool llm_has_avx512_vnni(void) {
    return llm_has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vnni");
}

size_t llm_q8_split_row_bytes(int64_t n) {
    size_t blocks = (size_t)(n / QK);
    return ((size_t)n + 2 * blocks * sizeof(float) + 63) & ~(size_t)63;
}

void llm_quantize_q8_split(const float *x, int64_t n, void *row) {
    int8_t *qs = row;
    float *d = (float *)(qs + n), *s = d + n / QK;
    for (int64_t b = 0; b < n / QK; b++) {
        float amax = 0;
        for (int j = 0; j < QK; j++) amax = fmaxf(amax, fabsf(x[b * QK + j]));
        float scale = amax / 127.0f, inverse = scale > 0 ? 1.0f / scale : 0.0f;
        int sum = 0;
        for (int j = 0; j < QK; j++) {
            int q = (int)lrintf(x[b * QK + j] * inverse);
            qs[b * QK + j] = (int8_t)q;
            sum += q;
        }
        d[b] = scale;
        s[b] = scale * (float)sum;
    }
}

/// Lanes 0-7 take element 0 of a 128-bit vector, lanes 8-15 element 1.
SIMD512 static inline __m512 spread_pair(__m128 v) {
    return _mm512_permutexvar_ps(_mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0), _mm512_castps128_ps512(v));
}

/// 64 nibbles of two 16-byte groups as [low(q0), high(q0), low(q1), high(q1)], matching
/// the element order of two consecutive activation blocks.
SIMD512 static inline __m512i unpack_pair(__m128i q0, __m128i q1) {
    __m256i lo = _mm256_set_m128i(q1, q0);
    __m512i z = _mm512_inserti64x4(_mm512_castsi256_si512(lo), _mm256_srli_epi16(lo, 4), 1);
    z = _mm512_shuffle_i64x2(z, z, _MM_SHUFFLE(3, 1, 2, 0));
    return _mm512_and_si512(z, _mm512_set1_epi8(0x0F));
}

/// One format's weight pair in the form the row loop consumes: unsigned operand `x`
/// (with `negate` marking lanes whose activation must change sign when the weights are
/// signed), per-block weight scales and offsets for lanes 0 and 1.
typedef struct {
    __m512i x;
    __mmask64 negate;
    __m128 scale, offset;
} weight_pair;

enum { PAIR_Q4_0, PAIR_Q4_1, PAIR_Q8_0 };

/// Blocks b and b+1 of a row (only b when `single`, the odd tail: the second half is zero).
SIMD512 static inline weight_pair load_pair(int format, const void *wv, int64_t b, bool single) {
    weight_pair p;
    p.negate = 0;
    p.offset = _mm_setzero_ps();
    if (format == PAIR_Q8_0) {
        const block_q8_0 *w = wv;
        __m256i lo = _mm256_loadu_si256((const __m256i *)w[b].qs);
        __m256i hi = single ? _mm256_setzero_si256() : _mm256_loadu_si256((const __m256i *)w[b + 1].qs);
        __m512i x = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
        p.negate = _mm512_movepi8_mask(x);
        p.x = _mm512_abs_epi8(x);
        p.scale = _mm_setr_ps(_cvtsh_ss(w[b].d), single ? 0.0f : _cvtsh_ss(w[b + 1].d), 0, 0);
    } else if (format == PAIR_Q4_0) {
        const block_q4_0 *w = wv;
        __m128i q1 = single ? _mm_set1_epi8((char)0x88) : _mm_loadu_si128((const __m128i *)w[b + 1].qs);
        __m512i x = _mm512_sub_epi8(unpack_pair(_mm_loadu_si128((const __m128i *)w[b].qs), q1), _mm512_set1_epi8(8));
        p.negate = _mm512_movepi8_mask(x);
        p.x = _mm512_abs_epi8(x);
        p.scale = _mm_setr_ps(_cvtsh_ss(w[b].d), single ? 0.0f : _cvtsh_ss(w[b + 1].d), 0, 0);
    } else {
        const block_q4_1 *w = wv;
        __m128i q1 = single ? _mm_setzero_si128() : _mm_loadu_si128((const __m128i *)w[b + 1].qs);
        p.x = unpack_pair(_mm_loadu_si128((const __m128i *)w[b].qs), q1);
        p.scale = _mm_setr_ps(_cvtsh_ss(w[b].d), single ? 0.0f : _cvtsh_ss(w[b + 1].d), 0, 0);
        p.offset = _mm_setr_ps(_cvtsh_ss(w[b].m), single ? 0.0f : _cvtsh_ss(w[b + 1].m), 0, 0);
    }
    return p;
}

/// `rows` activation rows (split layout, `stride` bytes apart) against one weight row.
SIMD512 static inline __attribute__((always_inline)) void dot_rows(int format, const void *w, const uint8_t *act, size_t stride,
                                                                  int64_t nb, int64_t n, int rows, float *out) {
    __m512 acc[8];
    __m128 off[8];
    for (int r = 0; r < rows; r++) { acc[r] = _mm512_setzero_ps(); off[r] = _mm_setzero_ps(); }
    for (int64_t b = 0; b < nb; b += 2) {
        bool single = b + 1 == nb;
        weight_pair p = load_pair(format, w, b, single);
        for (int r = 0; r < rows; r++) {
            const int8_t *qs = (const int8_t *)(act + (size_t)r * stride);
            const float *d = (const float *)(qs + n), *s = d + nb;
            __m512i y = single ? _mm512_zextsi256_si512(_mm256_loadu_si256((const __m256i *)(qs + b * QK)))
                               : _mm512_loadu_si512((const void *)(qs + b * QK));
            if (format != PAIR_Q4_1) y = _mm512_mask_sub_epi8(y, p.negate, _mm512_setzero_si512(), y);
            __m512i dot = _mm512_dpbusd_epi32(_mm512_setzero_si512(), p.x, y);
            __m128 da = single ? _mm_load_ss(d + b) : _mm_castpd_ps(_mm_load_sd((const double *)(d + b)));
            acc[r] = _mm512_fmadd_ps(spread_pair(_mm_mul_ps(p.scale, da)), _mm512_cvtepi32_ps(dot), acc[r]);
            if (format == PAIR_Q4_1) {
                __m128 sa = single ? _mm_load_ss(s + b) : _mm_castpd_ps(_mm_load_sd((const double *)(s + b)));
                off[r] = _mm_fmadd_ps(p.offset, sa, off[r]);
            }
        }
    }
    for (int r = 0; r < rows; r++) {
        float o[4];
        _mm_storeu_ps(o, off[r]);
        out[r] = _mm512_reduce_add_ps(acc[r]) + o[0] + o[1];
    }
}

#define ROWS_KERNEL(name, format)                                                                                   \
    SIMD512 static void name(const void *w, const void *act, size_t stride, int64_t n, int rows, float *out) {       \
        const int64_t nb = n / QK;                                                                                  \
        switch (rows) {                                                                                             \
        case 1: dot_rows(format, w, act, stride, nb, n, 1, out); break;                                             \
        case 2: dot_rows(format, w, act, stride, nb, n, 2, out); break;                                             \
        case 3: dot_rows(format, w, act, stride, nb, n, 3, out); break;                                             \
        case 4: dot_rows(format, w, act, stride, nb, n, 4, out); break;                                             \
        case 5: dot_rows(format, w, act, stride, nb, n, 5, out); break;                                             \
        case 6: dot_rows(format, w, act, stride, nb, n, 6, out); break;                                             \
        case 7: dot_rows(format, w, act, stride, nb, n, 7, out); break;                                             \
        default: dot_rows(format, w, act, stride, nb, n, 8, out); break;                                            \
        }                                                                                                           \
    }

ROWS_KERNEL(rows_q4_0, PAIR_Q4_0)
ROWS_KERNEL(rows_q4_1, PAIR_Q4_1)
ROWS_KERNEL(rows_q8_0, PAIR_Q8_0)

llm_qrows_fn llm_select_qrows(int w_type) {
    if (!llm_has_avx512_vnni()) return NULL;
    switch (w_type) {
    case LLM_Q4_0: return rows_q4_0;
    case LLM_Q4_1: return rows_q4_1;
    case LLM_Q8_0: return rows_q8_0;
    default: return NULL;
    }
}
