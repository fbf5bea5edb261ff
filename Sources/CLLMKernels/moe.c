// Mixture-of-experts kernels of the CPU backend: routing, and the routed experts' gated
// MLPs grouped by expert (each expert's weight rows are read once per call and reused
// for every pair routed to it), with one f32 dot product per output so results are the
// same whatever tokens share the call.
#include "llm_kernels.h"
#include "kernels_internal.h"
#include <math.h>
#include <string.h>

/// NaN logits rank as -inf: never chosen over a number, and weighing nothing.
static inline float logit_or_lowest(float v) { return isnan(v) ? -INFINITY : v; }

void llm_moe_route(const float *logits, int64_t tokens, int64_t experts, int64_t top_k, bool normalize,
                   int32_t *ids, float *weights) {
    for (int64_t t = 0; t < tokens; t++) {
        const float *l = logits + t * experts;
        int32_t *id = ids + t * top_k;
        float *w = weights + t * top_k;
        float max = -INFINITY;
        for (int64_t e = 0; e < experts; e++) max = fmaxf(max, logit_or_lowest(l[e]));
        double sum = 0;
        for (int64_t e = 0; e < experts; e++) sum += expf(logit_or_lowest(l[e]) - max);
        // k passes, each taking the largest logit not yet chosen (the lower id on ties).
        for (int64_t j = 0; j < top_k; j++) {
            int32_t best = -1;
            float best_value = -INFINITY;
            for (int64_t e = 0; e < experts; e++) {
                bool taken = false;
                for (int64_t i = 0; i < j; i++) taken |= id[i] == e;
                float v = logit_or_lowest(l[e]);
                if (!taken && (best < 0 || v > best_value)) best = (int32_t)e, best_value = v;
            }
            id[j] = best;
            w[j] = (float)(expf(best_value - max) / sum);
        }
        if (normalize) {
            float chosen = 0;
            for (int64_t j = 0; j < top_k; j++) chosen += w[j];
            for (int64_t j = 0; j < top_k; j++) w[j] /= chosen;
        }
    }
}

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

size_t llm_moe_row_scratch_bytes(int64_t hidden, int64_t ff, int threads) {
    return (size_t)threads * (size_t)(2 * max64(hidden, ff)) * sizeof(float);
}

typedef struct {
    const llm_moe_args *a;
    const int32_t *active;      // ids of the experts with pairs
    int64_t active_count;
    size_t gate_up_row_bytes, down_row_bytes;
} moe_job;

static const int32_t *pairs_of(const llm_moe_args *a, int64_t expert, int64_t *count) {
    *count = a->assignments[expert];
    return a->assignments + a->experts + expert * a->tokens;
}

/// A weight row as f32: in place for f32 weights, else dequantised into `tmp`.
static const float *row_f32(int type, const void *row, int64_t n, float *tmp) {
    if (type == LLM_F32) return row;
    llm_dequantize(type, row, tmp, n);
    return tmp;
}

/// Items are (active expert, ff row j): gate row j and up row ff + j against every pair.
static void gate_up_task(void *ctx, int index, int count) {
    moe_job *job = ctx;
    const llm_moe_args *a = job->a;
    int64_t begin, end;
    llm_split(job->active_count * a->ff, index, count, &begin, &end);
    float *tmp = a->rows + (size_t)index * 2 * max64(a->hidden, a->ff);
    for (int64_t item = begin; item < end; item++) {
        int64_t expert = job->active[item / a->ff], j = item % a->ff, pairs;
        const int32_t *list = pairs_of(a, expert, &pairs);
        const uint8_t *base = (const uint8_t *)a->gate_up + (size_t)expert * 2 * a->ff * job->gate_up_row_bytes;
        const float *gate = row_f32(a->gate_up_type, base + (size_t)j * job->gate_up_row_bytes, a->hidden, tmp);
        const float *up = row_f32(a->gate_up_type, base + (size_t)(a->ff + j) * job->gate_up_row_bytes, a->hidden, tmp + a->hidden);
        for (int64_t p = 0; p < pairs; p++) {
            int64_t pair = list[p];
            const float *x = a->x + (pair / a->top_k) * a->hidden;
            float g = llm_dot_f32(gate, x, a->hidden), u = llm_dot_f32(up, x, a->hidden);
            float act = a->gelu ? 0.5f * g * (1.0f + tanhf(0.7978845608f * (g + 0.044715f * g * g * g))) : g / (1.0f + expf(-g));
            a->activated[pair * a->ff + j] = act * u;
        }
    }
}

/// Items are (active expert, output row h) of the down projection.
static void down_task(void *ctx, int index, int count) {
    moe_job *job = ctx;
    const llm_moe_args *a = job->a;
    int64_t begin, end;
    llm_split(job->active_count * a->hidden, index, count, &begin, &end);
    float *tmp = a->rows + (size_t)index * 2 * max64(a->hidden, a->ff);
    for (int64_t item = begin; item < end; item++) {
        int64_t expert = job->active[item / a->hidden], h = item % a->hidden, pairs;
        const int32_t *list = pairs_of(a, expert, &pairs);
        const uint8_t *row = (const uint8_t *)a->down + ((size_t)expert * a->hidden + (size_t)h) * job->down_row_bytes;
        const float *w = row_f32(a->down_type, row, a->ff, tmp);
        for (int64_t p = 0; p < pairs; p++) {
            int64_t pair = list[p];
            a->expert_out[pair * a->hidden + h] = llm_dot_f32(w, a->activated + pair * a->ff, a->ff);
        }
    }
}

/// out[t] = sum over j in order of weights[t, j] * expert_out[t*k + j].
static void combine_task(void *ctx, int index, int count) {
    moe_job *job = ctx;
    const llm_moe_args *a = job->a;
    int64_t begin, end;
    llm_split(a->tokens, index, count, &begin, &end);
    for (int64_t t = begin; t < end; t++) {
        float *o = a->out + t * a->hidden;
        for (int64_t h = 0; h < a->hidden; h++) o[h] = 0;
        for (int64_t j = 0; j < a->top_k; j++) {
            float w = a->weights[t * a->top_k + j];
            const float *y = a->expert_out + (t * a->top_k + j) * a->hidden;
            for (int64_t h = 0; h < a->hidden; h++) o[h] += w * y[h];
        }
    }
}

bool llm_moe_experts(llm_pool *pool, const llm_moe_args *a) {
    moe_job job = {0};
    job.a = a;
    job.gate_up_row_bytes = llm_row_bytes(a->gate_up_type, a->hidden);
    job.down_row_bytes = llm_row_bytes(a->down_type, a->ff);
    if (job.gate_up_row_bytes == 0 || job.down_row_bytes == 0) return false;
    // Bucket the pairs by expert, in pair order.
    int32_t *counts = a->assignments;
    memset(counts, 0, (size_t)a->experts * sizeof(int32_t));
    for (int64_t pair = 0; pair < a->tokens * a->top_k; pair++) {
        int32_t e = a->ids[pair];
        if (e < 0 || e >= a->experts || counts[e] >= a->tokens) return false;
        int64_t t = pair / a->top_k;
        for (int64_t j = t * a->top_k; j < pair; j++) if (a->ids[j] == e) return false;
        a->assignments[a->experts + (int64_t)e * a->tokens + counts[e]++] = (int32_t)pair;
    }
    // Threads split only the experts that have pairs (at most 1024 experts, as the
    // shape rules allow).
    int32_t active[1024];
    if (a->experts > 1024) return false;
    for (int64_t e = 0; e < a->experts; e++) if (counts[e] > 0) active[job.active_count++] = (int32_t)e;
    job.active = active;
    if (a->tokens > 0) {
        llm_pool_run(pool, gate_up_task, &job);
        llm_pool_run(pool, down_task, &job);
        llm_pool_run(pool, combine_task, &job);
    }
    return true;
}
