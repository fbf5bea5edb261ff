#include "llm_kernels.h"
#include "kernels_internal.h"
#include "vector_exp.h"
#include <immintrin.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const llm_attention_args *a;
    const int32_t *token_seq; // sequence index of each token
    bool avx2;                // head_dim a multiple of 8 on an AVX2 CPU
    int64_t longest;          // most positions any token attends to
    _Atomic int64_t next;     // the next unclaimed work item
} attention_job;

#define AVX2 __attribute__((target("avx2,fma,f16c")))
/// Most bytes of each of K and V prefetched for the next work item (together half of a
/// Zen 4 core's 1 MiB L2).
#define PREFETCH_ITEM_BYTES (256 * 1024)

/// Element index of the row of position `j` of a sequence in a cache, through its block
/// table. Caches hold f32 or f16 elements (`half`); every reader converts to f32.
static inline int64_t cache_row(const int32_t *table, int64_t j, int64_t bs, int64_t kv_dim) {
    return ((int64_t)table[j / bs] * bs + j % bs) * kv_dim;
}

AVX2 static inline __m256 load8_kv(const void *cache, int64_t i, bool half) {
    return half ? _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const uint16_t *)cache + i)))
                : _mm256_loadu_ps((const float *)cache + i);
}

static inline float load1_kv(const void *cache, int64_t i, bool half) {
    return half ? llm_fp16_to_fp32(((const uint16_t *)cache)[i]) : ((const float *)cache)[i];
}

/// q . k for the key at element `k` of `cache` (n a multiple of 8), in four FMA chains.
AVX2 static inline float dot_avx2(const float *q, const void *cache, int64_t k, int64_t n, bool half) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    int64_t d = 0;
    for (; d + 32 <= n; d += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + d), load8_kv(cache, k + d, half), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + d + 8), load8_kv(cache, k + d + 8, half), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(q + d + 16), load8_kv(cache, k + d + 16, half), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(q + d + 24), load8_kv(cache, k + d + 24, half), s3);
    }
    for (; d < n; d += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + d), load8_kv(cache, k + d, half), s0);
    __m256 s = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_movehdup_ps(h));
    return _mm_cvtss_f32(h);
}

/// q . k for four keys `stride` elements apart (n a multiple of 8): each q chunk is
/// loaded once for the four, and one transposing reduction replaces four horizontal sums.
AVX2 static inline __m128 dot4_avx2(const float *q, const void *cache, int64_t k, int64_t stride, int64_t n, bool half) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    for (int64_t d = 0; d < n; d += 8) {
        __m256 qv = _mm256_loadu_ps(q + d);
        a0 = _mm256_fmadd_ps(qv, load8_kv(cache, k + d, half), a0);
        a1 = _mm256_fmadd_ps(qv, load8_kv(cache, k + stride + d, half), a1);
        a2 = _mm256_fmadd_ps(qv, load8_kv(cache, k + 2 * stride + d, half), a2);
        a3 = _mm256_fmadd_ps(qv, load8_kv(cache, k + 3 * stride + d, half), a3);
    }
    __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
    return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}

static inline float dot_portable(const float *q, const void *cache, int64_t k, int64_t n, bool half) {
    float s = 0;
    for (int64_t d = 0; d < n; d++) s += q[d] * load1_kv(cache, k + d, half);
    return s;
}

/// row[j] = exp(row[j] - max) / sum over the row, `n` entries.
AVX2 static inline void softmax_avx2(float *row, int64_t n, float max) {
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

/// Largest lane of `v`.
AVX2 static inline float max4(__m128 v) {
    v = _mm_max_ps(v, _mm_movehl_ps(v, v));
    return _mm_cvtss_f32(_mm_max_ss(v, _mm_movehdup_ps(v)));
}

/// Scores of one query head `q` over positions [first, pos], softmaxed in place (f32).
/// Without soft-capping, four scores are scaled, stored and folded into the maximum as
/// one vector (a NaN score never becomes the maximum, as in the scalar comparison).
static inline __attribute__((always_inline)) void head_scores(const llm_attention_args *a, const float *q, int64_t head_offset,
                                                              const int32_t *table, int64_t first, int64_t pos, float *row,
                                                              bool avx2, bool half) {
    const int64_t hd = a->head_dim, kv_dim = a->kv_heads * hd, bs = a->block_size;
    const float scale = a->scale, softcap = a->softcap;
    float maxs = -INFINITY;
    __m128 maxv = _mm_set1_ps(-INFINITY);
    for (int64_t j = first; j <= pos;) {
        const int64_t count = llm_min64(bs - j % bs, pos + 1 - j);
        int64_t k = cache_row(table, j, bs, kv_dim) + head_offset;
        int64_t i = 0;
        if (avx2) {
            for (; i + 4 <= count; i += 4, j += 4, k += 4 * kv_dim) {
                __m128 four = _mm_mul_ps(dot4_avx2(q, a->k_cache, k, kv_dim, hd, half), _mm_set1_ps(scale));
                if (softcap > 0) {
                    float lanes[4];
                    _mm_storeu_ps(lanes, four);
                    for (int x = 0; x < 4; x++) lanes[x] = softcap * tanhf(lanes[x] / softcap);
                    four = _mm_loadu_ps(lanes);
                }
                _mm_storeu_ps(row + j - first, four);
                maxv = _mm_max_ps(four, maxv);
            }
        }
        for (; i < count; i++, j++, k += kv_dim) {
            float s = (avx2 ? dot_avx2(q, a->k_cache, k, hd, half) : dot_portable(q, a->k_cache, k, hd, half)) * scale;
            if (softcap > 0) s = softcap * tanhf(s / softcap);
            row[j - first] = s;
            maxs = s > maxs ? s : maxs;
        }
    }
    if (avx2) {
        const float m = max4(maxv);
        softmax_avx2(row, pos + 1 - first, m > maxs ? m : maxs);
    } else {
        softmax_portable(row, pos + 1 - first, maxs);
    }
}

/// out = sum over positions of p[j] * v[j] for one head, 64 elements at a time held in
/// registers across all positions (head_dim a multiple of 8).
AVX2 static inline __attribute__((always_inline)) void head_values_body(const llm_attention_args *a, int64_t head_offset,
                                                                        const int32_t *table, int64_t first, int64_t pos,
                                                                        const float *p, float *out, bool half) {
    const int64_t hd = a->head_dim, kv_dim = a->kv_heads * hd, bs = a->block_size;
    for (int64_t c = 0; c < hd; c += 64) {
        const int64_t width = llm_min64(64, hd - c) / 8;
        __m256 acc[8];
        for (int x = 0; x < 8; x++) acc[x] = _mm256_setzero_ps();
        for (int64_t j = first; j <= pos;) {
            const int64_t count = llm_min64(bs - j % bs, pos + 1 - j);
            int64_t v = cache_row(table, j, bs, kv_dim) + head_offset + c;
            for (int64_t i = 0; i < count; i++, j++, v += kv_dim) {
                __m256 weight = _mm256_set1_ps(p[j - first]);
                if (width == 8) {
                    // A constant trip count keeps the accumulators in registers.
                    for (int x = 0; x < 8; x++) acc[x] = _mm256_fmadd_ps(weight, load8_kv(a->v_cache, v + 8 * x, half), acc[x]);
                } else {
                    for (int64_t x = 0; x < width; x++) acc[x] = _mm256_fmadd_ps(weight, load8_kv(a->v_cache, v + 8 * x, half), acc[x]);
                }
            }
        }
        for (int64_t x = 0; x < width; x++) _mm256_storeu_ps(out + c + 8 * x, acc[x]);
    }
}

// One copy per cache element type (the inner loop's loads fixed at compile time).
AVX2 static void head_values_avx2_f32(const llm_attention_args *a, int64_t head_offset, const int32_t *table, int64_t first,
                                     int64_t pos, const float *p, float *out) {
    head_values_body(a, head_offset, table, first, pos, p, out, false);
}
AVX2 static void head_values_avx2_f16(const llm_attention_args *a, int64_t head_offset, const int32_t *table, int64_t first,
                                     int64_t pos, const float *p, float *out) {
    head_values_body(a, head_offset, table, first, pos, p, out, true);
}

static inline void head_values_portable(const llm_attention_args *a, int64_t head_offset, const int32_t *table, int64_t first,
                                        int64_t pos, const float *p, float *out, bool half) {
    const int64_t hd = a->head_dim, kv_dim = a->kv_heads * hd, bs = a->block_size;
    memset(out, 0, (size_t)hd * 4);
    for (int64_t j = first; j <= pos; j++) {
        const int64_t v = cache_row(table, j, bs, kv_dim) + head_offset;
        for (int64_t d = 0; d < hd; d++) out[d] += p[j - first] * load1_kv(a->v_cache, v + d, half);
    }
}

/// One token, query heads [h_begin, h_end) (grouped-query attention: query head h reads
/// KV head h / group): scores over the visible keys, softmax in f32, then the weighted
/// sum of values. Keys and values are read through the block table, never copied. Each
/// head's result depends only on its own sequence.
static inline __attribute__((always_inline)) void attend(const llm_attention_args *a, int64_t t, int64_t seq, int64_t h_begin,
                                                         int64_t h_end, float *scores, bool avx2, bool half) {
    const int64_t hd = a->head_dim, group = a->q_heads / a->kv_heads, pos = a->positions[t];
    const int64_t first = a->sliding_window > 0 && pos + 1 > a->sliding_window ? pos + 1 - a->sliding_window : 0;
    const int32_t *table = a->block_table + seq * a->max_blocks_per_seq;
    for (int64_t h = h_begin; h < h_end; h++) {
        const int64_t kv_offset = (h / group) * hd;
        float *out = a->out + (t * a->q_heads + h) * hd;
        head_scores(a, a->q + (t * a->q_heads + h) * hd, kv_offset, table, first, pos, scores, avx2, half);
        if (avx2) (half ? head_values_avx2_f16 : head_values_avx2_f32)(a, kv_offset, table, first, pos, scores, out);
        else head_values_portable(a, kv_offset, table, first, pos, scores, out, half);
    }
}

// One copy per instruction set and cache element type, each with its choices constant.
AVX2 static void attend_avx2_f32(const llm_attention_args *a, int64_t t, int64_t s, int64_t b, int64_t e, float *scores) {
    attend(a, t, s, b, e, scores, true, false);
}
AVX2 static void attend_avx2_f16(const llm_attention_args *a, int64_t t, int64_t s, int64_t b, int64_t e, float *scores) {
    attend(a, t, s, b, e, scores, true, true);
}
static void attend_portable_f32(const llm_attention_args *a, int64_t t, int64_t s, int64_t b, int64_t e, float *scores) {
    attend(a, t, s, b, e, scores, false, false);
}
static void attend_portable_f16(const llm_attention_args *a, int64_t t, int64_t s, int64_t b, int64_t e, float *scores) {
    attend(a, t, s, b, e, scores, false, true);
}

/// Asks for the keys and values of token t's visible positions (whole cache rows: every
/// kv head) while the thread attends its current item, so they are in L2 when it gets
/// there: a token's blocks lie scattered, and each new block otherwise starts cold.
static void prefetch_item(const llm_attention_args *a, const int32_t *token_seq, int64_t t) {
    const int64_t bs = a->block_size, kv_dim = a->kv_heads * a->head_dim, pos = a->positions[t];
    const int64_t first = a->sliding_window > 0 && pos + 1 > a->sliding_window ? pos + 1 - a->sliding_window : 0;
    const int32_t *table = a->block_table + token_seq[t] * a->max_blocks_per_seq;
    const int64_t element = a->kv_type == LLM_F16 ? 2 : 4;
    // At long contexts only the first rows: more than L2 holds would evict the current item's.
    const int64_t last = llm_min64(pos, first + PREFETCH_ITEM_BYTES / (kv_dim * element));
    for (int64_t j = first; j <= last;) {
        const int64_t count = llm_min64(bs - j % bs, last + 1 - j);
        const int64_t start = cache_row(table, j, bs, kv_dim) * element, bytes = count * kv_dim * element;
        for (int64_t line = 0; line < bytes; line += 64) {
            _mm_prefetch((const char *)a->k_cache + start + line, _MM_HINT_T1);
            _mm_prefetch((const char *)a->v_cache + start + line, _MM_HINT_T1);
        }
        j += count;
    }
}

/// Work items are tokens with all their heads; with fewer tokens than threads, each
/// token's query heads are split into as many parts as keep every thread busy. Threads
/// claim items as they finish, so one slow core does not hold the other up; an item's
/// result does not depend on which thread computes it.
static void attention_task(void *ctx, int index, int count) {
    (void)index;
    attention_job *job = ctx;
    const llm_attention_args *a = job->a;
    const int64_t parts = a->tokens >= count ? 1 : llm_min64(a->q_heads, (count + a->tokens - 1) / a->tokens);
    float *scores = NULL;
    // With items to spare, each thread claims its next item before attending the current
    // one and asks for that item's cache rows meanwhile (with about one item a thread,
    // claiming ahead would leave another thread idle).
    const int64_t items = a->tokens * parts;
    const bool ahead = items >= 2 * (int64_t)count;
    int64_t e = atomic_fetch_add_explicit(&job->next, 1, memory_order_relaxed);
    while (e < items) {
        int64_t next = items;
        if (ahead) {
            next = atomic_fetch_add_explicit(&job->next, 1, memory_order_relaxed);
            if (next < items && next % parts == 0) prefetch_item(a, job->token_seq, next / parts);
        }
        if (!scores && !(scores = malloc((size_t)job->longest * sizeof(float)))) return;
        int64_t t = e / parts, h_begin, h_end;
        llm_split(a->q_heads, (int)(e % parts), (int)parts, &h_begin, &h_end);
        const bool half = a->kv_type == LLM_F16;
        if (job->avx2) (half ? attend_avx2_f16 : attend_avx2_f32)(a, t, job->token_seq[t], h_begin, h_end, scores);
        else (half ? attend_portable_f16 : attend_portable_f32)(a, t, job->token_seq[t], h_begin, h_end, scores);
        e = ahead ? next : atomic_fetch_add_explicit(&job->next, 1, memory_order_relaxed);
    }
    free(scores);
}

void llm_attention(llm_pool *pool, const llm_attention_args *a) {
    int32_t *token_seq = malloc((size_t)(a->tokens > 0 ? a->tokens : 1) * sizeof(int32_t));
    if (!token_seq) return;
    for (int64_t s = 0; s < a->sequences; s++)
        for (int64_t t = a->query_start[s]; t < a->query_start[s + 1]; t++) token_seq[t] = (int32_t)s;
    int64_t longest = 1;
    for (int64_t t = 0; t < a->tokens; t++) longest = a->positions[t] + 1 > longest ? a->positions[t] + 1 : longest;
    attention_job job = {a, token_seq, llm_has_avx2() && a->head_dim % 8 == 0, longest, 0};
    llm_pool_run(pool, attention_task, &job);
    free(token_seq);
}
