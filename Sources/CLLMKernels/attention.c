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

/// out += p * v over `n` elements (n a multiple of 8), with FMA.
__attribute__((target("avx2,fma"))) static void axpy_avx2(float *out, const float *v, float p, int64_t n) {
    __m256 scale = _mm256_set1_ps(p);
    for (int64_t d = 0; d < n; d += 8)
        _mm256_storeu_ps(out + d, _mm256_fmadd_ps(scale, _mm256_loadu_ps(v + d), _mm256_loadu_ps(out + d)));
}

static void axpy(float *out, const float *v, float p, int64_t n) {
    for (int64_t d = 0; d < n; d++) out[d] += p * v[d];
}

/// One (token, query head) pair: scores over the visible keys, softmax in f32, then the
/// weighted sum of values. Keys are read through the block table, never copied.
static void attend_one(const llm_attention_args *a, bool avx2, int64_t t, int64_t h, int64_t seq, float *scores) {
    const int64_t hd = a->head_dim, kv_dim = a->kv_heads * hd;
    const int64_t kvh = h / (a->q_heads / a->kv_heads);
    const int64_t pos = a->positions[t];
    int64_t first = 0;
    if (a->sliding_window > 0 && pos + 1 > a->sliding_window) first = pos + 1 - a->sliding_window;
    const float *q = a->q + (t * a->q_heads + h) * hd;
    const int32_t *table = a->block_table + seq * a->max_blocks_per_seq;
    float maxs = -INFINITY;
    for (int64_t j = first; j <= pos; j++) {
        int64_t slot = (int64_t)table[j / a->block_size] * a->block_size + j % a->block_size;
        const float *k = a->k_cache + slot * kv_dim + kvh * hd;
        float s = (avx2 ? llm_dot_f32_avx2(q, k, hd) : llm_dot_f32(q, k, hd)) * a->scale;
        if (a->softcap > 0) s = a->softcap * tanhf(s / a->softcap);
        scores[j - first] = s;
        if (s > maxs) maxs = s;
    }
    float sum = 0;
    for (int64_t j = 0; j <= pos - first; j++) { scores[j] = expf(scores[j] - maxs); sum += scores[j]; }
    float inv = 1.0f / sum;
    float *out = a->out + (t * a->q_heads + h) * hd;
    memset(out, 0, (size_t)hd * 4);
    for (int64_t j = first; j <= pos; j++) {
        int64_t slot = (int64_t)table[j / a->block_size] * a->block_size + j % a->block_size;
        const float *v = a->v_cache + slot * kv_dim + kvh * hd;
        float p = scores[j - first] * inv;
        if (avx2) axpy_avx2(out, v, p, hd);
        else axpy(out, v, p, hd);
    }
}

static void attention_task(void *ctx, int index, int count) {
    attention_job *job = ctx;
    const llm_attention_args *a = job->a;
    int64_t begin, end;
    llm_split(a->tokens * a->q_heads, index, count, &begin, &end);
    if (begin >= end) return;
    int64_t longest = 0;
    for (int64_t e = begin; e < end; e++) {
        int64_t p = a->positions[e / a->q_heads] + 1;
        if (p > longest) longest = p;
    }
    float *scores = malloc((size_t)longest * sizeof(float));
    if (!scores) return;
    for (int64_t e = begin; e < end; e++) {
        int64_t t = e / a->q_heads;
        attend_one(a, job->avx2, t, e % a->q_heads, job->token_seq[t], scores);
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
