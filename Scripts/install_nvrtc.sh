#!/usr/bin/env bash
# Installs NVRTC and the CUDA headers (cuda_bf16.h, ...) from NVIDIA's pip wheels, so the
# kernel compile test (LLMCUDATests) can compile every kernel family for every GPU
# architecture on a machine without a GPU or a CUDA toolkit. The engine finds the
# wheels by scanning site-packages folders (see Sources/LLMCUDA/Loader/LibrarySearch.swift).
set -euo pipefail
python3 -m pip install --quiet "nvidia-cuda-nvrtc==13.0.*" "nvidia-cuda-runtime==13.0.*"
python3 - <<'PY'
import os, nvidia
base = os.path.join(list(nvidia.__path__)[0], "cu13")
print("NVRTC:", os.path.join(base, "lib"), "headers:", os.path.join(base, "include"))
PY
