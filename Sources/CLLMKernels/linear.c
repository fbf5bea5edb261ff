#include "llm_kernels.h"
#include "kernels_internal.h"
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <stdatomic.h>

/// Bytes of one quantised activation row for weights of format `w_type`, or 0 when
/// the weights are multiplied in f32.
static size_t act_row_bytes(int w_type, int64_t in) {
    switch (w_type) {
    case LLM_Q4_0: case LLM_Q4_1: case LLM_Q8_0: return (size_t)(in / QK) * sizeof(block_q8_act);
    case LLM_Q4_K: case LLM_Q6_K: return (size_t)(in / QK_K) * sizeof(block_q8_K);
    default: return 0;
    }
}

bool llm_linear_supported(int w_type) { return llm_row_bytes(w_type, 256) > 0; }

static size_t align64(size_t n) { return (n + 63) & ~(size_t)63; }

size_t llm_linear_scratch_bytes(int w_type, int64_t tokens, int64_t in, int threads) {
    // Quantised activations for every token (in the larger of the two layouts), plus one
    // f32 row per thread for exact mode.
    size_t act = act_row_bytes(w_type, in), split = llm_q8_split_row_bytes(in);
    return align64((act > split ? act : split) * (size_t)tokens) + (size_t)threads * align64((size_t)in * 4);
}

float llm_row_dot_f32(int type, const void *row, const float *x, int64_t n, float *tmp) {
    if (type == LLM_F32) return llm_dot_f32(row, x, n);
    llm_dequantize(type, row, tmp, n);
    return llm_dot_f32(tmp, x, n);
}

typedef struct {
    const llm_linear_args *a;
    size_t act_bytes, w_bytes;
    const uint8_t *act;
    llm_qdot_fn qdot;
    llm_qdot4_fn qdot4;
    _Atomic int64_t next_group; // interleaved kernel: the next unclaimed chunk of groups
} linear_job;

static void quantize_task(void *ctx, int index, int count) {
    linear_job *job = ctx;
    const llm_linear_args *a = job->a;
    int64_t begin, end;
    llm_split(a->tokens, index, count, &begin, &end);
    for (int64_t t = begin; t < end; t++) {
        void *dst = (uint8_t *)a->scratch + (size_t)t * job->act_bytes;
        const float *src = a->x + t * a->in_features;
        if (a->w_interleaved) llm_quantize_q8_split(src, a->in_features, dst);
        else if (a->w_type == LLM_Q4_K || a->w_type == LLM_Q6_K) llm_quantize_q8_K(src, a->in_features, dst);
        else llm_quantize_q8_act(src, a->in_features, dst);
    }
}

/// Rows are split across threads in chunks of 4 rows so a thread's weights stay
/// together; each weight row is reused for every token while it is in L1.
static void matmul_task(void *ctx, int index, int count) {
    linear_job *job = ctx;
    const llm_linear_args *a = job->a;
    int64_t begin, end;
    llm_split(a->out_features, index, count, &begin, &end);
    const int64_t in = a->in_features;
    float *tmp = (float *)((uint8_t *)a->scratch + align64(job->act_bytes * (size_t)a->tokens) + (size_t)index * align64((size_t)in * 4));
    for (int64_t o = begin; o < end; o++) {
        const uint8_t *row = (const uint8_t *)a->w + (size_t)o * job->w_bytes;
        float bias = a->bias ? a->bias[o] : 0.0f;
        if (job->qdot) {
            int64_t blocks = in / ((a->w_type == LLM_Q4_K || a->w_type == LLM_Q6_K) ? QK_K : QK);
            int64_t t = 0;
            if (job->qdot4) {
                for (; t + 4 <= a->tokens; t += 4) {
                    float r[4];
                    job->qdot4(row, job->act + (size_t)t * job->act_bytes, job->act_bytes, blocks, r);
                    for (int k = 0; k < 4; k++) a->out[(t + k) * a->out_features + o] = r[k] + bias;
                }
            }
            for (; t < a->tokens; t++)
                a->out[t * a->out_features + o] = job->qdot(row, job->act + (size_t)t * job->act_bytes, blocks) + bias;
        } else {
            const float *w = (const float *)row;
            if (a->w_type != LLM_F32) { llm_dequantize(a->w_type, row, tmp, in); w = tmp; }
            for (int64_t t = 0; t < a->tokens; t++)
                a->out[t * a->out_features + o] = llm_dot_f32(w, a->x + t * in, in) + bias;
        }
    }
}

/// Groups of 16 rows, all tokens of each group in one kernel call. With a few tokens the
/// product streams weights from memory and each thread takes one contiguous share. With
/// more it is bound by compute, and threads claim chunks of groups as they finish (about
/// eight per thread): a fixed split would leave one core waiting whenever the other runs
/// slower (a busy sibling thread, a virtual CPU losing time to its host). Which thread
/// computes a group never changes its result.
static void interleaved_task(void *ctx, int index, int count) {
    linear_job *job = ctx;
    const llm_linear_args *a = job->a;
    const int64_t groups = a->out_features / 16;
    if (a->tokens < 4) {
        int64_t begin, end;
        llm_split(groups, index, count, &begin, &end);
        llm_gemm_interleaved(a->w_type, a->w_interleaved, a->out_features, a->in_features, begin, end, job->act, job->act_bytes,
                             a->tokens, a->bias, a->out);
        return;
    }
    const int64_t chunk = groups / ((int64_t)count * 8) > 1 ? groups / ((int64_t)count * 8) : 1;
    for (;;) {
        const int64_t begin = atomic_fetch_add_explicit(&job->next_group, chunk, memory_order_relaxed);
        if (begin >= groups) return;
        llm_gemm_interleaved(a->w_type, a->w_interleaved, a->out_features, a->in_features, begin, llm_min64(groups, begin + chunk),
                             job->act, job->act_bytes, a->tokens, a->bias, a->out);
    }
}

bool llm_linear(llm_pool *pool, const llm_linear_args *a) {
    linear_job job = {0};
    job.a = a;
    job.w_bytes = llm_row_bytes(a->w_type, a->in_features);
    if (job.w_bytes == 0) return false;
    if (a->w_interleaved && !a->exact) {
        if (llm_interleaved_bytes(a->w_type, a->out_features, a->in_features) == 0) return false;
        job.act_bytes = llm_q8_split_row_bytes(a->in_features);
        job.act = a->scratch;
        llm_pool_run(pool, quantize_task, &job);
        llm_pool_run(pool, interleaved_task, &job);
        return true;
    }
    job.qdot = a->exact ? NULL : llm_select_qdot(a->w_type);
    job.qdot4 = job.qdot ? llm_select_qdot4(a->w_type) : NULL;
    if (job.qdot) {
        job.act_bytes = act_row_bytes(a->w_type, a->in_features);
        job.act = a->scratch;
        llm_pool_run(pool, quantize_task, &job);
    }
    llm_pool_run(pool, matmul_task, &job);
    return true;
}

float llm_qdot_row(int w_type, const void *row, const float *x, int64_t n, int variant) {
    llm_qdot_fn dot = llm_select_qdot_variant(w_type, variant);
    if (!dot) return NAN;
    bool k_quant = w_type == LLM_Q4_K || w_type == LLM_Q6_K;
    size_t bytes = act_row_bytes(w_type, n);
    void *act = malloc(bytes);
    if (!act) return NAN;
    if (k_quant) llm_quantize_q8_K(x, n, act);
    else llm_quantize_q8_act(x, n, act);
    float r = dot(row, act, n / (k_quant ? QK_K : QK));
    free(act);
    return r;
}
