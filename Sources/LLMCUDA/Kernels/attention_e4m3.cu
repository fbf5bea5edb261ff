// Attention (attention.cu's kernels) over an e4m3 KV cache: the same tiles and math,
// with K and V read as bytes and widened to the query type in shared memory. Its own
// family, so that a bf16 cache never compiles these.
#include "attention_kernels.cuh"

HEAD_DIMS(bf16_e4m3, bf16, e4m3)
HEAD_DIMS(f16_e4m3, f16, e4m3)
DECODE_REDUCE(bf16, bf16)
DECODE_REDUCE(f16, f16)
