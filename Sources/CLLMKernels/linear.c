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

/// Most threads that own a share of an interleaved product's groups; others only steal.
#define MAX_REGIONS 64

/// One thread's share of the groups, [front, back) packed as front | back << 32: the owner
/// takes chunks from the front, others steal from the back. On its own cache line.
typedef struct {
    _Alignas(64) _Atomic uint64_t span;
} group_region;

typedef struct {
    const llm_linear_args *a; // the product, or the first of the products sharing its input
    size_t act_bytes, w_bytes;
    const uint8_t *act;
    llm_qdot_fn qdot;
    llm_qdot4_fn qdot4;
    // Interleaved kernel: the products' groups numbered one after another, product p's
    // from first_group[p].
    int product_count;
    int64_t first_group[LLM_MAX_SHARED_INPUT + 1];
    group_region *regions; // 4 tokens or more
    int region_count;
    int64_t chunk; // groups taken at a time
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

/// Groups [begin, end) of the numbering across the products.
static void product_groups(const linear_job *job, int64_t begin, int64_t end) {
    for (int p = 0; p < job->product_count; p++) {
        const int64_t first = job->first_group[p], last = job->first_group[p + 1];
        if (end <= first || begin >= last) continue;
        const llm_linear_args *a = job->a + p;
        llm_gemm_interleaved(a->w_type, a->w_interleaved, a->out_features, a->in_features, (begin > first ? begin : first) - first,
                             llm_min64(end, last) - first, job->act, job->act_bytes, a->tokens, a->bias, a->out);
    }
}

/// Takes up to `chunk` groups from the front (the owner) or the back (a thief) of `r`.
static bool claim_groups(group_region *r, int64_t chunk, bool front_end, int64_t *begin, int64_t *end) {
    uint64_t span = atomic_load_explicit(&r->span, memory_order_relaxed);
    for (;;) {
        const int64_t front = (int64_t)(span & 0xFFFFFFFFu), back = (int64_t)(span >> 32);
        if (front >= back) return false;
        const int64_t take = llm_min64(chunk, back - front);
        const uint64_t rest = front_end ? ((uint64_t)back << 32 | (uint64_t)(front + take)) : ((uint64_t)(back - take) << 32 | (uint64_t)front);
        if (atomic_compare_exchange_weak_explicit(&r->span, &span, rest, memory_order_relaxed, memory_order_relaxed)) {
            *begin = front_end ? front : back - take;
            *end = front_end ? front + take : back;
            return true;
        }
    }
}

/// Groups of 16 rows, all tokens of each group in one kernel call. With a few tokens the
/// product streams weights from memory and each thread takes one contiguous share. With
/// more it is bound by compute: each thread still walks its own contiguous share front to
/// back (one stream of weights, which the kernel's prefetch follows from chunk to chunk),
/// and a thread that finishes steals chunks from the back of the others' shares, so one
/// slow core (a virtual CPU losing time to its host) does not hold the other up. Chunks
/// claimed in turn from one shared counter were 7-14% slower on a 16-token decode step
/// (each thread's next chunk lay elsewhere, and its weights arrived unprefetched). Which
/// thread computes a group never changes its result.
static void interleaved_task(void *ctx, int index, int count) {
    linear_job *job = ctx;
    int64_t begin, end;
    if (job->a->tokens < 4) {
        llm_split(job->first_group[job->product_count], index, count, &begin, &end);
        product_groups(job, begin, end);
        return;
    }
    const bool owner = index < job->region_count;
    for (int k = 0; k < job->region_count; k++) {
        // k = 0 is an owner's own share, taken from the front; every other is stolen from.
        const int r = (index + k) % job->region_count;
        const bool own = owner && k == 0;
        while (claim_groups(&job->regions[r], job->chunk, own, &begin, &end)) product_groups(job, begin, end);
    }
}

/// The interleaved kernel over `count` products of one input: the input quantised once,
/// every product's groups in one run of the pool.
static void interleaved_products(llm_pool *pool, const llm_linear_args *products, int count) {
    linear_job job = {0};
    job.a = products;
    job.act_bytes = llm_q8_split_row_bytes(products->in_features);
    job.act = products->scratch;
    job.product_count = count;
    for (int p = 0; p < count; p++) job.first_group[p + 1] = job.first_group[p] + products[p].out_features / 16;
    const int64_t groups = job.first_group[count];
    group_region regions[MAX_REGIONS];
    job.regions = regions;
    job.region_count = (int)llm_min64(llm_min64(llm_pool_threads(pool), MAX_REGIONS), groups > 0 ? groups : 1);
    // About eight chunks a share: small enough to balance, large enough to claim rarely.
    job.chunk = groups / ((int64_t)job.region_count * 8) > 1 ? groups / ((int64_t)job.region_count * 8) : 1;
    for (int r = 0; r < job.region_count; r++) {
        int64_t begin, end;
        llm_split(groups, r, job.region_count, &begin, &end);
        atomic_init(&regions[r].span, (uint64_t)end << 32 | (uint64_t)begin);
    }
    llm_pool_run(pool, quantize_task, &job);
    llm_pool_run(pool, interleaved_task, &job);
}

/// Whether the interleaved kernel takes `a` as it is given (its format and shape: no
/// repacked size otherwise).
static bool interleaved_applies(const llm_linear_args *a) {
    return a->w_interleaved && !a->exact && llm_interleaved_bytes(a->w_type, a->out_features, a->in_features) > 0;
}

bool llm_linear_shared_input(llm_pool *pool, const llm_linear_args *products, int count) {
    if (count < 1 || count > LLM_MAX_SHARED_INPUT) return false;
    for (int p = 0; p < count; p++) {
        const llm_linear_args *a = products + p;
        if (!interleaved_applies(a) || a->x != products->x || a->tokens != products->tokens || a->in_features != products->in_features)
            return false;
    }
    interleaved_products(pool, products, count);
    return true;
}

bool llm_linear(llm_pool *pool, const llm_linear_args *a) {
    linear_job job = {0};
    job.a = a;
    job.w_bytes = llm_row_bytes(a->w_type, a->in_features);
    if (job.w_bytes == 0) return false;
    if (a->w_interleaved && !a->exact) {
        if (!interleaved_applies(a)) return false;
        interleaved_products(pool, a, 1);
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
