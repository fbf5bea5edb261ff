// Token embedding: out[t] = table[ids[t]] for a [vocab, dim] table, converted to the
// activation type. Ids come from the host (prompt or sampler) but live on the device
// here, so they are checked in the kernel rather than before the launch: an id outside
// the table writes a zero row and leaves STATUS_EMBEDDING_ID in the status word, which
// the host checks at its next synchronisation (a bad id must not read out of bounds).
#include "common.cuh"

template <typename TT, typename TO>
__device__ __forceinline__ void embedding_impl(const int* __restrict__ ids, const TT* __restrict__ table, long long rows,
                                               int dim, TO* __restrict__ out, int* status) {
    const long long t = blockIdx.x;
    const int id = ids[t];
    const bool valid = id >= 0 && (long long)id < rows;
    if (!valid && threadIdx.x == 0) report_status(status, STATUS_EMBEDDING_ID, id);
    const TT* src = table + (valid ? (long long)id : 0) * dim;
    TO* dst = out + t * dim;
    if (dim % 8 == 0 && aligned16(src) && aligned16(dst)) {
        for (int v = threadIdx.x; v < dim / 8; v += blockDim.x) {
            float f[8];
            if (valid) {
                load8(src + 8 * v, f);
            } else {
#pragma unroll
                for (int i = 0; i < 8; i++) f[i] = 0.0f;
            }
            store8(dst + 8 * v, f);
        }
    } else {
        for (int i = threadIdx.x; i < dim; i += blockDim.x) dst[i] = from_float<TO>(valid ? to_float(src[i]) : 0.0f);
    }
}

#define EMBEDDING(TN, TT, ON, TO)                                                                                   \
    extern "C" __global__ void __launch_bounds__(256) embedding_##TN##_##ON(                                         \
        const int* ids, const TT* table, long long rows, int dim, TO* out, int* status) {                            \
        grid_dependency_sync();                                                                                      \
        embedding_impl<TT, TO>(ids, table, rows, dim, out, status);                                                  \
    }

EMBEDDING(bf16, bf16, bf16, bf16)
EMBEDDING(f16, f16, bf16, bf16)
EMBEDDING(f32, float, bf16, bf16)
EMBEDDING(bf16, bf16, f16, f16)
EMBEDDING(f16, f16, f16, f16)
EMBEDDING(f32, float, f16, f16)
