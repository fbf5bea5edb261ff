// The CPU `sample` op: the host Sampler's penalties, temperature, min-p, top-k, top-p
// and inverse-CDF draw over a batch of logits rows. It is the reference of the device
// sampler, so every float operation follows the Swift code's order (no contraction).
#include "llm_sampling.h"
#include "kernels_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF

static inline int64_t key_id(uint64_t key) { return (int64_t)(0xFFFFFFFFu - (uint32_t)key); }

/// Largest value, lowest index on ties; NaN only when every value is NaN (then 0).
static int64_t argmax_row(const float *v, int64_t n) {
    int64_t best = 0;
    while (best < n && isnan(v[best])) best++;
    if (best == n) return 0;
    float value = v[best];
    for (int64_t i = best + 1; i < n; i++)
        if (v[i] > value) { best = i; value = v[i]; }
    return best;
}

/// log(sum(exp(v))) with the max subtracted and the sum in double; NaN ignored.
static float log_sum_exp(const float *v, int64_t n) {
    float m = -INFINITY;
    for (int64_t i = 0; i < n; i++) if (v[i] > m) m = v[i];
    if (!isfinite(m)) return m;
    double sum = 0;
    for (int64_t i = 0; i < n; i++) {
        float d = v[i] - m;
        if (d > -INFINITY) sum += (double)expf(d);
    }
    return m + (float)log(sum);
}

static void apply_penalties(float *p, const llm_sample_params *a, int64_t r, int64_t n) {
    const float rep = a->repetition_penalty[r], freq = a->frequency_penalty[r], pres = a->presence_penalty[r];
    for (int32_t e = a->penalty_row_start[r]; e < a->penalty_row_start[r + 1]; e++) {
        int64_t id = a->penalty_ids[e];
        if (id < 0 || id >= n) continue;
        int32_t count = a->penalty_counts[e];
        if (rep != 1.0f && (a->penalty_in_prompt[e] != 0 || count > 0)) {
            float v = p[id];
            p[id] = v > 0 ? v / rep : v * rep;
        }
        if ((freq != 0.0f || pres != 0.0f) && count > 0) {
            float scaled = freq * (float)count;
            p[id] = p[id] - scaled;
            p[id] = p[id] - pres;
        }
    }
}

static int compare_descending(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? 1 : (x > y ? -1 : 0);
}

static inline void swap_keys(uint64_t *k, int64_t i, int64_t j) { uint64_t t = k[i]; k[i] = k[j]; k[j] = t; }

/// Moves the median of keys[lo], keys[mid], keys[hi - 1] to keys[hi - 1] (the pivot slot).
static uint64_t park_pivot(uint64_t *k, int64_t lo, int64_t hi) {
    int64_t mid = lo + (hi - lo) / 2, last = hi - 1;
    if (k[mid] > k[lo]) swap_keys(k, mid, lo);
    if (k[last] > k[lo]) swap_keys(k, last, lo);
    if (k[mid] > k[last]) swap_keys(k, mid, last);
    return k[last];
}

/// Reorders keys[0..<m) (distinct) so the `count` largest come first, in any order.
static void select_largest(uint64_t *k, int64_t m, int64_t count) {
    int64_t lo = 0, hi = m;
    while (hi - lo > 1) {
        uint64_t pivot = park_pivot(k, lo, hi);
        int64_t store = lo;
        for (int64_t j = lo; j < hi - 1; j++) if (k[j] > pivot) swap_keys(k, store++, j);
        swap_keys(k, store, hi - 1);
        if (store + 1 == count || store == count) return;
        if (store + 1 < count) lo = store + 1; else hi = store;
    }
}

/// The nucleus of keys[0..<m): reorders them so the smallest best-first prefix whose
/// weight reaches `threshold` comes first (a token is kept while the weight ranked
/// before it is below the threshold; at least one is kept) and returns its length.
static int64_t select_nucleus(uint64_t *k, int64_t m, const float *s, double threshold) {
    int64_t lo = 0, hi = m;
    double kept = 0;
    while (lo < hi && kept < threshold) {
        uint64_t pivot = park_pivot(k, lo, hi);
        int64_t store = lo;
        double better = 0;
        for (int64_t j = lo; j < hi - 1; j++) {
            if (k[j] > pivot) { better += (double)s[key_id(k[j])]; swap_keys(k, store++, j); }
        }
        swap_keys(k, store, hi - 1);
        if (kept + better >= threshold) {
            hi = store;
        } else {
            kept += better + (double)s[key_id(pivot)];
            lo = store + 1;
        }
    }
    return lo > 0 ? lo : 1;
}

/// Temperature, min-p, top-k, top-p and the draw over processed logits `p`.
static int64_t draw_row(const float *p, float *s, uint64_t *keys, int64_t n, float temperature, int32_t top_k,
                        float top_p, float min_p, double u) {
    float max_logit = -INFINITY;
    for (int64_t i = 0; i < n; i++) if (p[i] > max_logit) max_logit = p[i];
    if (!isfinite(max_logit)) return argmax_row(p, n);
    const float inv_t = 1.0f / temperature;
    double total = 0;
    int64_t live = 0, last_live = 0;
    for (int64_t i = 0; i < n; i++) {
        float d = (p[i] - max_logit) * inv_t;
        float e = d > -INFINITY ? expf(d) : 0.0f;
        float w = e >= min_p ? e : 0.0f;
        s[i] = w;
        total += (double)w;
        if (w > 0) { live++; last_live = i; }
    }
    if (!(total > 0)) return argmax_row(p, n);
    const int64_t k = top_k > 0 && top_k < live ? top_k : 0;
    const double tp = (double)top_p;
    if (k == 0 && tp >= 1) {
        double target = u * total, acc = 0;
        for (int64_t i = 0; i < n; i++) {
            acc += (double)s[i];
            if (acc > target) return i;
        }
        return last_live;
    }

    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) if (s[i] > 0) keys[m++] = llm_rank_key(p[i], i);
    int64_t kept;
    if (k > 0) {
        select_largest(keys, m, k);
        kept = k;
        if (tp < 1) {
            qsort(keys, (size_t)k, sizeof(uint64_t), compare_descending);
            double sum = 0;
            for (int64_t j = 0; j < k; j++) sum += (double)s[key_id(keys[j])];
            double threshold = tp * sum, cumulative = 0;
            kept = 0;
            for (int64_t j = 0; j < k; j++) {
                if (kept > 0 && cumulative >= threshold) break;
                cumulative += (double)s[key_id(keys[j])];
                kept++;
            }
        }
    } else {
        kept = select_nucleus(keys, m, s, tp * total);
    }
    uint64_t cut = UINT64_MAX;
    for (int64_t j = 0; j < kept; j++) if (keys[j] < cut) cut = keys[j];

    // The kept tokens are the live ones ranked at or above `cut`; draw in id order.
    double kept_total = 0;
    int64_t last_kept = last_live;
    for (int64_t i = 0; i < n; i++) {
        if (s[i] > 0 && llm_rank_key(p[i], i) >= cut) { kept_total += (double)s[i]; last_kept = i; }
    }
    double target = u * kept_total, acc = 0;
    for (int64_t i = 0; i < n; i++) {
        if (s[i] > 0 && llm_rank_key(p[i], i) >= cut) {
            acc += (double)s[i];
            if (acc > target) return i;
        }
    }
    return last_kept;
}

typedef struct {
    const float *logits;
    const llm_sample_params *params;
    int32_t *out;
    float *logprobs;
    int failed;
} sample_job;

static void sample_task(void *ctx, int index, int count) {
    sample_job *job = ctx;
    const llm_sample_params *a = job->params;
    int64_t begin, end;
    llm_split(a->rows, index, count, &begin, &end);
    if (begin >= end) return;
    const int64_t n = a->vocab;
    if (n == 0) {
        for (int64_t r = begin; r < end; r++) {
            job->out[r] = 0;
            if (job->logprobs) job->logprobs[r] = -INFINITY;
        }
        return;
    }
    float *p = malloc((size_t)n * sizeof(float));
    float *s = malloc((size_t)n * sizeof(float));
    uint64_t *keys = malloc((size_t)n * sizeof(uint64_t));
    if (!p || !s || !keys) {
        free(p); free(s); free(keys);
        job->failed = 1;
        return;
    }
    for (int64_t r = begin; r < end; r++) {
        const float *raw = job->logits + r * n;
        memcpy(p, raw, (size_t)n * sizeof(float));
        apply_penalties(p, a, r, n);
        int64_t id;
        if (a->temperature[r] < LLM_GREEDY_TEMPERATURE) {
            id = argmax_row(p, n);
        } else {
            uint64_t bits = (uint64_t)a->uniform_bits[2 * r] | ((uint64_t)a->uniform_bits[2 * r + 1] << 32);
            double u;
            memcpy(&u, &bits, sizeof u);
            id = draw_row(p, s, keys, n, a->temperature[r], a->top_k[r], a->top_p[r], a->min_p[r], u);
        }
        job->out[r] = (int32_t)id;
        if (job->logprobs) job->logprobs[r] = raw[id] - log_sum_exp(raw, n);
    }
    free(p); free(s); free(keys);
}

bool llm_sample(llm_pool *pool, const float *logits, const llm_sample_params *params, int32_t *out, float *logprobs) {
    sample_job job = {logits, params, out, logprobs, 0};
    if (params->rows <= 1) sample_task(&job, 0, 1);
    else llm_pool_run(pool, sample_task, &job);
    return job.failed == 0;
}
