#include "llm_kernels.h"
#include "kernels_internal.h"
#include "vector_exp.h"
#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const llm_attention_args *a;
    const int32_t *token_seq; // sequence index of each token
    bool avx2;                // head_dim a multiple of 8 on an AVX2 CPU
} attention_job;

/// The row of position `j` of a sequence in a cache, through its block table.
static inline const float *cache_row(const float *cache, const int32_t *table, int64_t j, int64_t bs, int64_t kv_dim) {
    return cache + ((int64_t)table[j / bs] * bs + j % bs) * kv_dim;
}

/// Asks for one head's part (`bytes` from `head_offset`) of every row of the block after
/// the one holding position `j`, if the sequence reaches it: blocks lie anywhere in the
/// cache, so the hardware cannot guess the next one.
static inline void prefetch_next_block(const float *cache, const int32_t *table, int64_t j, int64_t pos, int64_t bs,
                                       int64_t kv_dim, int64_t head_offset, int64_t bytes) {
    const int64_t next = (j / bs + 1) * bs;
    if (next > pos) return;
    const char *row = (const char *)(cache_row(cache, table, next, bs, kv_dim) + head_offset);
    for (int64_t i = 0; i < bs && next + i <= pos; i++, row += kv_dim * 4)
        for (int64_t line = 0; line < bytes; line += 64) _mm_prefetch(row + line, _MM_HINT_T0);
}

/// a . b over `n` elements (n a multiple of 8), in four independent FMA chains.
__attribute__((target("avx2,fma"))) static inline float dot_avx2(const float *a, const float *b, int64_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    int64_t d = 0;
    for (; d + 32 <= n; d += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d), _mm256_loadu_ps(b + d), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d + 8), _mm256_loadu_ps(b + d + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d + 16), _mm256_loadu_ps(b + d + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d + 24), _mm256_loadu_ps(b + d + 24), s3);
    }
    for (; d < n; d += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d), _mm256_loadu_ps(b + d), s0);
    __m256 s = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_movehdup_ps(h));
    return _mm_cvtss_f32(h);
}

/// q . k for four keys `stride` floats apart (n a multiple of 8): each q chunk is loaded
/// once for the four, and one transposing reduction replaces four horizontal sums.
__attribute__((target("avx2,fma"))) static inline __m128 dot4_avx2(const float *q, const float *k, int64_t stride, int64_t n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    for (int64_t d = 0; d < n; d += 8) {
        __m256 qv = _mm256_loadu_ps(q + d);
        a0 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k + d), a0);
        a1 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k + stride + d), a1);
        a2 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k + 2 * stride + d), a2);
        a3 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k + 3 * stride + d), a3);
    }
    __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
    return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}

static inline float dot_portable(const float *a, const float *b, int64_t n) {
    float s = 0;
    for (int64_t d = 0; d < n; d++) s += a[d] * b[d];
    return s;
}

/// row[j] = exp(row[j] - max) / sum over the row, `n` entries.
__attribute__((target("avx2,fma"))) static inline void softmax_avx2(float *row, int64_t n, float max) {
    __m256 sum8 = _mm256_setzero_ps();
    int64_t j = 0;
    for (; j + 8 <= n; j += 8) {
        __m256 e = llm_exp256(_mm256_sub_ps(_mm256_loadu_ps(row + j), _mm256_set1_ps(max)));
        _mm256_storeu_ps(row + j, e);
        sum8 = _mm256_add_ps(sum8, e);
    }
    float lanes[8], sum = 0;
    _mm256_storeu_ps(lanes, sum8);
    for (int i = 0; i < 8; i++) sum += lanes[i];
    for (; j < n; j++) { row[j] = expf(row[j] - max); sum += row[j]; }
    const float inv = 1.0f / sum;
    for (j = 0; j < n; j++) row[j] *= inv;
}

static inline void softmax_portable(float *row, int64_t n, float max) {
    float sum = 0;
    for (int64_t j = 0; j < n; j++) { row[j] = expf(row[j] - max); sum += row[j]; }
    const float inv = 1.0f / sum;
    for (int64_t j = 0; j < n; j++) row[j] *= inv;
}

/// Scores of one query head `q` over positions [first, pos], softmaxed in place (f32);
/// `dot4` (optional) scores four consecutive positions of a block at once.
static inline __attribute__((always_inline)) void head_scores(const llm_attention_args *a, const float *q, int64_t head_offset,
                                                              const int32_t *table, int64_t first, int64_t pos, float *row,
                                                              float (*dot)(const float *, const float *, int64_t),
                                                              __m128 (*dot4)(const float *, const float *, int64_t, int64_t),
                                                              void (*softmax)(float *, int64_t, float)) {
    const int64_t hd = a->head_dim, kv_dim = a->kv_heads * hd, bs = a->block_size;
    float maxs = -INFINITY;
    for (int64_t j = first; j <= pos;) {
        const int64_t count = llm_min64(bs - j % bs, pos + 1 - j);
        prefetch_next_block(a->k_cache, table, j, pos, bs, kv_dim, head_offset, hd * 4);
        const float *k = cache_row(a->k_cache, table, j, bs, kv_dim) + head_offset;
        int64_t i = 0;
        if (dot4) {
            for (; i + 4 <= count; i += 4, j += 4, k += 4 * kv_dim) {
                float four[4];
                _mm_storeu_ps(four, dot4(q, k, kv_dim, hd));
                for (int x = 0; x < 4; x++) {
                    float s = four[x] * a->scale;
                    if (a->softcap > 0) s = a->softcap * tanhf(s / a->softcap);
                    row[j + x - first] = s;
                    maxs = s > maxs ? s : maxs;
                }
            }
        }
        for (; i < count; i++, j++, k += kv_dim) {
            float s = dot(q, k, hd) * a->scale;
            if (a->softcap > 0) s = a->softcap * tanhf(s / a->softcap);
            row[j - first] = s;
            maxs = s > maxs ? s : maxs;
        }
    }
    softmax(row, pos + 1 - first, maxs);
}

/// out = sum over positions of p[j] * v[j] for one head, 64 elements at a time held in
/// registers across all positions (head_dim a multiple of 8).
__attribute__((target("avx2,fma"))) static void head_values_avx2(const llm_attention_args *a, int64_t head_offset, const int32_t *table,
                                                                 int64_t first, int64_t pos, const float *p, float *out) {
    const int64_t hd = a->head_dim, kv_dim = a->kv_heads * hd, bs = a->block_size;
    for (int64_t c = 0; c < hd; c += 64) {
        const int64_t width = llm_min64(64, hd - c) / 8;
        __m256 acc[8];
        for (int x = 0; x < 8; x++) acc[x] = _mm256_setzero_ps();
        for (int64_t j = first; j <= pos;) {
            const int64_t count = llm_min64(bs - j % bs, pos + 1 - j);
            if (c == 0) prefetch_next_block(a->v_cache, table, j, pos, bs, kv_dim, head_offset, hd * 4);
            const float *v = cache_row(a->v_cache, table, j, bs, kv_dim) + head_offset + c;
            for (int64_t i = 0; i < count; i++, j++, v += kv_dim) {
                __m256 weight = _mm256_set1_ps(p[j - first]);
                if (width == 8) {
                    // A constant trip count keeps the accumulators in registers.
                    for (int x = 0; x < 8; x++) acc[x] = _mm256_fmadd_ps(weight, _mm256_loadu_ps(v + 8 * x), acc[x]);
                } else {
                    for (int64_t x = 0; x < width; x++) acc[x] = _mm256_fmadd_ps(weight, _mm256_loadu_ps(v + 8 * x), acc[x]);
                }
            }
        }
        for (int64_t x = 0; x < width; x++) _mm256_storeu_ps(out + c + 8 * x, acc[x]);
    }
}

static void head_values_portable(const llm_attention_args *a, int64_t head_offset, const int32_t *table, int64_t first, int64_t pos,
                                 const float *p, float *out) {
    const int64_t hd = a->head_dim, kv_dim = a->kv_heads * hd, bs = a->block_size;
    memset(out, 0, (size_t)hd * 4);
    for (int64_t j = first; j <= pos; j++) {
        const float *v = cache_row(a->v_cache, table, j, bs, kv_dim) + head_offset;
        for (int64_t d = 0; d < hd; d++) out[d] += p[j - first] * v[d];
    }
}

typedef void (*values_fn)(const llm_attention_args *, int64_t, const int32_t *, int64_t, int64_t, const float *, float *);

/// One token, query heads [h_begin, h_end) (grouped-query attention: query head h reads
/// KV head h / group): scores over the visible keys, softmax in f32, then the weighted
/// sum of values. Keys and values are read through the block table, never copied. Each
/// head's result depends only on its own sequence.
static inline __attribute__((always_inline)) void attend(const llm_attention_args *a, int64_t t, int64_t seq, int64_t h_begin,
                                                         int64_t h_end, float *scores, float (*dot)(const float *, const float *, int64_t),
                                                         __m128 (*dot4)(const float *, const float *, int64_t, int64_t),
                                                         void (*softmax)(float *, int64_t, float), values_fn values) {
    const int64_t hd = a->head_dim, group = a->q_heads / a->kv_heads, pos = a->positions[t];
    const int64_t first = a->sliding_window > 0 && pos + 1 > a->sliding_window ? pos + 1 - a->sliding_window : 0;
    const int32_t *table = a->block_table + seq * a->max_blocks_per_seq;
    for (int64_t h = h_begin; h < h_end; h++) {
        head_scores(a, a->q + (t * a->q_heads + h) * hd, (h / group) * hd, table, first, pos, scores, dot, dot4, softmax);
        values(a, (h / group) * hd, table, first, pos, scores, a->out + (t * a->q_heads + h) * hd);
    }
}

__attribute__((target("avx2,fma"))) static void attend_avx2(const llm_attention_args *a, int64_t t, int64_t seq, int64_t h_begin,
                                                            int64_t h_end, float *scores) {
    attend(a, t, seq, h_begin, h_end, scores, dot_avx2, dot4_avx2, softmax_avx2, head_values_avx2);
}

static void attend_portable(const llm_attention_args *a, int64_t t, int64_t seq, int64_t h_begin, int64_t h_end, float *scores) {
    attend(a, t, seq, h_begin, h_end, scores, dot_portable, NULL, softmax_portable, head_values_portable);
}

/// Work items are tokens with all their heads; with fewer tokens than threads, each
/// token's query heads are split into as many parts as keep every thread busy.
static void attention_task(void *ctx, int index, int count) {
    attention_job *job = ctx;
    const llm_attention_args *a = job->a;
    const int64_t parts = a->tokens >= count ? 1 : llm_min64(a->q_heads, (count + a->tokens - 1) / a->tokens);
    int64_t begin, end;
    llm_split(a->tokens * parts, index, count, &begin, &end);
    if (begin >= end) return;
    int64_t longest = 0;
    for (int64_t e = begin; e < end; e++) longest = a->positions[e / parts] + 1 > longest ? a->positions[e / parts] + 1 : longest;
    float *scores = malloc((size_t)longest * sizeof(float));
    if (!scores) return;
    for (int64_t e = begin; e < end; e++) {
        int64_t t = e / parts, h_begin, h_end;
        llm_split(a->q_heads, (int)(e % parts), (int)parts, &h_begin, &h_end);
        if (job->avx2) attend_avx2(a, t, job->token_seq[t], h_begin, h_end, scores);
        else attend_portable(a, t, job->token_seq[t], h_begin, h_end, scores);
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
