// The 8-bit float (e4m3) KV cache element. A cache of it holds half the bytes of a
// bf16 one, and batch decode is bound by reading the cache. Stores round to nearest
// even and saturate at +-448 (the largest finite e4m3), so a large value never becomes
// NaN; loads are exact, since every e4m3 value is a bf16 and an f16 value.
#pragma once
#include <cuda_fp8.h>
#include "common.cuh"

/// One e4m3 cache element: its own type, so a kernel picks its cache path from the type.
struct __align__(1) e4m3 {
    unsigned char bits;
};

template <typename C> struct is_e4m3_cache {
    static constexpr bool value = false;
};
template <> struct is_e4m3_cache<e4m3> {
    static constexpr bool value = true;
};

__device__ __forceinline__ e4m3 e4m3_from_float(float x) {
    e4m3 r;
    r.bits = __nv_cvt_float_to_fp8(x, __NV_SATFINITE, __NV_E4M3);
    return r;
}

/// Two e4m3 bytes, each in the high byte of a 16-bit half of `w`, as two f16. e4m3's
/// sign, exponent and mantissa bits moved into f16's fields give the value times 2^-8
/// (the formats' exponent biases are 7 and 15), subnormals included; one f16 multiply
/// by 2^8 restores it exactly. (e4m3's NaN pattern, which no store writes, reads as 480.)
__device__ __forceinline__ __half2 e4m3_pair_to_half2(unsigned w) {
    const unsigned bits = (w & 0x80008000u) | ((w >> 1) & 0x3F803F80u);
    return __hmul2(*reinterpret_cast<const __half2*>(&bits), __floats2half2_rn(256.0f, 256.0f));
}

/// Four e4m3 values (bytes of `x`, lowest first) as two pairs of f16.
__device__ __forceinline__ void e4m3x4_to_half2(unsigned x, __half2& lo, __half2& hi) {
    lo = e4m3_pair_to_half2(__byte_perm(x, 0u, 0x1404));  // bytes 0 and 1 to the high bytes of the halves
    hi = e4m3_pair_to_half2(__byte_perm(x, 0u, 0x3424));  // bytes 2 and 3
}

/// Eight e4m3 values (8 bytes) as eight f16 (16 bytes), in order.
__device__ __forceinline__ uint4 e4m3x8_to_half(uint2 v) {
    __half2 h[4];
    e4m3x4_to_half2(v.x, h[0], h[1]);
    e4m3x4_to_half2(v.y, h[2], h[3]);
    return *reinterpret_cast<uint4*>(h);
}

/// The tensor-core element type of attention with queries of T over a cache of C: T,
/// or f16 over an e4m3 cache. e4m3 widens to f16 with integer ops and one f16 multiply,
/// while bf16 would take three conversions through f32 per pair, on a quarter-rate pipe
/// that then bounds the decode kernel below the memory bandwidth. f16 also keeps the
/// probabilities more exactly than bf16.
template <typename T, typename C> struct attention_math {
    typedef T type;
};
template <typename T> struct attention_math<T, e4m3> {
    typedef f16 type;
};

/// Eight queries of T (16 bytes at p) rewritten in place as the math type M: unchanged
/// when the types agree; bf16 to f16 is exact within f16's range, and larger values
/// are clamped to its largest finite value (queries never come near it).
template <typename T, typename M> __device__ __forceinline__ void query_to_math(M* p) {}
template <> __device__ __forceinline__ void query_to_math<bf16, f16>(f16* p) {
    uint4 u = *reinterpret_cast<uint4*>(p);
    const __nv_bfloat162* b = reinterpret_cast<const __nv_bfloat162*>(&u);
    __half2 h[4];
#pragma unroll
    for (int i = 0; i < 4; i++) {
        const float2 f = __bfloat1622float2(b[i]);
        h[i] = __floats2half2_rn(fminf(fmaxf(f.x, -65504.0f), 65504.0f), fminf(fmaxf(f.y, -65504.0f), 65504.0f));
    }
    *reinterpret_cast<uint4*>(p) = *reinterpret_cast<uint4*>(h);
}
