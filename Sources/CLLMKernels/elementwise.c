#include "llm_kernels.h"
#include "kernels_internal.h"
#include "vector_exp.h"
#include <immintrin.h>
#include <math.h>
#include <string.h>

typedef struct {
    const float *x; float *residual; const float *weight; float eps; int64_t tokens, dim; float *out;
} norm_job;

/// Sum of squares in double (stable for wide rows), four chains of four lanes: one
/// chain would wait on each add.
__attribute__((target("avx2,fma"))) static double sum_squares_avx2(const float *x, int64_t dim) {
    __m256d acc[4] = {_mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd()};
    int64_t i = 0;
    for (; i + 16 <= dim; i += 16) {
        for (int c = 0; c < 4; c++) {
            const __m256d v = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4 * c));
            acc[c] = _mm256_fmadd_pd(v, v, acc[c]);
        }
    }
    const __m256d sum = _mm256_add_pd(_mm256_add_pd(acc[0], acc[1]), _mm256_add_pd(acc[2], acc[3]));
    double lanes[4];
    _mm256_storeu_pd(lanes, sum);
    double ss = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    for (; i < dim; i++) ss += (double)x[i] * x[i];
    return ss;
}

static void rms_norm_row(const float *x, const float *weight, float eps, int64_t dim, float *out) {
    double ss = 0;
    if (llm_has_avx2()) ss = sum_squares_avx2(x, dim);
    else for (int64_t i = 0; i < dim; i++) ss += (double)x[i] * x[i];
    float scale = 1.0f / sqrtf((float)(ss / (double)dim) + eps);
    for (int64_t i = 0; i < dim; i++) out[i] = x[i] * scale * weight[i];
}

static void norm_task(void *ctx, int index, int count) {
    norm_job *j = ctx;
    int64_t begin, end;
    llm_split(j->tokens, index, count, &begin, &end);
    for (int64_t t = begin; t < end; t++) {
        const float *x = j->x + t * j->dim;
        if (j->residual) {
            float *r = j->residual + t * j->dim;
            for (int64_t i = 0; i < j->dim; i++) r[i] += x[i];
            x = r;
        }
        rms_norm_row(x, j->weight, j->eps, j->dim, j->out + t * j->dim);
    }
}

void llm_rms_norm(llm_pool *pool, const float *x, float *residual, const float *weight,
                  float eps, int64_t tokens, int64_t dim, float *out) {
    norm_job j = {x, residual, weight, eps, tokens, dim, out};
    if (tokens == 1) norm_task(&j, 0, 1);
    else llm_pool_run(pool, norm_task, &j);
}

void llm_rms_norm_heads(float *x, const float *weight, float eps, int64_t rows, int64_t head_dim) {
    for (int64_t r = 0; r < rows; r++) rms_norm_row(x + r * head_dim, weight, eps, head_dim, x + r * head_dim);
}

static void rope_heads(float *x, int64_t heads, int64_t head_dim, int64_t rot, const float *cs, const float *sn) {
    int64_t half = rot / 2;
    for (int64_t h = 0; h < heads; h++) {
        float *v = x + h * head_dim;
        for (int64_t i = 0; i < half; i++) {
            float a = v[i], b = v[i + half];
            v[i] = a * cs[i] - b * sn[i];
            v[i + half] = b * cs[i] + a * sn[i];
        }
    }
}

/// cos and sin of one token's `half` rotated pairs. Angles in double: positions past
/// 2^16 times frequencies near 1 lose precision in f32 before the sin/cos.
static void rope_angles_row(int32_t position, const float *inv_freq, int64_t half, float attention_scale, float *cs, float *sn) {
    for (int64_t i = 0; i < half; i++) {
        double angle = (double)position * (double)inv_freq[i];
        cs[i] = (float)cos(angle) * attention_scale;
        sn[i] = (float)sin(angle) * attention_scale;
    }
}

void llm_rope_angles(const int32_t *positions, int64_t tokens, const float *inv_freq, int64_t rotary_dim, float attention_scale,
                     float *cos_out, float *sin_out) {
    const int64_t half = rotary_dim / 2;
    for (int64_t t = 0; t < tokens; t++) rope_angles_row(positions[t], inv_freq, half, attention_scale, cos_out + t * half, sin_out + t * half);
}

void llm_rope(float *q, int64_t q_heads, float *k, int64_t k_heads, int64_t head_dim,
              int64_t rotary_dim, const int32_t *positions, int64_t tokens,
              const float *inv_freq, float attention_scale) {
    float cs[512], sn[512];
    int64_t half = rotary_dim / 2;
    if (half > 512) half = 512; // the Swift side rejects head sizes past 1024
    for (int64_t t = 0; t < tokens; t++) {
        rope_angles_row(positions[t], inv_freq, half, attention_scale, cs, sn);
        rope_heads(q + t * q_heads * head_dim, q_heads, head_dim, half * 2, cs, sn);
        rope_heads(k + t * k_heads * head_dim, k_heads, head_dim, half * 2, cs, sn);
    }
}

__attribute__((target("avx2,f16c"))) static void rows_to_f16_avx2(const float *x, int64_t n, uint16_t *out) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(out + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    for (; i < n; i++) out[i] = llm_fp32_to_fp16(x[i]);
}

/// f32 to f16, nearest even: F16C where the CPU has it (the same bits as the scalar path).
static void row_to_f16(const float *x, int64_t n, uint16_t *out) {
    if (llm_has_avx2()) { rows_to_f16_avx2(x, n, out); return; }
    for (int64_t i = 0; i < n; i++) out[i] = llm_fp32_to_fp16(x[i]);
}

/// Token t's K and V rows into their cache slot (a negative slot is skipped).
static void kv_write_row(const float *k, const float *v, int64_t kv_dim, int32_t slot, int cache_type, void *k_cache, void *v_cache) {
    if (slot < 0) return;
    if (cache_type == LLM_F16) {
        row_to_f16(k, kv_dim, (uint16_t *)k_cache + (int64_t)slot * kv_dim);
        row_to_f16(v, kv_dim, (uint16_t *)v_cache + (int64_t)slot * kv_dim);
    } else {
        memcpy((float *)k_cache + (int64_t)slot * kv_dim, k, (size_t)kv_dim * 4);
        memcpy((float *)v_cache + (int64_t)slot * kv_dim, v, (size_t)kv_dim * 4);
    }
}

void llm_kv_write(const float *k, const float *v, int64_t kv_dim, const int32_t *slot_mapping,
                  int64_t tokens, int cache_type, void *k_cache, void *v_cache) {
    for (int64_t t = 0; t < tokens; t++) kv_write_row(k + t * kv_dim, v + t * kv_dim, kv_dim, slot_mapping[t], cache_type, k_cache, v_cache);
}

static void rope_write_task(void *ctx, int index, int count) {
    const llm_rope_write_args *a = ctx;
    const int64_t half = a->rotary_dim / 2, kv_dim = a->kv_heads * a->head_dim;
    int64_t begin, end;
    llm_split(a->tokens, index, count, &begin, &end);
    for (int64_t t = begin; t < end; t++) {
        float *k = a->k + t * kv_dim;
        rope_heads(a->q + t * a->q_heads * a->head_dim, a->q_heads, a->head_dim, a->rotary_dim, a->cos + t * half, a->sin + t * half);
        rope_heads(k, a->kv_heads, a->head_dim, a->rotary_dim, a->cos + t * half, a->sin + t * half);
        kv_write_row(k, a->v + t * kv_dim, kv_dim, a->slot_mapping[t], a->cache_type, a->k_cache, a->v_cache);
    }
}

void llm_rope_write_kv(llm_pool *pool, const llm_rope_write_args *a) {
    if (a->tokens == 1) rope_write_task((void *)a, 0, 1);
    else llm_pool_run(pool, rope_write_task, (void *)a);
}

typedef struct { const float *x; int64_t tokens, ff; float *out; bool gelu; bool avx2; } act_job;

static inline float gated(const act_job *j, float g, float u) {
    if (j->gelu) return 0.5f * g * (1.0f + tanhf(0.7978845608f * (g + 0.044715f * g * g * g))) * u;
    return g / (1.0f + expf(-g)) * u;
}

/// silu(g) * u for elements [i, end) of one row, eight at a time.
__attribute__((target("avx2,fma"))) static int64_t silu_mul_avx2(const float *gate, const float *up, float *out, int64_t i, int64_t end) {
    for (; i + 8 <= end; i += 8) {
        __m256 g = _mm256_loadu_ps(gate + i);
        __m256 e = llm_exp256(_mm256_sub_ps(_mm256_setzero_ps(), g));
        __m256 silu = _mm256_div_ps(g, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
        _mm256_storeu_ps(out + i, _mm256_mul_ps(silu, _mm256_loadu_ps(up + i)));
    }
    return i;
}

static void act_task(void *ctx, int index, int count) {
    act_job *j = ctx;
    int64_t begin, end;
    llm_split(j->tokens * j->ff, index, count, &begin, &end);
    // Row by row: each row is [gate | up] of width 2 * ff.
    for (int64_t e = begin; e < end;) {
        const int64_t t = e / j->ff, row_end = llm_min64(end, (t + 1) * j->ff);
        const float *gate = j->x + t * 2 * j->ff - t * j->ff, *up = gate + j->ff;
        float *out = j->out;
        int64_t i = e;
        if (j->avx2 && !j->gelu) i = silu_mul_avx2(gate, up, out, i, row_end);
        for (; i < row_end; i++) out[i] = gated(j, gate[i], up[i]);
        e = row_end;
    }
}

void llm_silu_mul(llm_pool *pool, const float *x, int64_t tokens, int64_t ff, float *out) {
    act_job j = {x, tokens, ff, out, false, llm_has_avx2()};
    llm_pool_run(pool, act_task, &j);
}

void llm_gelu_tanh_mul(llm_pool *pool, const float *x, int64_t tokens, int64_t ff, float *out) {
    act_job j = {x, tokens, ff, out, true, llm_has_avx2()};
    llm_pool_run(pool, act_task, &j);
}

void llm_add(const float *a, const float *b, int64_t n, float *out) {
    for (int64_t i = 0; i < n; i++) out[i] = a[i] + b[i];
}

void llm_scale_softcap(const float *x, int64_t n, float scale, float cap, float *out) {
    if (cap > 0) {
        for (int64_t i = 0; i < n; i++) out[i] = cap * tanhf(x[i] * scale / cap);
    } else {
        for (int64_t i = 0; i < n; i++) out[i] = x[i] * scale;
    }
}

bool llm_embedding(const int32_t *ids, int64_t tokens, const void *table, int type,
                   int64_t rows, int64_t dim, float *out) {
    size_t row_bytes = llm_row_bytes(type, dim);
    if (row_bytes == 0) return false;
    for (int64_t t = 0; t < tokens; t++) {
        if (ids[t] < 0 || ids[t] >= rows) return false;
        llm_dequantize(type, (const uint8_t *)table + (size_t)ids[t] * row_bytes, out + t * dim, dim);
    }
    return true;
}

void llm_gather_rows(const float *x, int64_t dim, const int32_t *rows, int64_t count, float *out) {
    for (int64_t i = 0; i < count; i++) memcpy(out + i * dim, x + (int64_t)rows[i] * dim, (size_t)dim * 4);
}
