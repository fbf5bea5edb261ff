#ifndef LLM_MOE_H
#define LLM_MOE_H
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "llm_threadpool.h"

/// Mixture-of-experts routing, per token: the top_k experts by router logit (softmax is
/// monotone, so this is the top_k by probability; ties go to the lower expert id), in
/// descending order into ids [tokens, top_k], and their softmax probabilities over all
/// `experts` (f32) into weights [tokens, top_k], divided by their sum when `normalize`.
/// NaN logits rank as -inf (never chosen over a number, zero weight).
void llm_moe_route(const float *logits, int64_t tokens, int64_t experts, int64_t top_k, bool normalize,
                   int32_t *ids, float *weights);

/// The routed experts' gated MLPs (see the Backend op `moeExperts`). Weights are rows of
/// format gate_up_type / down_type (llm_type): gate_up [experts, 2*ff, hidden] (gate rows,
/// then up rows, per expert), down [experts, hidden, ff]. Each weight row is read once and
/// multiplied with every (token, choice) pair routed to its expert, one f32 dot product
/// per output, so a token's result never depends on the other tokens of the call.
typedef struct {
    const float *x;             // [tokens, hidden]
    int64_t tokens, hidden, ff, experts, top_k;
    const void *gate_up;
    int gate_up_type;
    const void *down;
    int down_type;
    const int32_t *ids;         // [tokens, top_k]
    const float *weights;       // [tokens, top_k]
    bool gelu;                  // activation: gelu_tanh, else silu
    float *activated;           // scratch [tokens * top_k, ff]
    float *expert_out;          // scratch [tokens * top_k, hidden]
    int32_t *assignments;       // scratch [experts * (tokens + 1)]
    float *rows;                // scratch llm_moe_row_scratch_bytes(...)
    float *out;                 // [tokens, hidden]
} llm_moe_args;

/// Bytes of `rows`: dequantised weight rows, per thread.
size_t llm_moe_row_scratch_bytes(int64_t hidden, int64_t ff, int threads);
/// False (and nothing computed) when an id is outside [0, experts), a token names one
/// expert twice, or a weight type is unsupported.
bool llm_moe_experts(llm_pool *pool, const llm_moe_args *args);

#endif
