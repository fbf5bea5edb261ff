#!/usr/bin/env python3
"""The serving load test: `swiftllm serve` and llama.cpp's server (llama-cpp-python) in one
run, on the same GGUF file and thread count, under the same load (bench_serve.py: streaming
clients in a closed loop, a fraction dropping their connection mid-stream).

For each server it reports throughput and latency percentiles, requests that failed
(anything but the deliberate drops), resident memory when idle after a warm-up (one request per client at full concurrency), at its
peak and after the load, and for swiftllm that /metrics is back to idle (no request
running, waiting or holding a queue slot) and that SIGTERM exits 0.

    python3 Scripts/load_test_serve.py --swiftllm .build/release/swiftllm \\
        --model .cache/models/SmolLM2-135M-Instruct.Q4_1.gguf --threads 2 \\
        --concurrency 64 --duration 120 --disconnect-fraction 0.1 --max-tokens 64

llama.cpp's server runs with `--interrupt_requests False`: by default it stops a streaming
request whenever another one arrives, which would fail most of this load.
"""
import argparse
import asyncio
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_serve  # noqa: E402

MODEL_NAME = "smollm2"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def resident_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


class ServerProcess:
    def __init__(self, name: str, command: list[str], port: int, ready_path: str):
        self.name = name
        self.url = f"http://127.0.0.1:{port}"
        self.log = tempfile.NamedTemporaryFile(mode="w+", prefix=f"{name}-", suffix=".log", delete=False)
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} exited with {self.process.returncode}; see {self.log.name}")
            try:
                get(self.url + ready_path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} did not start; see {self.log.name}")
                time.sleep(0.2)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def swiftllm_idle_metrics(url: str) -> dict:
    """The queue gauges of /metrics (and the KV cache gauge when the engine reports one)."""
    values = {}
    for line in get(url + "/metrics").splitlines():
        for name in ("swiftllm_num_requests_running", "swiftllm_num_requests_waiting", "swiftllm_num_requests_admitted",
                     "swiftllm_kv_cache_usage_ratio"):
            if line.startswith(name + " "):
                values[name] = float(line.split()[1])
    return values


def measure(server: ServerProcess, load: argparse.Namespace, settle: float) -> dict:
    load = argparse.Namespace(**vars(load), url=server.url)
    # The warm-up runs every client once at the load's concurrency, so "idle" already holds
    # what a full batch needs once (activations, logits, connection buffers): memory that
    # grows beyond it during the load is what the load leaked.
    warmup = argparse.Namespace(**{**vars(load), "num_requests": load.concurrency, "duration": None, "disconnect_fraction": 0.0})
    asyncio.run(bench_serve.run_load(warmup))
    time.sleep(settle)
    idle = resident_mib(server.process.pid)
    peak = [idle]
    done = threading.Event()

    def sample():
        while not done.wait(0.5):
            peak[0] = max(peak[0], resident_mib(server.process.pid))

    sampler = threading.Thread(target=sample)
    sampler.start()
    summary = asyncio.run(bench_serve.run_load(load))
    done.set()
    sampler.join()
    time.sleep(settle)
    summary["rss_idle_mib"], summary["rss_peak_mib"], summary["rss_after_mib"] = idle, peak[0], resident_mib(server.process.pid)
    return summary


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--swiftllm", default=".build/release/swiftllm", help="the swiftllm binary")
    p.add_argument("--model", default=".cache/models/SmolLM2-135M-Instruct.Q4_1.gguf")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--duration", type=float, default=120)
    p.add_argument("--disconnect-fraction", type=float, default=0.1)
    p.add_argument("--max-tokens", type=int, default=64)
    p.add_argument("--suppress-token-ids", default="0,2", help="EOS ids biased away so every request runs to --max-tokens (SmolLM2: 0, 2)")
    p.add_argument("--settle", type=float, default=3, help="seconds to wait before reading idle memory and metrics")
    p.add_argument("--only", choices=["swiftllm", "llama.cpp"], help="measure one server only")
    p.add_argument("--json", help="also write the results to this file")
    args = p.parse_args()

    load = argparse.Namespace(
        model=MODEL_NAME, api_key=None, num_requests=None, duration=args.duration, concurrency=args.concurrency, request_rate=None,
        max_tokens=args.max_tokens, temperature=0.0, suppress_token_ids=[int(t) for t in args.suppress_token_ids.split(",") if t],
        disconnect_fraction=args.disconnect_fraction, timeout=900, seed=0)
    print(f"{time.strftime('%Y-%m-%d %H:%M')} on {platform.node()} ({os.cpu_count()} CPUs): {args.concurrency} streaming clients, "
          f"{args.duration:.0f} s, {args.disconnect_fraction:.0%} dropping mid-stream, {args.max_tokens} tokens each, "
          f"{args.threads} threads, {args.model}")
    results = {}
    if args.only in (None, "swiftllm"):
        port = free_port()
        server = ServerProcess("swiftllm", [args.swiftllm, "serve", "--model", args.model, "--device", "cpu", "--threads", str(args.threads),
                                            "--port", str(port), "--served-model-name", MODEL_NAME, "--log-level", "warning"],
                               port, "/health")
        try:
            summary = measure(server, load, args.settle)
            summary["metrics_after"] = swiftllm_idle_metrics(server.url)
        finally:
            exit_status = server.stop()
        results["swiftllm"] = {**summary, "exit_status": exit_status}
    if args.only in (None, "llama.cpp"):
        port = free_port()
        server = ServerProcess("llama.cpp", [sys.executable, "-m", "llama_cpp.server", "--model", args.model, "--n_threads", str(args.threads),
                                             "--n_threads_batch", str(args.threads), "--port", str(port), "--model_alias", MODEL_NAME,
                                             "--interrupt_requests", "False", "--verbose", "False"],
                               port, "/v1/models")
        try:
            summary = measure(server, load, args.settle)
        finally:
            exit_status = server.stop()
        results["llama.cpp"] = {**summary, "exit_status": exit_status}
    for name, summary in results.items():
        bench_serve.print_summary(summary, name)
        print(f"memory: idle {summary['rss_idle_mib']:.0f} MiB, peak {summary['rss_peak_mib']:.0f} MiB, "
              f"after the load {summary['rss_after_mib']:.0f} MiB; exit status after SIGTERM {summary['exit_status']}")
        if "metrics_after" in summary:
            print(f"/metrics after the load: {summary['metrics_after']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
