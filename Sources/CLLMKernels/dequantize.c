#include "llm_kernels.h"
#include "quant_formats.h"
#include <string.h>
#include <math.h>

float llm_fp16_to_fp32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1F;
    uint32_t mant = h & 0x3FF;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else { // subnormal: normalise
            exp = 127 - 15 + 1;
            while (!(mant & 0x400)) { mant <<= 1; exp--; }
            mant &= 0x3FF;
            bits = sign | (exp << 23) | (mant << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7F800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t llm_fp32_to_fp16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000;
    int32_t exp = (int32_t)((x >> 23) & 0xFF) - 127 + 15;
    uint32_t mant = x & 0x7FFFFF;
    if (((x >> 23) & 0xFF) == 0xFF) return (uint16_t)(sign | 0x7C00 | (mant ? 0x200 : 0));
    if (exp >= 31) return (uint16_t)(sign | 0x7C00);
    if (exp <= 0) {
        if (exp < -10) return (uint16_t)sign;
        mant |= 0x800000;
        uint32_t shift = (uint32_t)(14 - exp);
        uint32_t half = mant >> shift;
        uint32_t rem = mant & ((1u << shift) - 1);
        uint32_t mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1))) half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = sign | ((uint32_t)exp << 10) | (mant >> 13);
    uint32_t rem = mant & 0x1FFF;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1))) half++;
    return (uint16_t)half;
}

static float bf16_to_fp32(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static float e4m3_to_fp32(uint8_t v) {
    int sign = v >> 7, exp = (v >> 3) & 0xF, mant = v & 7;
    float r;
    if (exp == 0xF && mant == 7) return NAN;
    if (exp == 0) r = ldexpf((float)mant / 8.0f, -6);
    else r = ldexpf(1.0f + (float)mant / 8.0f, exp - 7);
    return sign ? -r : r;
}

static void dq_q4_0(const block_q4_0 *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += QK) {
        float d = llm_fp16_to_fp32(b[i].d);
        for (int j = 0; j < QK / 2; j++) {
            y[j] = ((b[i].qs[j] & 0xF) - 8) * d;
            y[j + QK / 2] = ((b[i].qs[j] >> 4) - 8) * d;
        }
    }
}

static void dq_q4_1(const block_q4_1 *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += QK) {
        float d = llm_fp16_to_fp32(b[i].d), m = llm_fp16_to_fp32(b[i].m);
        for (int j = 0; j < QK / 2; j++) {
            y[j] = (b[i].qs[j] & 0xF) * d + m;
            y[j + QK / 2] = (b[i].qs[j] >> 4) * d + m;
        }
    }
}

static void dq_q5_0(const block_q5_0 *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += QK) {
        float d = llm_fp16_to_fp32(b[i].d);
        uint32_t qh;
        memcpy(&qh, b[i].qh, 4);
        for (int j = 0; j < QK / 2; j++) {
            int h0 = ((qh >> j) << 4) & 0x10;
            int h1 = (qh >> (j + 12)) & 0x10;
            y[j] = (((b[i].qs[j] & 0xF) | h0) - 16) * d;
            y[j + QK / 2] = (((b[i].qs[j] >> 4) | h1) - 16) * d;
        }
    }
}

static void dq_q5_1(const block_q5_1 *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += QK) {
        float d = llm_fp16_to_fp32(b[i].d), m = llm_fp16_to_fp32(b[i].m);
        uint32_t qh;
        memcpy(&qh, b[i].qh, 4);
        for (int j = 0; j < QK / 2; j++) {
            int h0 = ((qh >> j) << 4) & 0x10;
            int h1 = (qh >> (j + 12)) & 0x10;
            y[j] = ((b[i].qs[j] & 0xF) | h0) * d + m;
            y[j + QK / 2] = ((b[i].qs[j] >> 4) | h1) * d + m;
        }
    }
}

static void dq_q8_0(const block_q8_0 *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += QK) {
        float d = llm_fp16_to_fp32(b[i].d);
        for (int j = 0; j < QK; j++) y[j] = b[i].qs[j] * d;
    }
}

static void dq_q4_K(const block_q4_K *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        float d = llm_fp16_to_fp32(b[i].d), dmin = llm_fp16_to_fp32(b[i].dmin);
        const uint8_t *q = b[i].qs;
        for (int j = 0, is = 0; j < QK_K; j += 64, is += 2, q += 32) {
            uint8_t sc, m;
            k_scale_min(is, b[i].scales, &sc, &m);
            float d1 = d * sc, m1 = dmin * m;
            k_scale_min(is + 1, b[i].scales, &sc, &m);
            float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; l++) *y++ = d1 * (q[l] & 0xF) - m1;
            for (int l = 0; l < 32; l++) *y++ = d2 * (q[l] >> 4) - m2;
        }
    }
}

static void dq_q5_K(const block_q5_K *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        float d = llm_fp16_to_fp32(b[i].d), dmin = llm_fp16_to_fp32(b[i].dmin);
        const uint8_t *ql = b[i].qs, *qh = b[i].qh;
        uint8_t u1 = 1, u2 = 2;
        for (int j = 0, is = 0; j < QK_K; j += 64, is += 2, ql += 32, u1 <<= 2, u2 <<= 2) {
            uint8_t sc, m;
            k_scale_min(is, b[i].scales, &sc, &m);
            float d1 = d * sc, m1 = dmin * m;
            k_scale_min(is + 1, b[i].scales, &sc, &m);
            float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; l++) *y++ = d1 * ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
            for (int l = 0; l < 32; l++) *y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
        }
    }
}

static void dq_q6_K(const block_q6_K *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        float d = llm_fp16_to_fp32(b[i].d);
        const uint8_t *ql = b[i].ql, *qh = b[i].qh;
        const int8_t *sc = b[i].scales;
        for (int n = 0; n < QK_K; n += 128, y += 128, ql += 64, qh += 32, sc += 8) {
            for (int l = 0; l < 32; l++) {
                int is = l / 16, q[4];
                q6_K_values(ql, qh, l, q);
                for (int g = 0; g < 4; g++) y[l + 32 * g] = d * sc[is + 2 * g] * q[g];
            }
        }
    }
}

static void dq_q8_K(const block_q8_K *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++)
        for (int j = 0; j < QK_K; j++) *y++ = b[i].d * b[i].qs[j];
}

bool llm_dequantize(int type, const void *src, float *dst, int64_t n) {
    switch (type) {
    case LLM_F32: memcpy(dst, src, (size_t)n * 4); return true;
    case LLM_F16: for (int64_t i = 0; i < n; i++) dst[i] = llm_fp16_to_fp32(((const uint16_t *)src)[i]); return true;
    case LLM_BF16: for (int64_t i = 0; i < n; i++) dst[i] = bf16_to_fp32(((const uint16_t *)src)[i]); return true;
    case LLM_F8_E4M3: for (int64_t i = 0; i < n; i++) dst[i] = e4m3_to_fp32(((const uint8_t *)src)[i]); return true;
    case LLM_Q4_0: dq_q4_0(src, dst, n / QK); return true;
    case LLM_Q4_1: dq_q4_1(src, dst, n / QK); return true;
    case LLM_Q5_0: dq_q5_0(src, dst, n / QK); return true;
    case LLM_Q5_1: dq_q5_1(src, dst, n / QK); return true;
    case LLM_Q8_0: dq_q8_0(src, dst, n / QK); return true;
    case LLM_Q4_K: dq_q4_K(src, dst, n / QK_K); return true;
    case LLM_Q5_K: dq_q5_K(src, dst, n / QK_K); return true;
    case LLM_Q6_K: dq_q6_K(src, dst, n / QK_K); return true;
    case LLM_Q8_K: dq_q8_K(src, dst, n / QK_K); return true;
    default: return false;
    }
}

size_t llm_row_bytes(int w_type, int64_t in) {
    switch (w_type) {
    case LLM_F32: return (size_t)in * 4;
    case LLM_F16: case LLM_BF16: return (size_t)in * 2;
    case LLM_Q4_0: return (size_t)(in / QK) * sizeof(block_q4_0);
    case LLM_Q4_1: return (size_t)(in / QK) * sizeof(block_q4_1);
    case LLM_Q5_0: return (size_t)(in / QK) * sizeof(block_q5_0);
    case LLM_Q5_1: return (size_t)(in / QK) * sizeof(block_q5_1);
    case LLM_Q8_0: return (size_t)(in / QK) * sizeof(block_q8_0);
    case LLM_Q4_K: return (size_t)(in / QK_K) * sizeof(block_q4_K);
    case LLM_Q5_K: return (size_t)(in / QK_K) * sizeof(block_q5_K);
    case LLM_Q6_K: return (size_t)(in / QK_K) * sizeof(block_q6_K);
    case LLM_Q8_K: return (size_t)(in / QK_K) * sizeof(block_q8_K);
    case LLM_F8_E4M3: return (size_t)in;
    default: return 0;
    }
}

