// The warp-per-row dot products of gemv.cu, shared with the fused attention-input
// kernel: weight rows streamed in 16-byte vectors, UNROLL of them in flight per lane,
// marked evict-first so they do not push the activation row out of L1; fp32
// accumulation (sum the lanes with warp_sum).
#pragma once
#include "common.cuh"

#define GEMV_WARPS 4
#define GEMV_UNROLL 4
/// A single row per warp has the registers for twice the loads in flight: the 4096-wide
/// rows of q/k/v and o then take two rounds of memory latency instead of four.
#define GEMV_UNROLL_ONE_ROW 8

/// Bias element types, chosen at run time so the instantiations stay few.
enum GemvBias : int { GEMV_BIAS_NONE = 0, GEMV_BIAS_F32 = 1, GEMV_BIAS_BF16 = 2, GEMV_BIAS_F16 = 3 };

__device__ __forceinline__ float bias_value(const void* bias, int kind, int row) {
    switch (kind) {
    case GEMV_BIAS_F32: return reinterpret_cast<const float*>(bias)[row];
    case GEMV_BIAS_BF16: return to_float(reinterpret_cast<const bf16*>(bias)[row]);
    case GEMV_BIAS_F16: return to_float(reinterpret_cast<const f16*>(bias)[row]);
    default: return 0.0f;
    }
}

/// acc += x[8v .. 8v+8) · the weight vector `wv` (8 elements of T in 16 bytes).
template <typename T>
__device__ __forceinline__ float dot8(const T* __restrict__ x, int v, const uint4& wv, float acc) {
    float wf[8], xf[8];
    load8(reinterpret_cast<const T*>(&wv), wf);
    load8(x + 8 * v, xf);
#pragma unroll
    for (int i = 0; i < 8; i++) acc = fmaf(xf[i], wf[i], acc);
    return acc;
}

/// Every lane's share of x · row for ROWS weight rows read side by side (sum the lanes
/// with warp_sum). The first weight vectors are loaded before grid_dependency_sync():
/// weights are the one input no kernel writes, so a block that starts while the previous
/// kernel finishes has them in flight instead of waiting to ask.
template <typename T, int ROWS, int UNROLL>
__device__ __forceinline__ void row_dots(const T* __restrict__ x, const uint4* const (&rows)[ROWS], int vectors, float (&acc)[ROWS]) {
    const int lane = threadIdx.x & 31;
#pragma unroll
    for (int r = 0; r < ROWS; r++) acc[r] = 0.0f;
    int v = lane;
    uint4 wv[ROWS][UNROLL];
    bool whole = v + 32 * (UNROLL - 1) < vectors;
    if (whole) {
#pragma unroll
        for (int r = 0; r < ROWS; r++)
#pragma unroll
            for (int u = 0; u < UNROLL; u++) wv[r][u] = __ldcs(rows[r] + v + 32 * u);
    }
    grid_dependency_sync();
    while (whole) {
#pragma unroll
        for (int r = 0; r < ROWS; r++)
#pragma unroll
            for (int u = 0; u < UNROLL; u++) acc[r] = dot8(x, v + 32 * u, wv[r][u], acc[r]);
        v += 32 * UNROLL;
        whole = v + 32 * (UNROLL - 1) < vectors;
        if (whole) {
#pragma unroll
            for (int r = 0; r < ROWS; r++)
#pragma unroll
                for (int u = 0; u < UNROLL; u++) wv[r][u] = __ldcs(rows[r] + v + 32 * u);
        }
    }
    for (; v < vectors; v += 32) {
#pragma unroll
        for (int r = 0; r < ROWS; r++) acc[r] = dot8(x, v, __ldcs(rows[r] + v), acc[r]);
    }
}
