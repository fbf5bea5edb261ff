"""Starts `swiftllm serve` on 127.0.0.1 with SmolLM2 on the CPU for the tests of this folder."""
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL_CACHE = Path(os.environ.get("SWIFTLLM_MODEL_CACHE", ROOT / ".cache" / "models"))
MODEL = MODEL_CACHE / "SmolLM2-135M-Instruct.Q4_1.gguf"
BINARY = Path(os.environ.get("SWIFTLLM_BIN", ROOT / ".build" / "debug" / "swiftllm"))
MODEL_NAME = "smollm2"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(url: str, process: subprocess.Popen, log, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"swiftllm serve exited with {process.returncode}: {log.read()}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError("swiftllm serve did not become healthy")


class Server:
    """One `swiftllm serve` process; its output goes to a file (a pipe nobody reads would fill up and stall it)."""

    def __init__(self, *extra: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [str(BINARY), "serve", "--model", str(MODEL), "--device", "cpu", "--threads", "2", "--port", str(self.port),
             "--served-model-name", MODEL_NAME, *extra],
            stdout=self.log, stderr=subprocess.STDOUT, text=True)
        wait_until_healthy(self.url, self.process, self.log)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        return self.process.wait(timeout=60)


@pytest.fixture(scope="session")
def server():
    if not MODEL.exists() or not BINARY.exists():
        pytest.fail(f"needs {MODEL} (make models) and {BINARY} (swift build)")
    started = Server()
    yield started
    started.stop()


def offline(*arguments: str, stdin: str = "") -> str:
    """What the engine generates for the same greedy request without the server (the CLI's stdout)."""
    result = subprocess.run([str(BINARY), *arguments, "--model", str(MODEL), "--device", "cpu", "--threads", "2"],
                            input=stdin, capture_output=True, text=True, check=True)
    assert result.stdout.endswith("\n")
    return result.stdout[:-1]
