// Mixture-of-experts kernels. Everything stays on the device (no host reads of routing
// results, so a forward can be recorded as a CUDA graph):
//  - moe_route: one warp per token; softmax statistics in f32 over the router logits, then
//    top_k passes of a warp arg-max (equal logits: the lower expert id), weights =
//    softmax probabilities of the chosen experts, divided by their sum when normalising.
//    Selection is by logit, so it cannot differ from the CPU's by rounding.
//  - moe_bucket: one block per expert lists, in pair order, the (token, choice) pairs
//    routed to it: assignments[e] = count, assignments[E + e*n + i] = pair t*k + j.
//  - moe_gate_up_*: grid (ff rows / MOE_WARPS, experts): a warp takes one gate row and the
//    matching up row of its expert (blocks of experts without pairs exit at once) and
//    multiplies them with the expert's pairs, MOE_TILE pairs per pass over the rows, so a
//    decode step reads each active expert's weights once; act(g) * u is stored in the
//    activation type, g and u rounded to it first as the unfused ops would store them.
//  - moe_down_*: the same for the down projection, f32 results per pair.
//  - moe_combine_*: out[t] = sum over j in order of weight[t, j] * result of pair (t, j).
// Each output is one warp's dot product with a fixed lane split whatever the number of
// pairs, so a token's result does not depend on the other tokens of the step.
#include "common.cuh"

#define MOE_WARPS 4
#define MOE_TILE 8

__device__ __forceinline__ float finite_or_lowest(float v) { return isnan(v) ? -INFINITY : v; }

/// Whether (v, id) ranks before (bv, bid): larger value, then lower id.
__device__ __forceinline__ bool ranks_before(float v, int id, float bv, int bid) {
    return v > bv || (v == bv && (unsigned)id < (unsigned)bid);
}

extern "C" __global__ void __launch_bounds__(128) moe_route(const float* __restrict__ logits, int tokens, int experts, int top_k,
                                                            int normalize, int* __restrict__ ids, float* __restrict__ weights) {
    grid_dependency_sync();
    const int t = blockIdx.x * 4 + (threadIdx.x >> 5), lane = threadIdx.x & 31;
    if (t >= tokens) return;
    const float* l = logits + (long long)t * experts;
    float max = -INFINITY;
    for (int e = lane; e < experts; e += 32) max = fmaxf(max, finite_or_lowest(l[e]));
    max = warp_max(max);
    float sum = 0.0f;
    for (int e = lane; e < experts; e += 32) sum += expf(finite_or_lowest(l[e]) - max);
    sum = warp_sum(sum);
    unsigned taken = 0;  // bit i: expert lane + 32*i already chosen (experts <= 1024)
    float chosen_sum = 0.0f;
    for (int j = 0; j < top_k; j++) {
        float best = -INFINITY;
        int best_id = -1;
        for (int i = 0, e = lane; e < experts; i++, e += 32) {
            if (taken & (1u << i)) continue;
            const float v = finite_or_lowest(l[e]);
            if (best_id < 0 || ranks_before(v, e, best, best_id)) best = v, best_id = e;
        }
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) {
            const float ov = __shfl_xor_sync(0xffffffffu, best, o);
            const int oid = __shfl_xor_sync(0xffffffffu, best_id, o);
            if (oid >= 0 && (best_id < 0 || ranks_before(ov, oid, best, best_id))) best = ov, best_id = oid;
        }
        if ((best_id & 31) == lane) taken |= 1u << (best_id >> 5);
        const float w = expf(best - max) / sum;
        chosen_sum += w;
        if (lane == 0) {
            ids[(long long)t * top_k + j] = best_id;
            weights[(long long)t * top_k + j] = w;
        }
    }
    if (normalize && lane == 0) {
        for (int j = 0; j < top_k; j++) weights[(long long)t * top_k + j] /= chosen_sum;
    }
}

extern "C" __global__ void __launch_bounds__(1024) moe_bucket(const int* __restrict__ ids, int pairs, int tokens, int experts,
                                                              int* __restrict__ assignments) {
    grid_dependency_sync();
    __shared__ int warp_counts[32];
    const int e = blockIdx.x, lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    int* list = assignments + experts + (long long)e * tokens;
    int base = 0;
    for (int first = 0; first < pairs; first += blockDim.x) {
        const int pair = first + threadIdx.x;
        const bool mine = pair < pairs && ids[pair] == e;
        const unsigned ballot = __ballot_sync(0xffffffffu, mine);
        if (lane == 0) warp_counts[warp] = __popc(ballot);
        __syncthreads();
        int before = base;
        for (int w = 0; w < warp; w++) before += warp_counts[w];
        if (mine) {
            const int slot = before + __popc(ballot & ((1u << lane) - 1u));
            if (slot < tokens) list[slot] = pair;
        }
        int total = 0;
        for (int w = 0; w < warps; w++) total += warp_counts[w];
        base += total;
        __syncthreads();
    }
    if (threadIdx.x == 0) assignments[e] = min(base, tokens);
}

/// acc[p] += x_p[8v .. 8v+8) · w[8v .. 8v+8) for the tile's pairs (vector path), or the
/// element-wise equivalent when rows are not whole 16-byte vectors.
template <typename T, bool VEC, typename XT>
__device__ __forceinline__ void tile_dots(const T* __restrict__ w, const XT* const (&x)[MOE_TILE], int count, int n,
                                          float (&acc)[MOE_TILE]) {
    const int lane = threadIdx.x & 31;
#pragma unroll
    for (int p = 0; p < MOE_TILE; p++) acc[p] = 0.0f;
    if (VEC) {
        for (int v = lane; v < n / 8; v += 32) {
            float wf[8];
            load8(w + 8 * v, wf);
#pragma unroll
            for (int p = 0; p < MOE_TILE; p++) {
                if (p >= count) break;
                float xf[8];
                load8(x[p] + 8 * v, xf);
#pragma unroll
                for (int i = 0; i < 8; i++) acc[p] = fmaf(xf[i], wf[i], acc[p]);
            }
        }
    } else {
        for (int i = lane; i < n; i += 32) {
            const float wf = to_float(w[i]);
#pragma unroll
            for (int p = 0; p < MOE_TILE; p++) {
                if (p >= count) break;
                acc[p] = fmaf(to_float(x[p][i]), wf, acc[p]);
            }
        }
    }
#pragma unroll
    for (int p = 0; p < MOE_TILE; p++) acc[p] = warp_sum(acc[p]);
}

/// The tile's pairs (n of them; the rest repeat pair 0 and are never stored) and the
/// input rows they read: row (pair / per_row) of `base`, `width` elements each.
template <typename T>
__device__ __forceinline__ void tile_rows(const int* __restrict__ list, int n, const T* base, int per_row, int width,
                                          int (&pairs)[MOE_TILE], const T* (&rows)[MOE_TILE]) {
#pragma unroll
    for (int p = 0; p < MOE_TILE; p++) {
        pairs[p] = p < n ? list[p] : 0;
        rows[p] = base + (long long)(pairs[p] / per_row) * width;
    }
}

template <typename T, bool GELU, bool VEC>
__device__ __forceinline__ void gate_up_impl(const T* __restrict__ x, const T* __restrict__ gate_up, const int* __restrict__ assignments,
                                             int tokens, int top_k, int hidden, int ff, int experts, T* __restrict__ activated) {
    const int e = blockIdx.y, j = blockIdx.x * MOE_WARPS + (threadIdx.x >> 5);
    const int count = assignments[e];
    if (count == 0 || j >= ff) return;
    const int* list = assignments + experts + (long long)e * tokens;
    const T* gate = gate_up + ((long long)e * 2 * ff + j) * hidden;
    const T* up = gate + (long long)ff * hidden;
    for (int first = 0; first < count; first += MOE_TILE) {
        const int n = min(MOE_TILE, count - first);
        const T* rows[MOE_TILE];
        int pairs[MOE_TILE];
        tile_rows(list + first, n, x, top_k, hidden, pairs, rows);
        float g[MOE_TILE], u[MOE_TILE];
        tile_dots<T, VEC>(gate, rows, n, hidden, g);
        tile_dots<T, VEC>(up, rows, n, hidden, u);
        if ((threadIdx.x & 31) == 0) {
            for (int p = 0; p < n; p++) {
                const float gv = to_float(from_float<T>(g[p])), uv = to_float(from_float<T>(u[p]));
                activated[(long long)pairs[p] * ff + j] = from_float<T>((GELU ? gelu_tanh(gv) : silu(gv)) * uv);
            }
        }
    }
}

template <typename T, bool VEC>
__device__ __forceinline__ void down_impl(const T* __restrict__ activated, const T* __restrict__ down, const int* __restrict__ assignments,
                                          int tokens, int hidden, int ff, int experts, float* __restrict__ expert_out) {
    const int e = blockIdx.y, h = blockIdx.x * MOE_WARPS + (threadIdx.x >> 5);
    const int count = assignments[e];
    if (count == 0 || h >= hidden) return;
    const int* list = assignments + experts + (long long)e * tokens;
    const T* row = down + ((long long)e * hidden + h) * ff;
    for (int first = 0; first < count; first += MOE_TILE) {
        const int n = min(MOE_TILE, count - first);
        const T* rows[MOE_TILE];
        int pairs[MOE_TILE];
        tile_rows(list + first, n, activated, 1, ff, pairs, rows);
        float acc[MOE_TILE];
        tile_dots<T, VEC>(row, rows, n, ff, acc);
        if ((threadIdx.x & 31) == 0) {
            for (int p = 0; p < n; p++) expert_out[(long long)pairs[p] * hidden + h] = acc[p];
        }
    }
}

template <typename T>
__device__ __forceinline__ void combine_impl(const float* __restrict__ expert_out, const int* __restrict__ ids, const float* __restrict__ weights,
                                             int tokens, int top_k, int hidden, int experts, T* __restrict__ out) {
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)tokens * hidden; i += stride) {
        const long long t = i / hidden;
        const int h = (int)(i - t * hidden);
        float sum = 0.0f;
        for (int j = 0; j < top_k; j++) {
            const long long pair = t * top_k + j;
            const int e = ids[pair];
            if (e < 0 || e >= experts) continue;  // never bucketed, so it has no result
            sum += weights[pair] * expert_out[pair * hidden + h];
        }
        out[i] = from_float<T>(sum);
    }
}

#define MOE_GATE_UP_KERNEL(NAME, T, GELU, VEC)                                                                              \
    extern "C" __global__ void __launch_bounds__(32 * MOE_WARPS) NAME(const T* __restrict__ x, const T* __restrict__ gate_up, \
                                                                      const int* __restrict__ assignments, int tokens,          \
                                                                      int top_k, int hidden, int ff, int experts,               \
                                                                      T* __restrict__ activated) {                              \
        grid_dependency_sync();                                                                                                 \
        gate_up_impl<T, GELU, VEC>(x, gate_up, assignments, tokens, top_k, hidden, ff, experts, activated);                 \
    }

#define MOE_DOWN_KERNEL(NAME, T, VEC)                                                                                        \
    extern "C" __global__ void __launch_bounds__(32 * MOE_WARPS) NAME(const T* __restrict__ activated, const T* __restrict__ down, \
                                                                      const int* __restrict__ assignments, int tokens,          \
                                                                      int hidden, int ff, int experts,                          \
                                                                      float* __restrict__ expert_out) {                         \
        grid_dependency_sync();                                                                                                 \
        down_impl<T, VEC>(activated, down, assignments, tokens, hidden, ff, experts, expert_out);                           \
    }

#define MOE_COMBINE_KERNEL(NAME, T)                                                                                          \
    extern "C" __global__ void NAME(const float* __restrict__ expert_out, const int* __restrict__ ids,                        \
                                    const float* __restrict__ weights, int tokens, int top_k, int hidden, int experts,        \
                                    T* __restrict__ out) {                                                                    \
        grid_dependency_sync();                                                                                               \
        combine_impl<T>(expert_out, ids, weights, tokens, top_k, hidden, experts, out);                                       \
    }

MOE_GATE_UP_KERNEL(moe_gate_up_silu_bf16_vec, bf16, false, true)
MOE_GATE_UP_KERNEL(moe_gate_up_silu_bf16, bf16, false, false)
MOE_GATE_UP_KERNEL(moe_gate_up_gelu_tanh_bf16_vec, bf16, true, true)
MOE_GATE_UP_KERNEL(moe_gate_up_gelu_tanh_bf16, bf16, true, false)
MOE_GATE_UP_KERNEL(moe_gate_up_silu_f16_vec, f16, false, true)
MOE_GATE_UP_KERNEL(moe_gate_up_silu_f16, f16, false, false)
MOE_GATE_UP_KERNEL(moe_gate_up_gelu_tanh_f16_vec, f16, true, true)
MOE_GATE_UP_KERNEL(moe_gate_up_gelu_tanh_f16, f16, true, false)
MOE_DOWN_KERNEL(moe_down_bf16_vec, bf16, true)
MOE_DOWN_KERNEL(moe_down_bf16, bf16, false)
MOE_DOWN_KERNEL(moe_down_f16_vec, f16, true)
MOE_DOWN_KERNEL(moe_down_f16, f16, false)
MOE_COMBINE_KERNEL(moe_combine_bf16, bf16)
MOE_COMBINE_KERNEL(moe_combine_f16, f16)
