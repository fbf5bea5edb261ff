#!/usr/bin/env python3
"""Writes the tiny checkpoint fixtures used by Tests/LLMCheckpointTests.

Pinned versions (what the committed outputs were made with):
    gguf==0.19.0  numpy==2.4.6  safetensors==0.8.0  torch==2.13.0 (cpu)

Run from anywhere:  python3 Tests/Fixtures/checkpoint/make_checkpoint_fixtures.py
Outputs go next to this script. Everything is seeded, so reruns give identical bytes.

Files:
  all_types.gguf            v3, alignment 64, every metadata value type (nested arrays
                            too) and one small tensor of each type the engine reads,
                            plus one Q2_K tensor (a type it does not read).
  all_types.expected.json   per tensor: element offset/count into the .f32 file
  all_types.expected.f32    gguf-py's dequantisation (little-endian float32)
  llama_permuted.gguf       llama arch, attn_q/attn_k rows permuted like llama.cpp's
                            converter (q: F32 + bias, k: Q8_0 + bias)
  llama_hf.safetensors      the same weights in HF names and HF row order
  qwen3_meta.gguf           qwen3 arch metadata (head_dim != hidden/heads, yarn, untied)
  st_single/                model.safetensors (F32/F16/BF16/F8_E4M3/I64), config.json,
                            generation_config.json
  st_sharded/               two shards + model.safetensors.index.json + config.json
"""
import json
import os

import numpy as np
import torch
from gguf import GGMLQuantizationType as Q
from gguf import GGUFValueType as V
from gguf import GGUFWriter, RopeScalingType
from gguf.constants import GGML_QUANT_SIZES
from gguf.quants import dequantize, quantize
from safetensors.numpy import save_file as save_numpy
from safetensors.torch import save_file as save_torch

HERE = os.path.dirname(os.path.abspath(__file__))


def out(*parts):
    path = os.path.join(HERE, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def write_gguf(writer):
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


# Byte offsets of fp16 scale fields inside one block, and of Q8_K's fp32 scale.
FP16_FIELDS = {
    Q.Q4_0: [0], Q.Q4_1: [0, 2], Q.Q5_0: [0], Q.Q5_1: [0, 2], Q.Q8_0: [0],
    Q.Q2_K: [80, 82], Q.Q4_K: [0, 2], Q.Q5_K: [0, 2], Q.Q6_K: [208],
}


def random_blocks(rng, qtype, rows, blocks_per_row):
    """Random block bytes whose scale fields are finite, moderate fp16 (fp32 for Q8_K)."""
    _, block_bytes = GGML_QUANT_SIZES[qtype]
    raw = rng.integers(0, 256, size=(rows * blocks_per_row, block_bytes), dtype=np.uint8)
    for block in raw:
        if qtype == Q.Q8_K:
            d = np.float32(rng.uniform(0.001, 0.05) * rng.choice([-1, 1]))
            block[0:4] = np.frombuffer(d.tobytes(), dtype=np.uint8)
            continue
        for offset in FP16_FIELDS[qtype]:
            h = np.float16(rng.uniform(0.01, 1.0) * rng.choice([-1, 1]))
            block[offset:offset + 2] = np.frombuffer(h.tobytes(), dtype=np.uint8)
    return raw.reshape(rows, blocks_per_row * block_bytes)


def dequantize_q8_k(raw):
    """gguf-py has no Q8_K dequantiser: d (fp32) * qs (int8 x 256); bsums are unused."""
    blocks = raw.reshape(-1, 292)
    d = blocks[:, 0:4].copy().view(np.float32)
    qs = blocks[:, 4:260].copy().view(np.int8).astype(np.float32)
    return (d * qs).reshape(raw.shape[0], -1)


def make_all_types():
    rng = np.random.default_rng(20240501)
    w = GGUFWriter(out("all_types.gguf"), "test")
    w.add_custom_alignment(64)
    w.add_uint8("test.uint8", 200)
    w.add_int8("test.int8", -100)
    w.add_uint16("test.uint16", 60000)
    w.add_int16("test.int16", -30000)
    w.add_uint32("test.uint32", 4_000_000_000)
    w.add_int32("test.int32", -2_000_000_000)
    w.add_float32("test.float32", 0.15625)
    w.add_float32("test.float32_eps", 1e-5)
    w.add_bool("test.bool_true", True)
    w.add_bool("test.bool_false", False)
    w.add_string("test.string", "héllo wörld ✓ 🦙")
    w.add_key_value("test.empty_string", "", V.STRING)  # add_string skips ""
    w.add_uint64("test.uint64", 2**64 - 1)
    w.add_int64("test.int64", -(2**62))
    w.add_float64("test.float64", 3.141592653589793)
    arrays = [
        ("uint8", V.UINT8, [1, 2, 255]),
        ("int8", V.INT8, [-128, 0, 127]),
        ("uint16", V.UINT16, [0, 65535]),
        ("int16", V.INT16, [-32768, 32767]),
        ("uint32", V.UINT32, [0, 4294967295]),
        ("int32", V.INT32, [-7, 0, 7]),
        ("float32", V.FLOAT32, [0.5, -1.25, 1e-5]),
        ("bool", V.BOOL, [True, False, True]),
        ("string", V.STRING, ["a", "", "ü"]),
        ("uint64", V.UINT64, [0, 2**64 - 1]),
        ("int64", V.INT64, [-(2**63), 2**63 - 1]),
        ("float64", V.FLOAT64, [1e300, -0.0, 0.1]),
    ]
    for name, sub_type, values in arrays:
        w.add_key_value(f"test.array.{name}", values, V.ARRAY, sub_type=sub_type)
    w.add_key_value("test.array.nested_int", [[1, 2], [3]], V.ARRAY)
    w.add_key_value("test.array.nested_string", [["x"], ["y", "z"]], V.ARRAY)
    w.add_key_value("test.array.nested3", [[[1]], [[2, 3], [4]]], V.ARRAY)

    expected = {}
    f32_3d = rng.standard_normal((2, 3, 4)).astype(np.float32)
    w.add_tensor("t.f32", f32_3d)
    expected["t.f32"] = f32_3d
    f16 = rng.standard_normal((3, 4)).astype(np.float16)
    w.add_tensor("t.f16", f16)
    expected["t.f16"] = f16.astype(np.float32)
    bf16_bits = (rng.standard_normal((3, 4)).astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)
    bf16_raw = bf16_bits.view(np.uint8).reshape(3, 8)
    w.add_tensor("t.bf16", bf16_raw, raw_dtype=Q.BF16)
    expected["t.bf16"] = dequantize(bf16_raw, Q.BF16)
    f32_1d = rng.standard_normal(8).astype(np.float32)
    w.add_tensor("t.f32_1d", f32_1d)
    expected["t.f32_1d"] = f32_1d

    for qtype in [Q.Q4_0, Q.Q4_1, Q.Q5_0, Q.Q5_1, Q.Q8_0, Q.Q4_K, Q.Q5_K, Q.Q6_K, Q.Q8_K]:
        raw = random_blocks(rng, qtype, rows=2, blocks_per_row=2)
        name = f"t.{qtype.name.lower()}"
        w.add_tensor(name, raw, raw_dtype=qtype)
        expected[name] = dequantize_q8_k(raw) if qtype == Q.Q8_K else dequantize(raw, qtype)
    # A type the engine cannot read: listed with dtype nil, reading it is an error.
    w.add_tensor("t.q2_k", random_blocks(rng, Q.Q2_K, rows=1, blocks_per_row=1), raw_dtype=Q.Q2_K)
    write_gguf(w)

    index, values, offset = [], [], 0
    for name, array in expected.items():
        flat = np.asarray(array, dtype=np.float32).reshape(-1)
        assert np.all(np.isfinite(flat)), name
        index.append({"name": name, "offset": offset, "count": int(flat.size)})
        values.append(flat)
        offset += flat.size
    np.concatenate(values).astype("<f4").tofile(out("all_types.expected.f32"))
    with open(out("all_types.expected.json"), "w") as f:
        json.dump({"tensors": index}, f, indent=1)


def permute(weights, n_head):
    """llama.cpp convert_hf_to_gguf's q/k row permutation (HF rotate-half -> interleaved)."""
    return (weights.reshape(n_head, 2, weights.shape[0] // n_head // 2, *weights.shape[1:])
            .swapaxes(1, 2)
            .reshape(weights.shape))


def make_llama():
    rng = np.random.default_rng(7)
    hidden, heads, kv_heads, ffn, vocab = 32, 4, 2, 64, 16
    head_dim = hidden // heads
    f32 = lambda *shape: rng.standard_normal(shape).astype(np.float32)
    hf = {
        "model.embed_tokens.weight": f32(vocab, hidden),
        "model.norm.weight": f32(hidden),
        "model.layers.0.input_layernorm.weight": f32(hidden),
        "model.layers.0.post_attention_layernorm.weight": f32(hidden),
        "model.layers.0.self_attn.q_proj.weight": f32(heads * head_dim, hidden),
        "model.layers.0.self_attn.q_proj.bias": f32(heads * head_dim),
        "model.layers.0.self_attn.k_proj.bias": f32(kv_heads * head_dim),
        "model.layers.0.self_attn.v_proj.weight": f32(kv_heads * head_dim, hidden).astype(np.float16),
        "model.layers.0.self_attn.o_proj.weight": f32(hidden, heads * head_dim),
        "model.layers.0.mlp.gate_proj.weight": f32(ffn, hidden),
        "model.layers.0.mlp.up_proj.weight": f32(ffn, hidden),
        "model.layers.0.mlp.down_proj.weight": f32(hidden, ffn),
    }
    k_q8 = quantize(f32(kv_heads * head_dim, hidden), Q.Q8_0)  # HF row order, uint8 rows

    w = GGUFWriter(out("llama_permuted.gguf"), "llama")
    w.add_context_length(128)
    w.add_embedding_length(hidden)
    w.add_block_count(1)
    w.add_feed_forward_length(ffn)
    w.add_head_count(heads)
    w.add_head_count_kv(kv_heads)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_freq_base(500000.0)
    w.add_rope_scaling_type(RopeScalingType.LINEAR)
    w.add_rope_scaling_factor(2.0)
    w.add_rope_scaling_orig_ctx_len(64)
    w.add_tokenizer_model("gpt2")
    w.add_token_list([f"tok{i}" for i in range(vocab)])
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    names = {
        "model.embed_tokens.weight": "token_embd.weight",
        "model.norm.weight": "output_norm.weight",
        "model.layers.0.input_layernorm.weight": "blk.0.attn_norm.weight",
        "model.layers.0.post_attention_layernorm.weight": "blk.0.ffn_norm.weight",
        "model.layers.0.self_attn.q_proj.weight": "blk.0.attn_q.weight",
        "model.layers.0.self_attn.q_proj.bias": "blk.0.attn_q.bias",
        "model.layers.0.self_attn.k_proj.bias": "blk.0.attn_k.bias",
        "model.layers.0.self_attn.v_proj.weight": "blk.0.attn_v.weight",
        "model.layers.0.self_attn.o_proj.weight": "blk.0.attn_output.weight",
        "model.layers.0.mlp.gate_proj.weight": "blk.0.ffn_gate.weight",
        "model.layers.0.mlp.up_proj.weight": "blk.0.ffn_up.weight",
        "model.layers.0.mlp.down_proj.weight": "blk.0.ffn_down.weight",
    }
    for hf_name, gguf_name in names.items():
        data = hf[hf_name]
        if ".q_proj." in hf_name:
            data = permute(data, heads)
        elif ".k_proj." in hf_name:
            data = permute(data, kv_heads)
        w.add_tensor(gguf_name, np.ascontiguousarray(data))
    w.add_tensor("blk.0.attn_k.weight", np.ascontiguousarray(permute(k_q8, kv_heads)), raw_dtype=Q.Q8_0)
    # An extra tensor with no HF name: listed under its GGUF name.
    w.add_tensor("rope_freqs.weight", np.ones(head_dim // 2, dtype=np.float32))
    write_gguf(w)

    hf["model.layers.0.self_attn.k_proj.weight"] = dequantize(k_q8, Q.Q8_0)
    hf = {k: np.ascontiguousarray(v.astype(np.float32)) for k, v in hf.items()}
    save_numpy(hf, out("llama_hf.safetensors"), metadata={"format": "pt"})


def make_qwen3():
    rng = np.random.default_rng(3)
    w = GGUFWriter(out("qwen3_meta.gguf"), "qwen3")
    w.add_context_length(256)
    w.add_embedding_length(16)
    w.add_block_count(2)
    w.add_feed_forward_length(48)
    w.add_head_count(2)
    w.add_head_count_kv(1)
    w.add_key_length(16)
    w.add_value_length(16)
    w.add_layer_norm_rms_eps(1e-6)
    w.add_rope_freq_base(1000000.0)
    w.add_vocab_size(20)
    w.add_rope_scaling_type(RopeScalingType.YARN)
    w.add_rope_scaling_factor(4.0)
    w.add_rope_scaling_orig_ctx_len(64)
    w.add_eos_token_id(5)
    w.add_tensor("output.weight", rng.standard_normal((20, 16)).astype(np.float16))
    w.add_tensor("blk.0.attn_q.weight", rng.standard_normal((32, 16)).astype(np.float32))
    w.add_tensor("blk.0.attn_q_norm.weight", rng.standard_normal(16).astype(np.float32))
    write_gguf(w)


TINY_CONFIG = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 2,
    "intermediate_size": 4, "num_hidden_layers": 0, "num_attention_heads": 1,
    "num_key_value_heads": 1, "rms_norm_eps": 1e-5, "vocab_size": 4,
    "max_position_embeddings": 16, "tie_word_embeddings": False,
}


def make_safetensors():
    single = {
        "a.f32": (torch.arange(12, dtype=torch.float32) * 0.5 - 3).reshape(3, 4),
        "b.f16": (torch.arange(6, dtype=torch.float32) * 0.25 - 0.5).reshape(2, 3).to(torch.float16),
        "c.bf16": torch.tensor([1.0, -2.5, 0.15625, 65536.0]).to(torch.bfloat16),
        "d.i64": torch.tensor([1, -1], dtype=torch.int64),
        "e.f8": torch.tensor([0.5, -1.0, 448.0, 0.0]).to(torch.float8_e4m3fn),
    }
    save_torch(single, out("st_single", "model.safetensors"), metadata={"format": "pt", "note": "fixture"})
    with open(out("st_single", "config.json"), "w") as f:
        json.dump(TINY_CONFIG, f, indent=1)
    with open(out("st_single", "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": 1, "eos_token_id": [2, 7], "pad_token_id": None, "do_sample": True,
                   "temperature": 0.7, "top_p": 0.9, "top_k": 20, "repetition_penalty": 1.05,
                   "max_new_tokens": 64, "transformers_version": "4.46.0", "unknown_key": {"a": [1]}},
                  f, indent=1)

    shard1 = {
        "model.embed_tokens.weight": torch.arange(8, dtype=torch.float32).reshape(4, 2),
        "model.norm.weight": torch.tensor([1.0, 2.0]).to(torch.bfloat16),
    }
    shard2 = {"lm_head.weight": (torch.arange(8, dtype=torch.float32) - 4).reshape(4, 2).to(torch.float16)}
    save_torch(shard1, out("st_sharded", "model-00001-of-00002.safetensors"), metadata={"format": "pt"})
    save_torch(shard2, out("st_sharded", "model-00002-of-00002.safetensors"), metadata={"format": "pt"})
    weight_map = {name: "model-00001-of-00002.safetensors" for name in shard1}
    weight_map.update({name: "model-00002-of-00002.safetensors" for name in shard2})
    # Listed by the index but absent from the shard: the reader must name the shard.
    weight_map["model.layers.0.missing.weight"] = "model-00002-of-00002.safetensors"
    with open(out("st_sharded", "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": 52}, "weight_map": weight_map}, f, indent=1, sort_keys=True)
    with open(out("st_sharded", "config.json"), "w") as f:
        json.dump(TINY_CONFIG, f, indent=1)


if __name__ == "__main__":
    make_all_types()
    make_llama()
    make_qwen3()
    make_safetensors()
    total = sum(os.path.getsize(os.path.join(root, name))
                for root, _, names in os.walk(HERE) for name in names if not name.endswith(".py"))
    print(f"fixtures written to {HERE}: {total} bytes")
