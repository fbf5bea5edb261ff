#include "llm_kernels.h"
#include "kernels_internal.h"
#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const llm_attention_args *a;
    const int32_t *token_seq; // sequence index of each token
    bool avx2;                // head_dim a multiple of 8 on an AVX2 CPU
} attention_job;

typedef float (*dot_fn)(const float *a, const float *b, int64_t n);
typedef void (*axpy_fn)(float *out, const float *v, float p, int64_t n);

/// a . b over `n` elements (n a multiple of 8), with FMA.
__attribute__((target("avx2,fma"))) static inline float dot_avx2(const float *a, const float *b, int64_t n) {
    __m256 s = _mm256_mul_ps(_mm256_loadu_ps(a), _mm256_loadu_ps(b));
    for (int64_t d = 8; d < n; d += 8) s = _mm256_fmadd_ps(_mm256_loadu_ps(a + d), _mm256_loadu_ps(b + d), s);
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_movehdup_ps(h));
    return _mm_cvtss_f32(h);
}

/// out += p * v over `n` elements (n a multiple of 8), with FMA.
__attribute__((target("avx2,fma"))) static inline void axpy_avx2(float *out, const float *v, float p, int64_t n) {
    __m256 scale = _mm256_set1_ps(p);
    for (int64_t d = 0; d < n; d += 8)
        _mm256_storeu_ps(out + d, _mm256_fmadd_ps(scale, _mm256_loadu_ps(v + d), _mm256_loadu_ps(out + d)));
}

static inline float dot_portable(const float *a, const float *b, int64_t n) {
    float s = 0;
    for (int64_t d = 0; d < n; d++) s += a[d] * b[d];
    return s;
}

static inline void axpy_portable(float *out, const float *v, float p, int64_t n) {
    for (int64_t d = 0; d < n; d++) out[d] += p * v[d];
}

/// One token and one KV head, for all the query heads that share it (grouped-query
/// attention): each cached key and value is read once for the whole group. Scores over
/// the visible keys, softmax in f32, then the weighted sum of values; keys are read
/// through the block table a block at a time, never copied. `scores` holds
/// group * context floats. Each query head's result depends only on its own sequence.
static inline __attribute__((always_inline)) void attend_group(const llm_attention_args *a, int64_t t, int64_t kvh, int64_t seq,
                                                               float *scores, dot_fn dot, axpy_fn axpy) {
    const int64_t hd = a->head_dim, kv_dim = a->kv_heads * hd, group = a->q_heads / a->kv_heads, bs = a->block_size;
    const int64_t pos = a->positions[t];
    int64_t first = 0;
    if (a->sliding_window > 0 && pos + 1 > a->sliding_window) first = pos + 1 - a->sliding_window;
    const int64_t context = pos + 1 - first;
    const float *q = a->q + (t * a->q_heads + kvh * group) * hd;
    float *out = a->out + (t * a->q_heads + kvh * group) * hd;
    const int32_t *table = a->block_table + seq * a->max_blocks_per_seq;
    for (int64_t j = first; j <= pos;) {
        const int64_t offset = j % bs, count = llm_min64(bs - offset, pos + 1 - j);
        const float *k = a->k_cache + ((int64_t)table[j / bs] * bs + offset) * kv_dim + kvh * hd;
        for (int64_t i = 0; i < count; i++, j++, k += kv_dim) {
            for (int64_t g = 0; g < group; g++) {
                float s = dot(q + g * hd, k, hd) * a->scale;
                if (a->softcap > 0) s = a->softcap * tanhf(s / a->softcap);
                scores[g * context + j - first] = s;
            }
        }
    }
    for (int64_t g = 0; g < group; g++) {
        float *row = scores + g * context, maxs = -INFINITY, sum = 0;
        for (int64_t j = 0; j < context; j++) maxs = row[j] > maxs ? row[j] : maxs;
        for (int64_t j = 0; j < context; j++) { row[j] = expf(row[j] - maxs); sum += row[j]; }
        float inv = 1.0f / sum;
        for (int64_t j = 0; j < context; j++) row[j] *= inv;
        memset(out + g * hd, 0, (size_t)hd * 4);
    }
    for (int64_t j = first; j <= pos;) {
        const int64_t offset = j % bs, count = llm_min64(bs - offset, pos + 1 - j);
        const float *v = a->v_cache + ((int64_t)table[j / bs] * bs + offset) * kv_dim + kvh * hd;
        for (int64_t i = 0; i < count; i++, j++, v += kv_dim)
            for (int64_t g = 0; g < group; g++) axpy(out + g * hd, v, scores[g * context + j - first], hd);
    }
}

__attribute__((target("avx2,fma"))) static void attend_group_avx2(const llm_attention_args *a, int64_t t, int64_t kvh, int64_t seq, float *scores) {
    attend_group(a, t, kvh, seq, scores, dot_avx2, axpy_avx2);
}

static void attend_group_portable(const llm_attention_args *a, int64_t t, int64_t kvh, int64_t seq, float *scores) {
    attend_group(a, t, kvh, seq, scores, dot_portable, axpy_portable);
}

static void attention_task(void *ctx, int index, int count) {
    attention_job *job = ctx;
    const llm_attention_args *a = job->a;
    int64_t begin, end;
    llm_split(a->tokens * a->kv_heads, index, count, &begin, &end);
    if (begin >= end) return;
    int64_t longest = 0;
    for (int64_t e = begin; e < end; e++) {
        int64_t p = a->positions[e / a->kv_heads] + 1;
        if (p > longest) longest = p;
    }
    float *scores = malloc((size_t)longest * (size_t)(a->q_heads / a->kv_heads) * sizeof(float));
    if (!scores) return;
    for (int64_t e = begin; e < end; e++) {
        int64_t t = e / a->kv_heads;
        if (job->avx2) attend_group_avx2(a, t, e % a->kv_heads, job->token_seq[t], scores);
        else attend_group_portable(a, t, e % a->kv_heads, job->token_seq[t], scores);
    }
    free(scores);
}

void llm_attention(llm_pool *pool, const llm_attention_args *a) {
    int32_t *token_seq = malloc((size_t)(a->tokens > 0 ? a->tokens : 1) * sizeof(int32_t));
    if (!token_seq) return;
    for (int64_t s = 0; s < a->sequences; s++)
        for (int64_t t = a->query_start[s]; t < a->query_start[s + 1]; t++) token_seq[t] = (int32_t)s;
    attention_job job = {a, token_seq, llm_has_avx2() && a->head_dim % 8 == 0};
    llm_pool_run(pool, attention_task, &job);
    free(token_seq);
}
