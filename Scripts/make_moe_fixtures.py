#!/usr/bin/env python3
# Pinned versions: as Scripts/make_model_fixtures.py (checked at start; torch 2.13.0+cpu,
# transformers 5.24.0, tokenizers 0.23.3, accelerate 1.15.0, gguf 0.19.0, safetensors 0.8.0).
"""Tiny mixture-of-experts reference fixtures for SwiftLLM (HF transformers is the reference).

Usage:
    python3 Scripts/make_moe_fixtures.py [--out Tests/Fixtures/models] [--only NAME ...] [--no-version-check]

Reuses make_model_fixtures.py's generator (same layout: config.json, bf16 model.safetensors
as save_pretrained writes it, reference.json, logits.f32 from one f32 forward with eager
attention; see that script's docstring) for these models:

  mixtral-sw        MixtralForCausalLM: 8 experts of width 32, top-2 (renormalised),
                    sliding_window 8 (shorter than the prompts), head_dim 16, 2 layers
  qwen3-moe         Qwen3MoeForCausalLM: 8 experts of width 32, top-2, norm_topk_prob false,
                    3 layers with mlp_only_layers [1] (a dense MLP of intermediate_size 128),
                    head_dim 32, q/k norms

Their prompts (input_ids) have 35 and 40 ids, so the prefixes of 1, 7 and 33 ids are rows
of logits.f32. transformers 5.24's save_pretrained writes one tensor per expert
(`...experts.N.w1.weight` / `...experts.N.gate_proj.weight`), reversing the fused
in-memory layout; two more folders hold the other layouts of the same weights:

  qwen3-moe-fused   config.json + model.safetensors written with
                    save_pretrained(save_original_format=False): transformers 5's fused
                    `mlp.experts.gate_up_proj` [E, 2*ff, hidden] and `mlp.experts.down_proj`
                    [E, hidden, ff] (no reference: the logits are qwen3-moe's)
  qwen3-moe-gguf    model.gguf: the same weights in llama.cpp's qwen3moe layout (F32 tensors;
                    merged `blk.N.ffn_{gate,up,down}_exps.weight`, router `ffn_gate_inp`,
                    `qwen3moe.expert_count` / `expert_used_count` /
                    `expert_feed_forward_length`), written with the gguf package; its logits
                    must be qwen3-moe's
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_model_fixtures as base  # noqa: E402

MOE_MODELS = {
    "mixtral-sw": ("MixtralForCausalLM", dict(
        head_dim=16, intermediate_size=32, num_local_experts=8, num_experts_per_tok=2,
        sliding_window=8, max_position_embeddings=256, tie_word_embeddings=False,
        rope_parameters=dict(rope_type="default", rope_theta=1000000.0)), "rope_parameters"),
    "qwen3-moe": ("Qwen3MoeForCausalLM", dict(
        head_dim=32, num_hidden_layers=3, intermediate_size=128, moe_intermediate_size=32,
        num_experts=8, num_experts_per_tok=2, norm_topk_prob=False, mlp_only_layers=[1],
        decoder_sparse_step=1, max_position_embeddings=256, tie_word_embeddings=False,
        rope_parameters=dict(rope_type="default", rope_theta=1000000.0)), "rope_parameters"),
}
CONFIG_CLASSES = {"MixtralForCausalLM": "MixtralConfig", "Qwen3MoeForCausalLM": "Qwen3MoeConfig"}


def make_fused(out_root):
    """qwen3-moe's weights saved in transformers 5's fused expert layout."""
    import torch
    import transformers
    folder = os.path.join(out_root, "qwen3-moe-fused")
    os.makedirs(folder, exist_ok=True)
    model = transformers.Qwen3MoeForCausalLM.from_pretrained(os.path.join(out_root, "qwen3-moe"), dtype=torch.bfloat16)
    model.save_pretrained(folder, save_original_format=False)
    gc_path = os.path.join(folder, "generation_config.json")
    if os.path.exists(gc_path):
        os.remove(gc_path)
    from safetensors import safe_open
    with safe_open(os.path.join(folder, "model.safetensors"), "pt") as f:
        names = list(f.keys())
    assert "model.layers.0.mlp.experts.gate_up_proj" in names, names


def make_gguf(out_root):
    """qwen3-moe's weights as llama.cpp's converter lays them out (F32, qwen3moe arch)."""
    import json
    import numpy as np
    import gguf
    from safetensors.numpy import load_file
    import torch
    from safetensors.torch import load_file as load_torch
    src = os.path.join(out_root, "qwen3-moe")
    cfg = json.load(open(os.path.join(src, "config.json")))
    tensors = {k: v.to(torch.float32).numpy() for k, v in load_torch(os.path.join(src, "model.safetensors")).items()}
    folder = os.path.join(out_root, "qwen3-moe-gguf")
    os.makedirs(folder, exist_ok=True)
    arch = "qwen3moe"
    w = gguf.GGUFWriter(os.path.join(folder, "model.gguf"), arch)
    w.add_block_count(cfg["num_hidden_layers"])
    w.add_context_length(cfg["max_position_embeddings"])
    w.add_embedding_length(cfg["hidden_size"])
    w.add_feed_forward_length(cfg["intermediate_size"])
    w.add_head_count(cfg["num_attention_heads"])
    w.add_head_count_kv(cfg["num_key_value_heads"])
    w.add_key_length(cfg["head_dim"])
    w.add_value_length(cfg["head_dim"])
    w.add_rope_freq_base(cfg["rope_parameters"]["rope_theta"])
    w.add_layer_norm_rms_eps(cfg["rms_norm_eps"])
    experts = cfg.get("num_experts", cfg.get("num_local_experts"))
    w.add_expert_count(experts)
    w.add_expert_used_count(cfg["num_experts_per_tok"])
    w.add_expert_feed_forward_length(cfg["moe_intermediate_size"])
    w.add_expert_weights_norm(cfg["norm_topk_prob"])
    w.add_vocab_size(cfg["vocab_size"])
    w.add_tensor("token_embd.weight", tensors["model.embed_tokens.weight"])
    w.add_tensor("output_norm.weight", tensors["model.norm.weight"])
    w.add_tensor("output.weight", tensors["lm_head.weight"])
    names = {
        "input_layernorm.weight": "attn_norm.weight", "post_attention_layernorm.weight": "ffn_norm.weight",
        "self_attn.q_proj.weight": "attn_q.weight", "self_attn.k_proj.weight": "attn_k.weight",
        "self_attn.v_proj.weight": "attn_v.weight", "self_attn.o_proj.weight": "attn_output.weight",
        "self_attn.q_norm.weight": "attn_q_norm.weight", "self_attn.k_norm.weight": "attn_k_norm.weight",
        "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight",
        "mlp.down_proj.weight": "ffn_down.weight", "mlp.gate.weight": "ffn_gate_inp.weight",
    }
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        for hf, gg in names.items():
            if p + hf in tensors:
                w.add_tensor(f"blk.{i}.{gg}", tensors[p + hf])
        if p + "mlp.experts.0.gate_proj.weight" in tensors:
            for hf, gg in [("gate_proj", "ffn_gate_exps"), ("up_proj", "ffn_up_exps"), ("down_proj", "ffn_down_exps")]:
                stacked = np.stack([tensors[f"{p}mlp.experts.{e}.{hf}.weight"] for e in range(experts)])
                w.add_tensor(f"blk.{i}.{gg}.weight", stacked)   # numpy [E, rows, cols]
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=base.OUT_DEFAULT)
    ap.add_argument("--only", nargs="*", help="model names (folders) to regenerate")
    ap.add_argument("--no-version-check", action="store_true")
    args = ap.parse_args()
    if not args.no_version_check:
        base.check_versions()
    import torch
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    import transformers
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    base.TINY_MODELS.update(MOE_MODELS)
    base.CONFIG_CLASSES.update(CONFIG_CLASSES)
    names = list(MOE_MODELS) + ["qwen3-moe-fused", "qwen3-moe-gguf"]
    if args.only:
        names = [n for n in names if n in args.only]
    for name in names:
        if name == "qwen3-moe-fused":
            make_fused(args.out)
            print(name, flush=True)
        elif name == "qwen3-moe-gguf":
            make_gguf(args.out)
            print(name, flush=True)
        else:
            info = base.make_tiny(name, args.out)
            print(f"{name}: seq {info['seq']}, logit std {info['logit_std']:.2f}, min greedy margin {info['min_margin']:.4f}", flush=True)


if __name__ == "__main__":
    main()
