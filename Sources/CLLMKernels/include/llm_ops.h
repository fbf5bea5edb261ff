#ifndef LLM_OPS_H
#define LLM_OPS_H
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "llm_threadpool.h"

/// out[t, o] = sum_i x[t, i] * W[o, i] (+ bias[o]). W is `out_features` rows of
/// `in_features` elements in format `w_type` (llm_type). In fast mode activations are
/// quantised to 8 bits for the integer dot products (quantised weights only), and where
/// `w_interleaved` is set (llm_interleave_weights) the interleaved kernel reads that copy;
/// exact mode dequantises each weight row and multiplies in f32, as references do.
typedef struct {
    const float *x;
    int64_t tokens;
    int64_t in_features;
    const void *w;
    int w_type;
    int64_t out_features;
    const float *bias;      // may be NULL
    float *out;
    void *scratch;          // llm_linear_scratch_bytes(...) bytes, 64-byte aligned
    bool exact;
    const void *w_interleaved; // may be NULL
} llm_linear_args;

/// Bytes of `w_type` weights [rows, in] repacked for the interleaved kernel (rows a
/// multiple of 16; Q4_0, Q4_1 and Q8_0 on AVX-512 VNNI or AVX2), or 0 when
/// it does not apply (format, shape, or the CPU).
size_t llm_interleaved_bytes(int w_type, int64_t rows, int64_t in);
/// Repacks weights into `out` (llm_interleaved_bytes bytes); false when it does not apply.
bool llm_interleave_weights(int w_type, const void *w, int64_t rows, int64_t in, void *out);

size_t llm_linear_scratch_bytes(int w_type, int64_t tokens, int64_t in_features, int threads);
/// Returns false when `w_type` is not supported by the matrix kernels.
bool llm_linear_supported(int w_type);
bool llm_linear(llm_pool *pool, const llm_linear_args *args);

/// Most products llm_linear_shared_input takes at once.
#define LLM_MAX_SHARED_INPUT 4
/// llm_linear of `count` products of one input (a layer's q, k and v) in one pass: the
/// input is quantised once and the threads share out every product's rows together.
/// Only where each product has its interleaved copy (formats may differ: the quantised
/// input's layout is one for all), with the same x, tokens and in_features (scratch: the
/// first's, sized for the largest); false otherwise, with nothing computed, for the
/// caller to run them one by one.
bool llm_linear_shared_input(llm_pool *pool, const llm_linear_args *products, int count);

/// Instruction-set variants of the integer dot-product kernels.
enum { LLM_KERNELS_PORTABLE = 0, LLM_KERNELS_AVX2 = 1, LLM_KERNELS_VNNI = 2 };
/// The best variant this CPU runs.
int llm_best_kernel_variant(void);
/// The integer-path dot product of one weight row with `x` (quantised to 8 bits first)
/// by one kernel variant; NAN when the format has no such kernel or the CPU lacks the
/// variant. Lets tests compare the variants.
float llm_qdot_row(int w_type, const void *row, const float *x, int64_t n, int variant);
/// out [tokens, rows] = x [tokens, in] times repacked weights (llm_interleave_weights) by
/// the interleaved kernel of `variant` (LLM_KERNELS_AVX2 or LLM_KERNELS_VNNI), x quantised
/// to 8 bits first; false when the CPU lacks the variant or it has no kernel for the
/// format. Lets tests compare the variants.
bool llm_interleaved_product(int variant, int w_type, const void *w, int64_t rows, int64_t in, const float *x, int64_t tokens,
                             float *out);
/// Bytes of one activation row of `n` elements in the split layout the interleaved kernel
/// reads: the row's 8-bit values, then its block scales d, then the block sums times d.
size_t llm_q8_split_row_bytes(int64_t n);
/// Quantises `n` values (a multiple of 32) into that layout: per block of 32,
/// d = max|x| / 127, q = x * (1 / d) rounded to nearest even (0 for a zero block). AVX2
/// CPUs only (where the interleaved kernel runs).
void llm_quantize_q8_split(const float *x, int64_t n, void *row);

/// Dot product of one weight row (format `type`, `n` elements) with f32 `x`, exact.
float llm_row_dot_f32(int type, const void *row, const float *x, int64_t n, float *tmp);

/// residual (if not NULL) += x; out = residual_or_x * rsqrt(mean(sq) + eps) * weight.
void llm_rms_norm(llm_pool *pool, const float *x, float *residual, const float *weight,
                  float eps, int64_t tokens, int64_t dim, float *out);
/// In-place RMSNorm of each `head_dim` slice (Qwen3's per-head q/k norm).
void llm_rms_norm_heads(float *x, const float *weight, float eps, int64_t rows, int64_t head_dim);

/// Rotary embedding in place (rotate-half layout: pairs (i, i + rot/2) of the first
/// `rotary_dim` elements of each head). angle = position * inv_freq[i]; cos and sin
/// are multiplied by `attention_scale` (YaRN's magnitude correction, 1 otherwise).
void llm_rope(float *q, int64_t q_heads, float *k, int64_t k_heads, int64_t head_dim,
              int64_t rotary_dim, const int32_t *positions, int64_t tokens,
              const float *inv_freq, float attention_scale);

/// cos and sin (times `attention_scale`) of each token's rotated pairs, as llm_rope
/// computes them: `cos_out` and `sin_out` are [tokens, rotary_dim / 2].
void llm_rope_angles(const int32_t *positions, int64_t tokens, const float *inv_freq, int64_t rotary_dim, float attention_scale,
                     float *cos_out, float *sin_out);

/// llm_rope with angles from llm_rope_angles, then llm_kv_write, tokens split over the
/// pool's threads (every layer of a step rotates the same positions: the angles are
/// computed once).
typedef struct {
    float *q;
    int64_t q_heads;
    float *k;
    const float *v;
    int64_t kv_heads, head_dim, rotary_dim, tokens;
    const float *cos, *sin; // [tokens, rotary_dim / 2]
    const int32_t *slot_mapping;
    int cache_type;
    void *k_cache, *v_cache;
} llm_rope_write_args;
void llm_rope_write_kv(llm_pool *pool, const llm_rope_write_args *args);

/// Writes each token's K and V rows into the paged cache ([blocks, block_size, kv_dim])
/// at slot_mapping[t] (= block * block_size + offset; negative slots are skipped). The
/// caches hold `cache_type` elements: LLM_F32, or LLM_F16 (rounded to nearest even).
void llm_kv_write(const float *k, const float *v, int64_t kv_dim, const int32_t *slot_mapping,
                  int64_t tokens, int cache_type, void *k_cache, void *v_cache);

/// Paged causal attention: token t of sequence s (query_start[s] <= t < query_start[s+1])
/// attends to cached keys 0...positions[t] of that sequence through its block table row.
typedef struct {
    const float *q;             // [tokens, q_heads, head_dim]
    const void *k_cache;        // [blocks, block_size, kv_heads, head_dim] of kv_type
    const void *v_cache;
    int kv_type;                // LLM_F32 or LLM_F16
    const int32_t *block_table; // [sequences, max_blocks_per_seq]
    int64_t max_blocks_per_seq;
    const int32_t *query_start; // [sequences + 1]
    const int32_t *positions;   // [tokens]
    int64_t sequences;
    int64_t tokens;
    int64_t q_heads, kv_heads, head_dim, block_size;
    float scale;
    int64_t sliding_window;     // 0 = none
    float softcap;              // 0 = none
    float *out;                 // [tokens, q_heads, head_dim]
} llm_attention_args;
void llm_attention(llm_pool *pool, const llm_attention_args *args);

/// out[t, j] = silu(x[t, j]) * x[t, ff + j] for x = [gate | up] rows of width 2*ff.
void llm_silu_mul(llm_pool *pool, const float *x, int64_t tokens, int64_t ff, float *out);
/// out[t, j] = gelu_tanh(x[t, j]) * x[t, ff + j].
void llm_gelu_tanh_mul(llm_pool *pool, const float *x, int64_t tokens, int64_t ff, float *out);
void llm_add(const float *a, const float *b, int64_t n, float *out);
/// out[i] = x[i] * scale, then cap * tanh(out[i] / cap) when cap > 0 (x == out allowed).
void llm_scale_softcap(const float *x, int64_t n, float scale, float cap, float *out);
/// Dequantises rows `ids` of `table` (format `type`, `dim` columns) into out.
/// Returns false on an id outside [0, rows) or an unsupported type.
bool llm_embedding(const int32_t *ids, int64_t tokens, const void *table, int type,
                   int64_t rows, int64_t dim, float *out);
void llm_gather_rows(const float *x, int64_t dim, const int32_t *rows, int64_t count, float *out);

#endif
