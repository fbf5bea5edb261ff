#!/usr/bin/env bash
# Issue 5's CPU batching ratio: alternating runs of `swiftllm bench throughput` with 1 and
# 16 requests submitted at once (synthetic prompts, EOS ignored), then the medians.
#   SWIFTLLM_BIN  the binary (default .build/release/swiftllm); several, space-separated,
#                 run interleaved (A/B on a machine whose speed drifts between runs)
#   MODEL         GGUF file (default: the SmolLM2 model of `make models`)
#   INPUT_LEN     prompt tokens (32), RUNS alternating pairs (7)
#   KV_DTYPE      --kv-cache-dtype (auto: the CPU default, f16)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
read -r -a bins <<< "${SWIFTLLM_BIN:-$root/.build/release/swiftllm}"
model="${MODEL:-$root/.cache/models/SmolLM2-135M-Instruct.Q4_1.gguf}"
input="${INPUT_LEN:-32}"; runs="${RUNS:-7}"; kv="${KV_DTYPE:-auto}"
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
for i in $(seq "$runs"); do
  for n in 1 16; do
    for b in "${!bins[@]}"; do
      "${bins[$b]}" bench throughput --model "$model" --device cpu --num-requests "$n" --input-len "$input" --output-len 128 \
        --kv-cache-dtype "$kv" --json-output "$out/$b-$n-$i.json" > /dev/null 2>&1
    done
  done
done
python3 - "$out" "${bins[@]}" <<'PY'
import glob, json, statistics, sys
for b, name in enumerate(sys.argv[2:]):
    if len(sys.argv) > 3: print(name)
    medians = {}
    for n in (1, 16):
        runs = [json.load(open(f)) for f in glob.glob(f"{sys.argv[1]}/{b}-{n}-*.json")]
        rates = [r["output_tokens_per_s"] for r in runs]
        medians[n] = statistics.median(rates)
        print(f"{n:2d} requests: {len(runs)} runs, output tok/s median {medians[n]:.1f} (min {min(rates):.1f}, max {max(rates):.1f}), "
              f"ITL p50 median {statistics.median(r['itl_ms']['p50'] for r in runs):.2f} ms")
    print(f"ratio 16 / 1: {medians[16] / medians[1]:.2f}x")
PY
