#!/usr/bin/env python3
"""Compares SwiftLLM's GPU logits with HF transformers on the same GPU, in bf16.

Input: the JSON written by `swiftllm selftest --device cuda --model DIR ... --dump-logits F`
(per model: prompt ids, SwiftLLM's greedy tokens, and its logits at the prompt's last
position and at each generated token). For each tiny model folder given, transformers
loads the same safetensors in bf16 on CUDA and:
  1. runs one forward over prompt + SwiftLLM's tokens (teacher forcing) and compares the
     logits at every step with SwiftLLM's (max |diff| over the logit range);
  2. generates greedily for the same number of steps and compares tokens; a divergence
     passes only at a near-tie (each side's token is in the other's top 5, within the
     tolerance of the range of the other's best; DESIGN.md section 8).
Dynamic NTK RoPE is not comparable this way: transformers' one-forward teacher forcing
rotates every position with the frequencies of the whole sequence, while cached decoding
(ours and transformers' generate) rotates each token with those of its own length.
Usage: compare_hf_gpu.py --dump F MODEL_DIR... [--tolerance 0.03]
Exit status 1 on any failure.
"""
import argparse, json, os, sys

import torch
from transformers import AutoModelForCausalLM


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", required=True)
    ap.add_argument("--tolerance", type=float, default=0.03)
    ap.add_argument("models", nargs="+")
    a = ap.parse_args()
    dump = json.load(open(a.dump))
    failures = 0
    for folder in a.models:
        name = os.path.basename(folder.rstrip("/"))
        ours = dump[name]
        prompt, tokens, logits = ours["prompt"], ours["tokens"], torch.tensor(ours["logits"])
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.bfloat16, attn_implementation="eager").cuda().eval()
        model.generation_config.eos_token_id = None
        with torch.no_grad():
            ids = torch.tensor([prompt + tokens[:-1]], device="cuda")
            hf = model(ids).logits[0, len(prompt) - 1:].float().cpu()
            rng = (hf[0].max() - hf[0].min()).item()
            err = ((hf - logits).abs().max(dim=1).values / rng)
            out = model.generate(torch.tensor([prompt], device="cuda"), attention_mask=torch.ones(1, len(prompt), dtype=torch.long, device="cuda"),
                                 do_sample=False, max_new_tokens=len(tokens), min_new_tokens=len(tokens),
                                 output_logits=True, return_dict_in_generate=True)
        hf_tokens = out.sequences[0, len(prompt):].tolist()
        ok = err.max().item() <= a.tolerance
        note = "same %d tokens" % len(tokens)
        if hf_tokens != tokens:
            step = next(i for i, (x, y) in enumerate(zip(hf_tokens, tokens)) if x != y)
            h, s = out.logits[step][0].float().cpu(), logits[step]

            def near_top(row, best, other):  # other in row's top 5, within tolerance of best
                return int((row > row[other]).sum()) < 5 and (row[best] - row[other]).item() <= a.tolerance * rng

            near = near_top(h, hf_tokens[step], tokens[step]) and near_top(s, tokens[step], hf_tokens[step])
            note = "diverged at step %d (%s)" % (step, "near-tie" if near else "NOT a near-tie")
            ok = ok and near
        failures += 0 if ok else 1
        print("%s %s: max logit error %.4f of range over %d steps (mean %.4f); %s" %
              ("PASS" if ok else "FAIL", name, err.max().item(), len(err), err.mean().item(), note))
    print("HF comparison: %s" % ("passed" if failures == 0 else "%d failed" % failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
