// Elementwise families: gated activations over [n, 2*ff] -> [n, ff] (SiLU and GELU-tanh
// of the first half times the second, as the CPU computes them in f32), add, bias add
// and row gathers. Grid-stride loops over 8-element groups: 16-byte vectors when the
// row length allows and the pointers are aligned, element accesses otherwise.
#include "common.cuh"


template <typename T, bool GELU>
__device__ __forceinline__ void gated_impl(const T* __restrict__ x, long long tokens, int ff, T* __restrict__ out) {
    const long long stride = (long long)gridDim.x * blockDim.x;
    const long long first = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (ff % 8 == 0 && aligned16(x) && aligned16(out)) {
        const int groups = ff / 8;
        for (long long e = first; e < tokens * groups; e += stride) {
            const long long t = e / groups;
            const int j = (int)(e - t * groups) * 8;
            float g[8], u[8];
            load8(x + t * 2 * ff + j, g);
            load8(x + t * 2 * ff + ff + j, u);
#pragma unroll
            for (int i = 0; i < 8; i++) g[i] = (GELU ? gelu_tanh(g[i]) : silu(g[i])) * u[i];
            store8(out + t * ff + j, g);
        }
    } else {
        for (long long e = first; e < tokens * ff; e += stride) {
            const long long t = e / ff;
            const int j = (int)(e - t * ff);
            const float g = to_float(x[t * 2 * ff + j]), u = to_float(x[t * 2 * ff + ff + j]);
            out[e] = from_float<T>((GELU ? gelu_tanh(g) : silu(g)) * u);
        }
    }
}

template <typename T>
__device__ __forceinline__ void add_impl(const T* a, const T* b, long long n, T* out) {
    const long long stride = (long long)gridDim.x * blockDim.x;
    const long long first = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (aligned16(a) && aligned16(b) && aligned16(out)) {
        for (long long v = first; v < n / 8; v += stride) {
            float x[8], y[8];
            load8(a + 8 * v, x);
            load8(b + 8 * v, y);
#pragma unroll
            for (int i = 0; i < 8; i++) x[i] += y[i];
            store8(out + 8 * v, x);
        }
        for (long long i = n / 8 * 8 + first; i < n; i += stride) out[i] = from_float<T>(to_float(a[i]) + to_float(b[i]));
    } else {
        for (long long i = first; i < n; i += stride) out[i] = from_float<T>(to_float(a[i]) + to_float(b[i]));
    }
}

/// out[i] = x[i] * scale, then cap * tanh(out[i] / cap) when cap > 0; math in f32, one
/// rounding to T. x == out is allowed (each element is read before it is written).
template <typename T>
__device__ __forceinline__ void scale_softcap_impl(const T* x, long long n, float scale, float cap, T* out) {
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        const float v = to_float(x[i]) * scale;
        out[i] = from_float<T>(cap > 0.0f ? cap * tanhf(v / cap) : v);
    }
}

/// out[r, c] += bias[c] for out [rows, cols], in place, math in f32.
template <typename TO, typename TB>
__device__ __forceinline__ void bias_add_impl(TO* out, const TB* __restrict__ bias, long long rows, int cols) {
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < rows * cols; e += stride) {
        const int c = (int)(e % cols);
        out[e] = from_float<TO>(to_float(out[e]) + to_float(bias[c]));
    }
}

/// out[i] = x[rows[i]] for rows of `row_bytes` bytes; an index outside 0..<source_rows
/// writes a zero row and reports STATUS_GATHER_ROW. One block per output row.
template <typename U>
__device__ __forceinline__ void gather_impl(const unsigned char* x, long long source_rows, long long row_bytes,
                                            const int* __restrict__ rows, unsigned char* out, int* status) {
    const long long i = blockIdx.x;
    const int r = rows[i];
    const bool valid = r >= 0 && (long long)r < source_rows;
    if (!valid && threadIdx.x == 0) report_status(status, STATUS_GATHER_ROW, r);
    const U* src = reinterpret_cast<const U*>(x + (valid ? (long long)r : 0) * row_bytes);
    U* dst = reinterpret_cast<U*>(out + i * row_bytes);
    const long long units = row_bytes / (long long)sizeof(U);
    U zero;
    memset(&zero, 0, sizeof(U));
    for (long long u = threadIdx.x; u < units; u += blockDim.x) dst[u] = valid ? src[u] : zero;
}

#define TYPED(TN, T)                                                                                                 \
    extern "C" __global__ void __launch_bounds__(256) silu_mul_##TN(const T* x, long long tokens, int ff, T* out) {  \
        grid_dependency_sync();                                                                                      \
        gated_impl<T, false>(x, tokens, ff, out);                                                                     \
    }                                                                                                                 \
    extern "C" __global__ void __launch_bounds__(256) gelu_tanh_mul_##TN(const T* x, long long tokens, int ff, T* out) { \
        grid_dependency_sync();                                                                                          \
        gated_impl<T, true>(x, tokens, ff, out);                                                                      \
    }                                                                                                                 \
    extern "C" __global__ void __launch_bounds__(256) add_##TN(const T* a, const T* b, long long n, T* out) {        \
        grid_dependency_sync();                                                                                      \
        add_impl<T>(a, b, n, out);                                                                                    \
    }                                                                                                                 \
    extern "C" __global__ void __launch_bounds__(256) scale_softcap_##TN(const T* x, long long n, float scale,      \
                                                                         float cap, T* out) {                        \
        grid_dependency_sync();                                                                                      \
        scale_softcap_impl<T>(x, n, scale, cap, out);                                                                 \
    }

TYPED(bf16, bf16)
TYPED(f16, f16)
TYPED(f32, float)

#define BIAS(ON, TO, BN, TB)                                                                                         \
    extern "C" __global__ void __launch_bounds__(256) bias_add_##ON##_##BN(TO* out, const TB* bias, long long rows,   \
                                                                           int cols) {                                \
        grid_dependency_sync();                                                                                       \
        bias_add_impl<TO, TB>(out, bias, rows, cols);                                                                 \
    }

BIAS(bf16, bf16, bf16, bf16)
BIAS(bf16, bf16, f16, f16)
BIAS(bf16, bf16, f32, float)
BIAS(f16, f16, bf16, bf16)
BIAS(f16, f16, f16, f16)
BIAS(f16, f16, f32, float)
BIAS(f32, float, bf16, bf16)
BIAS(f32, float, f16, f16)
BIAS(f32, float, f32, float)

#define GATHER(UN, U)                                                                                                \
    extern "C" __global__ void __launch_bounds__(256) gather_rows_##UN(                                               \
        const unsigned char* x, long long source_rows, long long row_bytes, const int* rows, unsigned char* out,      \
        int* status) {                                                                                                \
        grid_dependency_sync();                                                                                       \
        gather_impl<U>(x, source_rows, row_bytes, rows, out, status);                                                 \
    }

GATHER(b16, uint4)
GATHER(b4, unsigned int)
GATHER(b2, unsigned short)
GATHER(b1, unsigned char)
