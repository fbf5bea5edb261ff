// Portable dot products of quantised weight rows with q8 activation rows, for CPUs
// without AVX2 (and as the reference the SIMD versions are tested against).
#include "llm_kernels.h"
#include "kernels_internal.h"


float llm_portable_dot_q4_0(const void *wv, const void *av, int64_t nb) {
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

float llm_portable_dot_q4_1(const void *wv, const void *av, int64_t nb) {
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

float llm_portable_dot_q8_0(const void *wv, const void *av, int64_t nb) {
    const block_q8_0 *w = wv; const block_q8_act *a = av;
    float sum = 0;
    for (int64_t b = 0; b < nb; b++) {
        int s = 0;
        for (int j = 0; j < QK; j++) s += w[b].qs[j] * a[b].qs[j];
        sum += llm_fp16_to_fp32(w[b].d) * a[b].d * (float)s;
    }
    return sum;
}

float llm_portable_dot_q4_K(const void *wv, const void *av, int64_t nb) {
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

float llm_portable_dot_q6_K(const void *wv, const void *av, int64_t nb) {
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
