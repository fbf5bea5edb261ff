// C kernels of the CPU backend. Hot loops live here so they can be compiled for
// AVX2/FMA with per-function target attributes and a runtime CPU check, keeping one
// portable binary. Everything takes explicit sizes; nothing keeps global state except
// the read-only CPU feature probe.
#ifndef LLM_KERNELS_H
#define LLM_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Element/block formats, numbered as the Swift `DType` cases map onto them.
typedef enum {
    LLM_F32 = 0, LLM_F16 = 1, LLM_BF16 = 2,
    LLM_Q4_0 = 3, LLM_Q4_1 = 4, LLM_Q5_0 = 5, LLM_Q5_1 = 6, LLM_Q8_0 = 7,
    LLM_Q4_K = 8, LLM_Q5_K = 9, LLM_Q6_K = 10, LLM_Q8_K = 11,
    LLM_F8_E4M3 = 12,
} llm_type;

/// Converts `n` elements of format `type` at `src` to f32. `n` must be a multiple of the
/// format's block size. Returns false for an unknown type.
bool llm_dequantize(int type, const void *src, float *dst, int64_t n);

/// Bytes of one row of `n` elements in format `type` (0 for an unknown type).
size_t llm_row_bytes(int type, int64_t n);

/// Whether this CPU runs the AVX2/FMA/F16C kernel versions.
bool llm_has_avx2(void);
/// Whether this CPU runs the AVX-512 VNNI kernels (interleaved quantised GEMM).
bool llm_has_avx512_vnni(void);

float llm_fp16_to_fp32(uint16_t h);
uint16_t llm_fp32_to_fp16(float f);

#include "llm_threadpool.h"
#include "llm_ops.h"
#include "llm_sampling.h"
#include "llm_moe.h"

#ifdef __cplusplus
}
#endif
#endif
