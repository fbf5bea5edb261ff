// Helpers every kernel family shares: element conversions, 16-byte vector loads and
// stores of 8 elements, warp and block reductions, and the status word kernels use to
// report bad inputs (checked by the host at its next synchronisation).
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#ifndef INFINITY
#define INFINITY __int_as_float(0x7f800000)
#endif

typedef __nv_bfloat16 bf16;
typedef __half f16;

// ---- conversions -------------------------------------------------------------------

__device__ __forceinline__ float to_float(float x) { return x; }
__device__ __forceinline__ float to_float(bf16 x) { return __bfloat162float(x); }
__device__ __forceinline__ float to_float(f16 x) { return __half2float(x); }

template <typename T> __device__ __forceinline__ T from_float(float x);
template <> __device__ __forceinline__ float from_float<float>(float x) { return x; }
template <> __device__ __forceinline__ bf16 from_float<bf16>(float x) { return __float2bfloat16_rn(x); }
template <> __device__ __forceinline__ f16 from_float<f16>(float x) { return __float2half_rn(x); }

// ---- 8-element vectors (16 bytes of a 2-byte type, 32 bytes of f32) ---------------

/// Whether `p` may be read or written as 16-byte vectors.
__device__ __forceinline__ bool aligned16(const void* p) { return (reinterpret_cast<unsigned long long>(p) & 15ull) == 0; }

__device__ __forceinline__ void load8(const bf16* p, float (&f)[8]) {
    uint4 u = *reinterpret_cast<const uint4*>(p);
    const __nv_bfloat162* h = reinterpret_cast<const __nv_bfloat162*>(&u);
#pragma unroll
    for (int i = 0; i < 4; i++) {
        float2 t = __bfloat1622float2(h[i]);
        f[2 * i] = t.x;
        f[2 * i + 1] = t.y;
    }
}

__device__ __forceinline__ void load8(const f16* p, float (&f)[8]) {
    uint4 u = *reinterpret_cast<const uint4*>(p);
    const __half2* h = reinterpret_cast<const __half2*>(&u);
#pragma unroll
    for (int i = 0; i < 4; i++) {
        float2 t = __half22float2(h[i]);
        f[2 * i] = t.x;
        f[2 * i + 1] = t.y;
    }
}

__device__ __forceinline__ void load8(const float* p, float (&f)[8]) {
    float4 a = reinterpret_cast<const float4*>(p)[0];
    float4 b = reinterpret_cast<const float4*>(p)[1];
    f[0] = a.x; f[1] = a.y; f[2] = a.z; f[3] = a.w;
    f[4] = b.x; f[5] = b.y; f[6] = b.z; f[7] = b.w;
}

__device__ __forceinline__ void store8(bf16* p, const float (&f)[8]) {
    uint4 u;
    __nv_bfloat162* h = reinterpret_cast<__nv_bfloat162*>(&u);
#pragma unroll
    for (int i = 0; i < 4; i++) h[i] = __floats2bfloat162_rn(f[2 * i], f[2 * i + 1]);
    *reinterpret_cast<uint4*>(p) = u;
}

__device__ __forceinline__ void store8(f16* p, const float (&f)[8]) {
    uint4 u;
    __half2* h = reinterpret_cast<__half2*>(&u);
#pragma unroll
    for (int i = 0; i < 4; i++) h[i] = __floats2half2_rn(f[2 * i], f[2 * i + 1]);
    *reinterpret_cast<uint4*>(p) = u;
}

__device__ __forceinline__ void store8(float* p, const float (&f)[8]) {
    reinterpret_cast<float4*>(p)[0] = make_float4(f[0], f[1], f[2], f[3]);
    reinterpret_cast<float4*>(p)[1] = make_float4(f[4], f[5], f[6], f[7]);
}

/// Rounds 8 floats through the element type T (what storing and reloading them gives).
template <typename T> __device__ __forceinline__ void round8(float (&f)[8]) {
#pragma unroll
    for (int i = 0; i < 8; i++) f[i] = to_float(from_float<T>(f[i]));
}

// ---- gated activations (as the CPU computes them, in f32) ---------------------------

__device__ __forceinline__ float silu(float g) { return g / (1.0f + expf(-g)); }
__device__ __forceinline__ float gelu_tanh(float g) {
    return 0.5f * g * (1.0f + tanhf(0.7978845608f * (g + 0.044715f * g * g * g)));
}

// ---- reductions ---------------------------------------------------------------------

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ double warp_sum(double v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

/// Sum over the block (blockDim.x a multiple of 32, at most 1024); every thread gets
/// the result. `scratch` holds 32 floats; the call begins and ends with a barrier.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < warps ? scratch[lane] : 0.0f;
    v = warp_sum(v);
    __syncthreads();
    return v;
}

// ---- programmatic dependent launch --------------------------------------------------

// On sm_90 and later the host launches each kernel allowed to begin while the one before
// it on the stream is still running (launch latency and block start-up then overlap the
// predecessor's tail). So every kernel calls grid_dependency_sync() before it touches any
// memory another kernel writes or reads; only reads of memory that no kernel of the step
// writes may come first: weights, the step's metadata (positions, block tables: copied
// by the host before the step) and cache rows of earlier steps. Those reads are what a
// kernel starts with where it can (its loads are then in flight while it waits). On
// older architectures, and when the host launches normally, both are no-ops. Waiting
// first and releasing second keeps at most one kernel queued ahead.
__device__ __forceinline__ void grid_dependency_sync() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    asm volatile("griddepcontrol.wait;" ::: "memory");
    asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}

// ---- status word --------------------------------------------------------------------

/// Codes kernels leave in the status word (status[0]); status[1] holds the offending
/// value. The first report wins; the host reads and clears both.
enum StatusCode : int {
    STATUS_OK = 0,
    STATUS_EMBEDDING_ID = 1,  // a token id outside the table: its row was zero-filled
    STATUS_GATHER_ROW = 2,    // a gather index outside the source: its row was zero-filled
    STATUS_KV_SLOT = 3,       // a slot past the cache: that token's K/V were not stored
};

__device__ __forceinline__ void report_status(int* status, int code, int value) {
    if (status != nullptr && atomicCAS(status, 0, code) == 0) status[1] = value;
}
