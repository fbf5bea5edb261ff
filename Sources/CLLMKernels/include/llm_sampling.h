#ifndef LLM_SAMPLING_H
#define LLM_SAMPLING_H
#include <stdint.h>
#include <stdbool.h>
#include "llm_threadpool.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Per-row settings of one sampling step (every array has `rows` entries unless noted).
/// The penalty lists are CSR: row r owns entries penalty_row_start[r] ..<
/// penalty_row_start[r + 1] of penalty_ids / penalty_counts / penalty_in_prompt, one
/// entry per distinct token id (ascending within the row).
typedef struct {
    int64_t rows;
    int64_t vocab;
    const float *temperature;        // < LLM_GREEDY_TEMPERATURE: greedy
    const int32_t *top_k;            // <= 0 or >= live tokens: off
    const float *top_p;              // >= 1: off
    const float *min_p;              // 0: off
    const float *repetition_penalty; // 1: off
    const float *presence_penalty;
    const float *frequency_penalty;
    const uint32_t *uniform_bits;    // [rows * 2]: the IEEE bits of a double u in [0, 1), low word first
    const int32_t *penalty_row_start; // [rows + 1]
    const int32_t *penalty_ids;
    const int32_t *penalty_counts;    // times generated
    const int32_t *penalty_in_prompt; // 0 or 1
} llm_sample_params;

/// Temperatures below this are greedy (vLLM's `_SAMPLING_EPS`, as `SamplingParams`).
#define LLM_GREEDY_TEMPERATURE 1e-5f

/// Samples one token per row of `logits` ([rows, vocab], not modified) exactly as the
/// host `Sampler` does after logit bias and min-tokens masking: repetition, frequency
/// and presence penalties; then greedy argmax (lowest id on ties), or temperature,
/// min-p, top-k, top-p and an inverse-CDF draw with the row's u over the kept tokens in
/// ascending id order. `logprobs` (may be NULL) receives the chosen token's log-softmax
/// under the raw logits. Returns false when a scratch allocation fails.
bool llm_sample(llm_pool *pool, const float *logits, const llm_sample_params *params,
                int32_t *out, float *logprobs);

/// The order-preserving 64-bit rank key the samplers share: larger key = ranked first.
/// High word: the float's bits mapped so unsigned order is numeric order (-0 as +0);
/// low word: ~id, so equal logits rank the lower id first.
static inline uint64_t llm_rank_key(float value, int64_t id) {
    union { float f; uint32_t u; } v;
    v.f = value == 0.0f ? 0.0f : value;
    uint32_t ordered = (v.u & 0x80000000u) ? ~v.u : (v.u | 0x80000000u);
    return ((uint64_t)ordered << 32) | (uint64_t)(0xFFFFFFFFu - (uint32_t)id);
}

#ifdef __cplusplus
}
#endif
#endif
