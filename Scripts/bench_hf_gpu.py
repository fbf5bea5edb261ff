#!/usr/bin/env python3
"""HF transformers on the GPU as the floor beside `swiftllm bench` (issue 7): the same
model shape with random bf16 weights, the same prompt and generation lengths.

Batch-1 latency: `generate` with a static KV cache, greedy, EOS ignored; generate then
compiles its decode step itself (torch.compile with CUDA graphs; `--no-compile` passes
disable_compile for the eager figure). Prefill time is a generate of one token; decode
tokens/s = (gen - 1) / (time of gen tokens - prefill).
Throughput (`--batch N`): N random prompts generated together (dynamic cache, no
compile), output tokens/s over the whole call.

Usage: bench_hf_gpu.py --config DIR [--prompt-tokens 128] [--gen-tokens 256]
                       [--no-compile] [--batch 0] [--repeats 3] [--json FILE]
"""
import argparse, json, statistics, time

import torch
from transformers import AutoConfig, AutoModelForCausalLM


def timed(fn):
    torch.cuda.synchronize()
    start = time.perf_counter()
    out = fn()
    torch.cuda.synchronize()
    return time.perf_counter() - start, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True, help="folder with config.json")
    ap.add_argument("--prompt-tokens", type=int, default=128)
    ap.add_argument("--gen-tokens", type=int, default=256)
    ap.add_argument("--no-compile", action="store_true")
    ap.add_argument("--batch", type=int, default=0, help="also measure N requests generated together")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json")
    a = ap.parse_args()

    config = AutoConfig.from_pretrained(a.config)
    torch.manual_seed(0)
    with torch.device("cuda"):
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16).eval()
    model.generation_config.eos_token_id = None
    model.generation_config.pad_token_id = 0
    vocab = config.vocab_size
    prompt = torch.randint(0, vocab, (1, a.prompt_tokens), device="cuda")

    def generate(ids, n, static):
        kwargs = dict(max_new_tokens=n, min_new_tokens=n, do_sample=False)
        if static:
            kwargs["cache_implementation"] = "static"
            kwargs["disable_compile"] = a.no_compile
        with torch.no_grad():
            return model.generate(ids, **kwargs)

    # Warm-up: compiles (for every shape the static cache uses) and fills allocator caches.
    for _ in range(2):
        generate(prompt, a.gen_tokens, True)
        generate(prompt, 1, True)
    prefill, total = [], []
    for _ in range(a.repeats):
        prefill.append(timed(lambda: generate(prompt, 1, True))[0])
        total.append(timed(lambda: generate(prompt, a.gen_tokens, True))[0])
    ttft = statistics.median(prefill)
    decode = (a.gen_tokens - 1) / (statistics.median(total) - ttft)
    result = {"engine": "transformers", "version": __import__("transformers").__version__, "torch": torch.__version__,
              "device": torch.cuda.get_device_name(), "compile": not a.no_compile, "prompt_tokens": a.prompt_tokens,
              "gen_tokens": a.gen_tokens, "ttft_ms": ttft * 1000, "decode_tps": decode}
    print(f"transformers {result['version']} ({'static cache, eager' if a.no_compile else 'compiled static cache'}) on "
          f"{result['device']}: TTFT {ttft * 1000:.1f} ms at {a.prompt_tokens} tokens, decode {decode:.1f} tokens/s")

    if a.batch > 0:
        ids = torch.randint(0, vocab, (a.batch, a.prompt_tokens), device="cuda")
        generate(ids[:2], 4, False)
        seconds, _ = timed(lambda: generate(ids, a.gen_tokens, False))
        result.update(batch=a.batch, batch_output_tps=a.batch * a.gen_tokens / seconds)
        print(f"batch {a.batch} x ({a.prompt_tokens} in, {a.gen_tokens} out): {result['batch_output_tps']:.1f} output tokens/s")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f)


if __name__ == "__main__":
    main()
