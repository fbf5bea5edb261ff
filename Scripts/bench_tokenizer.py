#!/usr/bin/env python3
"""Single-thread encode throughput of SwiftLLM's tokenizer beside HF `tokenizers` (Rust) on
the same tokenizer.json files and the same text.

The text is a deterministic ~10 MB mix of English prose, code, CJK, emoji and numbers. Both
sides encode it line by line (each line with its "\\n", no special tokens added): HF with
`Tokenizer.from_file(...).encode(line, add_special_tokens=False)` on one thread
(RAYON_NUM_THREADS=1, TOKENIZERS_PARALLELISM=false, no encode_batch), SwiftLLM with
`swiftllm tokenize --model FOLDER --file F --bench`, which prints
{"bytes":..,"seconds":..,"tokens":..}. Token counts must agree. Best of --runs runs.

Usage:
  swift build -c release --product swiftllm --scratch-path .build-tok   # or any build folder
  python3 Scripts/bench_tokenizer.py [--swiftllm .build-tok/release/swiftllm] [--mb 10] [--runs 3]
Tokenizers come from the model cache (Scripts/fetch_models.sh); pinned: tokenizers==0.23.3.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("SWIFTLLM_MODEL_CACHE", os.path.join(ROOT, ".cache", "models"))
TOKENIZERS = [
    ("Llama 3.2", "llama3.2-tokenizer"),
    ("Qwen3", "qwen3-tokenizer"),
    ("DeepSeek V3", "deepseek-v3-tokenizer"),
    ("llama-spm (SentencePiece BPE)", "llama-spm-hf"),  # written by make_tokenizer_fixtures.py
]

WORDS = ("the of and to in is was that for on with as by at from this be are it an or which have has had not "
         "but were their been more one all would there they can also its new time first after two years other "
         "into some could these than then them only over such most made many may like people between during "
         "model inference token language system engine memory kernel attention batch request latency").split()
CODE = [
    "def {f}(x, y=None):\n    if y is None:\n        return x * {n}\n    return [v + y for v in x]\n",
    "for (int i = 0; i < {n}; ++i) {{\n    sum += a[i] * b[i];  // {f}\n}}\n",
    "let {f} = items.filter {{ $0.count > {n} }}.map(\\.name)\n",
    "SELECT id, name FROM users WHERE age > {n} ORDER BY {f};\n",
    "<div class=\"{f}\">{{{{ value | round({n}) }}}}</div>\n",
    "    self.{f} = nn.Linear({n}, {n} * 4, bias=False)\n",
]
CJK = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理"
EMOJI = "😀😂🥲😍🤔👍🏽🙏🔥✨🎉💯🦙🚀❤️👨‍👩‍👧‍👦🏳️‍🌈🇯🇵"


def make_corpus(megabytes, seed=1234):
    """Deterministic mixed text of about `megabytes` MB (UTF-8)."""
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    lines = []
    size = 0
    while size < target:
        kind = rng.random()
        if kind < 0.45:
            sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30)))
            line = sentence[0].upper() + sentence[1:] + rng.choice([".", ".", "!", "?", ",", ";"])
            if rng.random() < 0.3:
                line += f" In {rng.randint(1900, 2030)}, {rng.randint(0, 10**6):,} units cost ${rng.random() * 1000:.2f}."
        elif kind < 0.7:
            line = rng.choice(CODE).format(f=rng.choice(WORDS) + "_" + rng.choice(WORDS), n=rng.randint(0, 4096))
        elif kind < 0.85:
            line = "".join(rng.choice(CJK) for _ in range(rng.randint(10, 60))) + rng.choice(["。", "，", "！", "？"])
        elif kind < 0.93:
            line = " ".join(rng.choice(WORDS) + rng.choice(EMOJI) for _ in range(rng.randint(3, 12)))
        else:
            line = " ".join(str(rng.randint(0, 10 ** rng.randint(1, 12))) for _ in range(rng.randint(4, 20)))
        lines.append(line.rstrip("\n"))
        size += len(line.encode("utf-8")) + 1
    return "\n".join(lines) + "\n"


def bench_hf(folder, text, runs):
    import tokenizers

    tok = tokenizers.Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    lines = [line + "\n" for line in text.split("\n")]  # as the Swift side splits
    best = None
    tokens = 0
    for _ in range(runs):
        start = time.perf_counter()
        tokens = 0
        for line in lines:
            tokens += len(tok.encode(line, add_special_tokens=False).ids)
        seconds = time.perf_counter() - start
        best = seconds if best is None else min(best, seconds)
    return best, tokens


def bench_swift(binary, folder, path, runs):
    best = None
    tokens = 0
    for _ in range(runs):
        out = subprocess.run([binary, "tokenize", "--model", folder, "--file", path, "--bench"],
                             check=True, capture_output=True, text=True).stdout
        result = json.loads(out.strip().splitlines()[-1])
        tokens = result["tokens"]
        best = result["seconds"] if best is None else min(best, result["seconds"])
    return best, tokens


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--swiftllm", default=os.path.join(ROOT, ".build-tok", "release", "swiftllm"))
    parser.add_argument("--mb", type=float, default=10.0, help="corpus size in MB")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import tokenizers

    text = make_corpus(args.mb)
    size = len(text.encode("utf-8"))
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write(text)
        path = f.name
    rows = []
    try:
        for name, sub in TOKENIZERS:
            folder = os.path.join(CACHE, sub)
            if not os.path.exists(os.path.join(folder, "tokenizer.json")):
                print(f"skipping {name}: {folder}/tokenizer.json missing", file=sys.stderr)
                continue
            hf_s, hf_tokens = bench_hf(folder, text, args.runs)
            sw_s, sw_tokens = bench_swift(args.swiftllm, folder, path, args.runs)
            rows.append({"tokenizer": name, "bytes": size, "hf_seconds": round(hf_s, 3),
                         "swift_seconds": round(sw_s, 3), "hf_mb_s": round(size / hf_s / 1e6, 2),
                         "swift_mb_s": round(size / sw_s / 1e6, 2), "hf_tokens": hf_tokens,
                         "swift_tokens": sw_tokens, "same_tokens": hf_tokens == sw_tokens})
    finally:
        os.unlink(path)
    print(f"corpus: {size / 1e6:.1f} MB, single thread, line by line, best of {args.runs}; "
          f"tokenizers {tokenizers.__version__}; {time.strftime('%Y-%m-%d')}")
    print(f"{'tokenizer':32} {'HF MB/s':>9} {'Swift MB/s':>11} {'ratio':>7} {'tokens equal':>13}")
    for r in rows:
        print(f"{r['tokenizer']:32} {r['hf_mb_s']:9.2f} {r['swift_mb_s']:11.2f} "
              f"{r['swift_mb_s'] / r['hf_mb_s']:7.2f} {str(r['same_tokens']):>13}")
    print(json.dumps(rows))
    if not all(r["same_tokens"] for r in rows):
        sys.exit("token counts differ")


if __name__ == "__main__":
    main()
