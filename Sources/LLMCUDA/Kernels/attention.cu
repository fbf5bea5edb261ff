// Paged attention of N new query tokens per sequence against the paged KV cache, with
// exactly the CPU backend's semantics (Sources/CLLMKernels/attention.c): query token t
// of sequence s (query_start[s] <= t < query_start[s + 1]) at position p = positions[t]
// attends to the keys at positions first..p of its sequence, read through its block
// table row, where first = max(0, p + 1 - window) with a sliding window and 0 without;
// score = (q . k) * scale, then cap * tanh(score / cap) with soft-capping; softmax in
// f32; out = sum of p * v. Query head h reads kv head h / (q_heads / kv_heads) (GQA).
// Cache layout [blocks, block_size, kv_heads, head_dim]; the cache holds the query type
// here, e4m3 in attention_e4m3.cu (kv_fp8.cuh: tiles land as bytes and are widened).
//
// Two paths, chosen by the host from the batch shape (both are correct for any batch):
//  - decode_*: one query token per sequence, split-K flash decoding on tensor cores.
//    Grid (tokens, kv_heads * head_chunks, splits). Each block handles up to 16 query
//    heads sharing one kv head (the rows of one mma tile) over one partition of the
//    token's keys; decode_reduce_* combines the partitions when there are several.
//    A mixed batch runs its leading one-token sequences through this path too.
//  - prefill_*: FlashAttention-2 style tiles on tensor cores (mma.sync m16n8k16, fp32
//    accumulate, ldmatrix from XOR-swizzled shared memory, online softmax). A tile is
//    64 "packed" rows: row r of a sequence's tile space is query token r / G, head
//    r % G of the kv head's group of G query heads, so every K/V tile read through the
//    block table serves the whole group. K and V tiles are loaded with cp.async: V of
//    tile j overlaps the QK^T of tile j, K of tile j+1 overlaps the PV of tile j.
//    Sequences before first_seq are skipped (the decode path took them).
#include "attention_kernels.cuh"

HEAD_DIMS(bf16, bf16, bf16)
HEAD_DIMS(f16, f16, f16)
DECODE_REDUCE(bf16, bf16)
DECODE_REDUCE(f16, f16)
