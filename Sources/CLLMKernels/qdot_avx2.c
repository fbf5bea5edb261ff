#define SIMD __attribute__((target("avx2,fma,f16c")))
#define SIMD_NAME(name) name##_avx2
#include "qdot_simd.h"

SIMD float llm_dot_f32_avx2(const float *a, const float *b, int64_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    }
    float s = hsum8(_mm256_add_ps(s0, s1));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

llm_qdot_fn llm_qdot_avx2(int w_type) {
    switch (w_type) {
    case LLM_Q4_0: return dot_q4_0_avx2;
    case LLM_Q4_1: return dot_q4_1_avx2;
    case LLM_Q8_0: return dot_q8_0_avx2;
    case LLM_Q4_K: return dot_q4_K_avx2;
    case LLM_Q6_K: return dot_q6_K_avx2;
    default: return NULL;
    }
}

llm_qdot4_fn llm_qdot4_avx2(int w_type) {
    switch (w_type) {
    case LLM_Q4_0: return dot4_q4_0_avx2;
    case LLM_Q4_1: return dot4_q4_1_avx2;
    case LLM_Q8_0: return dot4_q8_0_avx2;
    default: return NULL;
    }
}
