// Declarations shared between the kernel files; not part of the public header.
#ifndef LLM_KERNELS_INTERNAL_H
#define LLM_KERNELS_INTERNAL_H
#include "quant_formats.h"
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

void llm_quantize_q8_act(const float *x, int64_t n, block_q8_act *y);
void llm_quantize_q8_K(const float *x, int64_t n, block_q8_K *y);

/// Integer-path dot products of one weight row with one quantised activation row.
typedef float (*llm_qdot_fn)(const void *w, const void *a, int64_t blocks);
llm_qdot_fn llm_select_qdot(int w_type);
/// Four activation rows (`stride` bytes apart) against one weight row, results in out[4];
/// NULL for formats or CPUs without one (callers then use the one-row kernel).
typedef void (*llm_qdot4_fn)(const void *w, const void *a, size_t stride, int64_t blocks, float *out);
llm_qdot4_fn llm_select_qdot4(int w_type);
llm_qdot4_fn llm_qdot4_avx2(int w_type);
llm_qdot4_fn llm_qdot4_vnni(int w_type);
/// The kernel of one instruction-set variant (LLM_KERNELS_*), or NULL when this CPU lacks it.
llm_qdot_fn llm_select_qdot_variant(int w_type, int variant);
llm_qdot_fn llm_qdot_avx2(int w_type);
llm_qdot_fn llm_qdot_vnni(int w_type);
float llm_dot_f32_avx2(const float *a, const float *b, int64_t n);

/// out[t, r] = sum over the weights of groups [first_group, end_group) (16 rows each),
/// repacked by llm_interleave_weights, times activation row t (`stride` bytes apart).
void llm_gemm_interleaved(int w_type, const void *w, int64_t rows, int64_t in, int64_t first_group, int64_t end_group,
                          const void *act, size_t stride, int64_t tokens, const float *bias, float *out);
float llm_portable_dot_q4_0(const void *w, const void *a, int64_t blocks);
float llm_portable_dot_q4_1(const void *w, const void *a, int64_t blocks);
float llm_portable_dot_q8_0(const void *w, const void *a, int64_t blocks);
float llm_portable_dot_q4_K(const void *w, const void *a, int64_t blocks);
float llm_portable_dot_q6_K(const void *w, const void *a, int64_t blocks);
float llm_dot_f32(const float *a, const float *b, int64_t n);

static inline int64_t llm_min64(int64_t a, int64_t b) { return a < b ? a : b; }
/// The half-open range of `total` items that thread `index` of `count` handles.
static inline void llm_split(int64_t total, int index, int count, int64_t *begin, int64_t *end) {
    int64_t per = (total + count - 1) / count;
    *begin = llm_min64(total, per * index);
    *end = llm_min64(total, *begin + per);
}
#endif
