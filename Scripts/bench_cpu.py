#!/usr/bin/env python3
"""CPU speed of SwiftLLM beside llama.cpp, in one run, on the same GGUF file.

For each thread count, each engine runs in its own process (so peak memory is its own):
prefill of a fixed prompt of N tokens and greedy decode of M tokens, median of R runs.
llama.cpp runs through llama-cpp-python (pip install llama-cpp-python==0.3.36, built
from source on this machine). Both engines are timed the same way: wall clock from
the prompt's submission to the first greedy token (prefill), then per generated token.

Usage: Scripts/bench_cpu.py --model PATH [--threads 1,2] [--prompt-tokens 128]
                            [--gen-tokens 64] [--repeats 3] [--swiftllm .build/release/swiftllm]
Prints a Markdown table.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

import numpy

PROMPT = "The quick brown fox jumps over the lazy dog. "


def llama_cpp_child(model, threads, prompt_tokens, gen_tokens, repeats):
    import llama_cpp
    llm = llama_cpp.Llama(model_path=model, n_threads=threads, n_threads_batch=threads, n_ctx=2048,
                          n_batch=512, verbose=False)
    n_vocab = llm.n_vocab()

    def greedy():
        row = llama_cpp.llama_get_logits_ith(llm.ctx, -1)
        return int(numpy.argmax(numpy.ctypeslib.as_array(row, shape=(n_vocab,))))

    ids = llm.tokenize((PROMPT * (prompt_tokens // 4 + 1)).encode(), add_bos=False)[:prompt_tokens]
    pp, tg = [], []
    for r in range(repeats + 1):
        llm.reset()
        start = time.perf_counter()
        llm.eval(ids)
        tok = greedy()
        mid = time.perf_counter()
        for _ in range(gen_tokens - 1):
            llm.eval([tok])
            tok = greedy()
        end = time.perf_counter()
        if r == 0:
            continue  # warm-up
        pp.append(len(ids) / (mid - start))
        tg.append((gen_tokens - 1) / (end - mid))
    print(json.dumps({"engine": "llama.cpp", "threads": threads, "prompt_tokens": len(ids),
                      "prefill_tps": statistics.median(pp), "decode_tps": statistics.median(tg)}))


def run_child(cmd):
    """Runs one engine process; its own peak resident memory comes from wait4."""
    with tempfile.TemporaryFile(mode="w+") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        if status != 0:
            err.seek(0)
            sys.exit("%s failed:\n%s" % (" ".join(cmd), err.read()))
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    for row in rows:
        row["peak_rss_mib"] = usage.ru_maxrss / 1024
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--prompt-tokens", type=int, default=128)
    ap.add_argument("--gen-tokens", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--swiftllm", default=".build/release/swiftllm")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--engines", default="swiftllm,llama.cpp")
    a = ap.parse_args()
    if a.child:
        llama_cpp_child(a.model, int(a.threads), a.prompt_tokens, a.gen_tokens, a.repeats)
        return
    rows = []
    for t in [int(x) for x in a.threads.split(",")]:
        if "swiftllm" in a.engines:
            rows += run_child([a.swiftllm, "bench", "--model", a.model, "--thread-counts", str(t), "--prompt-tokens",
                               str(a.prompt_tokens), "--gen-tokens", str(a.gen_tokens), "--repeats", str(a.repeats),
                               "--json", "--kv-cache-mib", "96"])
        if "llama.cpp" in a.engines:
            rows += run_child([sys.executable, __file__, "--child", "--model", a.model, "--threads", str(t),
                               "--prompt-tokens", str(a.prompt_tokens), "--gen-tokens", str(a.gen_tokens),
                               "--repeats", str(a.repeats)])
    print("| engine | threads | prefill tok/s (pp%d) | decode tok/s (tg%d) | peak RSS MiB |" % (a.prompt_tokens, a.gen_tokens))
    print("|---|---|---|---|---|")
    for r in rows:
        peak = "%.0f" % r["peak_rss_mib"] if r.get("peak_rss_mib") else "n/a"
        print("| %s | %d | %.1f | %.1f | %s |" % (r["engine"], r["threads"], r["prefill_tps"], r["decode_tps"], peak))
    by = {(r["engine"], r["threads"]): r for r in rows}
    for t in sorted({r["threads"] for r in rows}):
        s, l = by.get(("swiftllm", t)), by.get(("llama.cpp", t))
        if s and l:
            print("\nthreads %d: SwiftLLM/llama.cpp prefill %.2fx, decode %.2fx" % (t, s["prefill_tps"] / l["prefill_tps"], s["decode_tps"] / l["decode_tps"]), end="")
    print()


if __name__ == "__main__":
    main()
