// The attention entry points for one query type TT and cache type CT, named
// decode_<PFX>_d<D>[_w2] and prefill_<PFX>_d<D> (attention.cu and attention_e4m3.cu).
#pragma once
#include "attention_decode.cuh"
#include "attention_prefill.cuh"

#define DECODE(TT, CT, D, W, NAME)                                                                                   \
    extern "C" __global__ void __launch_bounds__(32 * W) NAME(                                                      \
        const TT* q, const CT* k_cache, const CT* v_cache, const int* block_table, int max_blocks,                     \
        const int* query_start, const int* positions, int num_seqs, int q_heads, int kv_heads, int block_size,        \
        long long num_blocks, float scale, int window, float softcap, int partition, int head_chunk, TT* out,        \
        float* part_acc, float* part_ml) {                                                                            \
        decode_impl<TT, CT, D, W>(q, k_cache, v_cache, block_table, max_blocks, query_start, positions, num_seqs,     \
                                  q_heads, kv_heads, block_size, num_blocks, scale, window, softcap, partition,       \
                                  head_chunk, out, part_acc, part_ml);                                                \
    }

#define PREFILL(TT, CT, D, BN, NAME)                                                                                 \
    extern "C" __global__ void __launch_bounds__(PREFILL_THREADS) NAME(                                               \
        const TT* q, const CT* k_cache, const CT* v_cache, const int* block_table, int max_blocks,                     \
        const int* query_start, const int* positions, int num_seqs, int q_heads, int kv_heads, int block_size,        \
        long long num_blocks, float scale, int window, float softcap, int first_seq, TT* out) {                       \
        grid_dependency_sync();                                                                                       \
        prefill_impl<TT, CT, D, BN>(q, k_cache, v_cache, block_table, max_blocks, query_start, positions, num_seqs,   \
                                    q_heads, kv_heads, block_size, num_blocks, scale, window, softcap, first_seq, out); \
    }

#define HEAD_DIMS(PFX, TT, CT)                                                                                       \
    DECODE(TT, CT, 16, DECODE_WARPS, decode_##PFX##_d16) DECODE(TT, CT, 32, DECODE_WARPS, decode_##PFX##_d32)         \
    DECODE(TT, CT, 64, DECODE_WARPS, decode_##PFX##_d64) DECODE(TT, CT, 80, DECODE_WARPS, decode_##PFX##_d80)         \
    DECODE(TT, CT, 96, DECODE_WARPS, decode_##PFX##_d96) DECODE(TT, CT, 112, DECODE_WARPS, decode_##PFX##_d112)       \
    DECODE(TT, CT, 128, DECODE_WARPS, decode_##PFX##_d128) DECODE(TT, CT, 256, DECODE_WARPS, decode_##PFX##_d256)     \
    DECODE(TT, CT, 256, 2, decode_##PFX##_d256_w2)                                                                    \
    PREFILL(TT, CT, 16, 64, prefill_##PFX##_d16) PREFILL(TT, CT, 32, 64, prefill_##PFX##_d32)                          \
    PREFILL(TT, CT, 64, 64, prefill_##PFX##_d64) PREFILL(TT, CT, 80, 64, prefill_##PFX##_d80)                          \
    PREFILL(TT, CT, 96, 64, prefill_##PFX##_d96) PREFILL(TT, CT, 112, 64, prefill_##PFX##_d112)                        \
    PREFILL(TT, CT, 128, 64, prefill_##PFX##_d128) PREFILL(TT, CT, 256, 32, prefill_##PFX##_d256)

/// The partitions' combine (no cache read), in each family so that a family's decode
/// needs no other module.
#define DECODE_REDUCE(TN, TT)                                                                                        \
    extern "C" __global__ void __launch_bounds__(256) decode_reduce_##TN(                                             \
        const float* part_acc, const float* part_ml, int q_heads, int splits, int head_dim, TT* out) {                \
        grid_dependency_sync();                                                                                       \
        decode_reduce_impl<TT>(part_acc, part_ml, q_heads, splits, head_dim, out);                                    \
    }
