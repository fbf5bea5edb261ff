// Picks the dot-product kernels for this CPU at run time: AVX512-VNNI, AVX2 or portable.
#include "llm_kernels.h"
#include "kernels_internal.h"

bool llm_has_avx2(void) {
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
}

static bool has_vnni(void) {
    return llm_has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512vnni");
}

float llm_dot_f32(const float *a, const float *b, int64_t n) {
    if (llm_has_avx2()) return llm_dot_f32_avx2(a, b, n);
    float s = 0;
    for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

int llm_best_kernel_variant(void) { return has_vnni() ? LLM_KERNELS_VNNI : llm_has_avx2() ? LLM_KERNELS_AVX2 : LLM_KERNELS_PORTABLE; }

llm_qdot_fn llm_select_qdot(int w_type) { return llm_select_qdot_variant(w_type, llm_best_kernel_variant()); }

llm_qdot_fn llm_select_qdot_variant(int w_type, int variant) {
    if (variant == LLM_KERNELS_VNNI && has_vnni()) return llm_qdot_vnni(w_type);
    if (variant == LLM_KERNELS_AVX2 && llm_has_avx2()) return llm_qdot_avx2(w_type);
    if (variant != LLM_KERNELS_PORTABLE) return NULL;
    switch (w_type) {
    case LLM_Q4_0: return llm_portable_dot_q4_0;
    case LLM_Q4_1: return llm_portable_dot_q4_1;
    case LLM_Q8_0: return llm_portable_dot_q8_0;
    case LLM_Q4_K: return llm_portable_dot_q4_K;
    case LLM_Q6_K: return llm_portable_dot_q6_K;
    default: return NULL;
    }
}

llm_qdot4_fn llm_select_qdot4(int w_type) {
    switch (llm_best_kernel_variant()) {
    case LLM_KERNELS_VNNI: return llm_qdot4_vnni(w_type);
    case LLM_KERNELS_AVX2: return llm_qdot4_avx2(w_type);
    default: return NULL;
    }
}
