// Dot products of a quantised weight row with a q8-quantised activation row. Each
// format has a portable version and an AVX2 version chosen at run time.
#include "llm_kernels.h"
#include "kernels_internal.h"
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma,f16c")))

bool llm_has_avx2(void) {
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
}

// ---- portable ----

static float dot_q4_0(const void *wv, const void *av, int64_t nb) {
    const block_q4_0 *w = wv; const block_q8_act *a = av;
    float sum = 0;
    for (int64_t b = 0; b < nb; b++) {
        int s = 0;
        for (int j = 0; j < QK / 2; j++)
            s += ((w[b].qs[j] & 0xF) - 8) * a[b].qs[j] + ((w[b].qs[j] >> 4) - 8) * a[b].qs[j + QK / 2];
        sum += llm_fp16_to_fp32(w[b].d) * a[b].d * (float)s;
    }
    return sum;
}

static float dot_q4_1(const void *wv, const void *av, int64_t nb) {
    const block_q4_1 *w = wv; const block_q8_act *a = av;
    float sum = 0;
    for (int64_t b = 0; b < nb; b++) {
        int s = 0;
        for (int j = 0; j < QK / 2; j++)
            s += (w[b].qs[j] & 0xF) * a[b].qs[j] + (w[b].qs[j] >> 4) * a[b].qs[j + QK / 2];
        sum += llm_fp16_to_fp32(w[b].d) * a[b].d * (float)s + llm_fp16_to_fp32(w[b].m) * a[b].s;
    }
    return sum;
}

static float dot_q8_0(const void *wv, const void *av, int64_t nb) {
    const block_q8_0 *w = wv; const block_q8_act *a = av;
    float sum = 0;
    for (int64_t b = 0; b < nb; b++) {
        int s = 0;
        for (int j = 0; j < QK; j++) s += w[b].qs[j] * a[b].qs[j];
        sum += llm_fp16_to_fp32(w[b].d) * a[b].d * (float)s;
    }
    return sum;
}

static float dot_q4_K(const void *wv, const void *av, int64_t nb) {
    const block_q4_K *w = wv; const block_q8_K *a = av;
    float sum = 0;
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *q = w[b].qs;
        const int8_t *y = a[b].qs;
        int32_t sumq = 0, summ = 0;
        for (int j = 0; j < 4; j++, q += 32, y += 64) {
            uint8_t sc0, m0, sc1, m1;
            k_scale_min(2 * j, w[b].scales, &sc0, &m0);
            k_scale_min(2 * j + 1, w[b].scales, &sc1, &m1);
            int s0 = 0, s1 = 0;
            for (int l = 0; l < 32; l++) { s0 += (q[l] & 0xF) * y[l]; s1 += (q[l] >> 4) * y[l + 32]; }
            sumq += sc0 * s0 + sc1 * s1;
            summ += m0 * (a[b].bsums[4 * j] + a[b].bsums[4 * j + 1]) + m1 * (a[b].bsums[4 * j + 2] + a[b].bsums[4 * j + 3]);
        }
        sum += a[b].d * (llm_fp16_to_fp32(w[b].d) * (float)sumq - llm_fp16_to_fp32(w[b].dmin) * (float)summ);
    }
    return sum;
}

static float dot_q6_K(const void *wv, const void *av, int64_t nb) {
    const block_q6_K *w = wv; const block_q8_K *a = av;
    float sum = 0;
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *ql = w[b].ql, *qh = w[b].qh;
        const int8_t *sc = w[b].scales, *y = a[b].qs;
        int32_t total = 0;
        for (int half = 0; half < 2; half++, ql += 64, qh += 32, sc += 8, y += 128) {
            int32_t part[8] = {0};
            for (int l = 0; l < 32; l++) {
                int is = l / 16, q[4];
                q6_K_values(ql, qh, l, q);
                for (int g = 0; g < 4; g++) part[is + 2 * g] += q[g] * y[l + 32 * g];
            }
            for (int i = 0; i < 8; i++) total += sc[i] * part[i];
        }
        sum += a[b].d * llm_fp16_to_fp32(w[b].d) * (float)total;
    }
    return sum;
}

// ---- AVX2 ----

AVX2 static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// 32 nibbles of 16 bytes: low nibbles in the first 16 lanes, high in the last 16.
AVX2 static inline __m256i unpack_nibbles(const uint8_t *q) {
    __m128i raw = _mm_loadu_si128((const __m128i *)q);
    __m256i both = _mm256_set_m128i(_mm_srli_epi16(raw, 4), raw);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

/// Sum of unsigned(x) * signed(y) over 32 bytes, as 8 int32 lanes.
AVX2 static inline __m256i mul_sum_us8(__m256i x, __m256i y) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(x, y), _mm256_set1_epi16(1));
}

/// Sum of signed(x) * signed(y) over 32 bytes: maddubs needs one unsigned operand, so
/// the sign of x moves onto y.
AVX2 static inline __m256i mul_sum_i8(__m256i x, __m256i y) {
    return mul_sum_us8(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
}

AVX2 static float dot_q4_0_avx2(const void *wv, const void *av, int64_t nb) {
    const block_q4_0 *w = wv; const block_q8_act *a = av;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        __m256i x = _mm256_sub_epi8(unpack_nibbles(w[b].qs), _mm256_set1_epi8(8));
        __m256i y = _mm256_loadu_si256((const __m256i *)a[b].qs);
        __m256i p = mul_sum_i8(x, y);
        __m256 d = _mm256_set1_ps(_cvtsh_ss(w[b].d) * a[b].d);
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(p), acc);
    }
    return hsum8(acc);
}

AVX2 static float dot_q4_1_avx2(const void *wv, const void *av, int64_t nb) {
    const block_q4_1 *w = wv; const block_q8_act *a = av;
    __m256 acc = _mm256_setzero_ps();
    float offsets = 0;
    for (int64_t b = 0; b < nb; b++) {
        __m256i x = unpack_nibbles(w[b].qs);
        __m256i y = _mm256_loadu_si256((const __m256i *)a[b].qs);
        __m256 d = _mm256_set1_ps(_cvtsh_ss(w[b].d) * a[b].d);
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(mul_sum_us8(x, y)), acc);
        offsets += _cvtsh_ss(w[b].m) * a[b].s;
    }
    return hsum8(acc) + offsets;
}

AVX2 static float dot_q8_0_avx2(const void *wv, const void *av, int64_t nb) {
    const block_q8_0 *w = wv; const block_q8_act *a = av;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        __m256i x = _mm256_loadu_si256((const __m256i *)w[b].qs);
        __m256i y = _mm256_loadu_si256((const __m256i *)a[b].qs);
        __m256i p = mul_sum_i8(x, y);
        __m256 d = _mm256_set1_ps(_cvtsh_ss(w[b].d) * a[b].d);
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(p), acc);
    }
    return hsum8(acc);
}

AVX2 static float dot_q4_K_avx2(const void *wv, const void *av, int64_t nb) {
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

AVX2 static float dot_q6_K_avx2(const void *wv, const void *av, int64_t nb) {
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

AVX2 static float dot_f32_avx2(const float *a, const float *b, int64_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    }
    float s = hsum8(_mm256_add_ps(s0, s1));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

float llm_dot_f32(const float *a, const float *b, int64_t n) {
    if (llm_has_avx2()) return dot_f32_avx2(a, b, n);
    float s = 0;
    for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

llm_qdot_fn llm_select_qdot(int w_type) { return llm_select_qdot_variant(w_type, llm_has_avx2()); }

llm_qdot_fn llm_select_qdot_variant(int w_type, bool avx2) {
    switch (w_type) {
    case LLM_Q4_0: return avx2 ? dot_q4_0_avx2 : dot_q4_0;
    case LLM_Q4_1: return avx2 ? dot_q4_1_avx2 : dot_q4_1;
    case LLM_Q8_0: return avx2 ? dot_q8_0_avx2 : dot_q8_0;
    case LLM_Q4_K: return avx2 ? dot_q4_K_avx2 : dot_q4_K;
    case LLM_Q6_K: return avx2 ? dot_q6_K_avx2 : dot_q6_K;
    default: return NULL;
    }
}
