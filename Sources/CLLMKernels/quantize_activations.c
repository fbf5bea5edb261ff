// Activations are quantised to 8 bits per block once per linear call, so the weight
// dot products run on integer multiply-adds (as llama.cpp does); this halves the
// instruction count of the decode matvec compared with dequantising weights to f32.
#include "llm_kernels.h"
#include "quant_formats.h"
#include "kernels_internal.h"
#include <math.h>

/// Symmetric 8-bit scale of `n` values: d = max|x| / 127; `inverse` is 1/d (0 for a zero block).
static float q8_scale(const float *x, int n, float *inverse) {
    float amax = 0;
    for (int j = 0; j < n; j++) amax = fmaxf(amax, fabsf(x[j]));
    float d = amax / 127.0f;
    *inverse = d > 0 ? 1.0f / d : 0.0f;
    return d;
}

void llm_quantize_q8_act(const float *x, int64_t n, block_q8_act *y) {
    for (int64_t b = 0; b < n / QK; b++, x += QK) {
        float id, d = q8_scale(x, QK, &id);
        int sum = 0;
        for (int j = 0; j < QK; j++) {
            int q = (int)lrintf(x[j] * id);
            y[b].qs[j] = (int8_t)q;
            sum += q;
        }
        y[b].d = d;
        y[b].s = d * (float)sum;
    }
}

void llm_quantize_q8_K(const float *x, int64_t n, block_q8_K *y) {
    for (int64_t b = 0; b < n / QK_K; b++, x += QK_K) {
        float id, d = q8_scale(x, QK_K, &id);
        for (int j = 0; j < QK_K; j++) y[b].qs[j] = (int8_t)lrintf(x[j] * id);
        for (int g = 0; g < QK_K / 16; g++) {
            int s = 0;
            for (int j = 0; j < 16; j++) s += y[b].qs[g * 16 + j];
            y[b].bsums[g] = (int16_t)s;
        }
        y[b].d = d;
    }
}
