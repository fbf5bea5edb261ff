// The AVX2 kernels with VNNI's fused u8*s8 multiply-add (AVX512-VNNI on 256-bit
// registers), one instruction where AVX2 needs two.
#define SIMD __attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512vnni")))
#define SIMD_NAME(name) name##_vnni
#define SIMD_VNNI 1
#include "qdot_simd.h"

llm_qdot_fn llm_qdot_vnni(int w_type) {
    switch (w_type) {
    case LLM_Q4_0: return dot_q4_0_vnni;
    case LLM_Q4_1: return dot_q4_1_vnni;
    case LLM_Q8_0: return dot_q8_0_vnni;
    case LLM_Q4_K: return dot_q4_K_vnni;
    case LLM_Q6_K: return dot_q6_K_vnni;
    default: return NULL;
    }
}

llm_qdot4_fn llm_qdot4_vnni(int w_type) {
    switch (w_type) {
    case LLM_Q4_0: return dot4_q4_0_vnni;
    case LLM_Q4_1: return dot4_q4_1_vnni;
    case LLM_Q8_0: return dot4_q8_0_vnni;
    default: return NULL;
    }
}
