#!/usr/bin/env python3
"""Load generator for OpenAI-compatible servers (`swiftllm serve`, llama.cpp's server, vLLM).

Sends streaming /v1/completions requests, a fixed number or for a fixed time, at a
concurrency (closed loop) or a request rate (Poisson arrivals, open loop), optionally
dropping a fraction of them mid-stream, and reports throughput and TTFT / inter-token /
end-to-end latency percentiles. The HTTP client is a few lines of asyncio on raw sockets,
so the load generator takes little CPU from the server it measures on a small machine.

    python3 Scripts/bench_serve.py --url http://127.0.0.1:8000 --model smollm2 \\
        --concurrency 8 --num-requests 64 --max-tokens 64

One streamed chunk counts as one token (both servers send one per generated token).
"""
import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

TOPICS = [
    "a robot who learns to paint", "the history of the printing press", "why the sky is blue", "a lighthouse keeper's last night",
    "how bread rises", "a city under the sea", "the rules of chess", "a letter from a time traveller", "how volcanoes form",
    "a dragon who is afraid of heights", "the life of a honeybee", "a detective in ancient Rome",
]


def prompt(index: int) -> str:
    """A different prompt per request (the number first, so servers share no prefix beyond a token or two)."""
    return f"{index}. Write a short text about {TOPICS[index % len(TOPICS)]}.\n"


@dataclass
class RequestResult:
    ok: bool = False
    aborted: bool = False
    error: str = ""
    tokens: int = 0
    ttft: float | None = None
    itls: list = field(default_factory=list)
    e2e: float = 0.0


class SSEReader:
    """Reads an HTTP/1.1 response and yields the `data:` payloads of its server-sent events."""

    def __init__(self, reader: asyncio.StreamReader):
        self.reader = reader
        self.buffer = b""

    async def head(self) -> tuple[int, dict]:
        status_line = await self.reader.readline()
        parts = status_line.decode("latin-1").split(" ", 2)
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        headers = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        return status, headers

    async def body_chunks(self, headers: dict):
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size_line = await self.reader.readline()
                if not size_line:
                    return
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    return
                data = await self.reader.readexactly(size + 2)
                yield data[:-2]
        elif "content-length" in headers:
            yield await self.reader.readexactly(int(headers["content-length"]))
        else:
            while chunk := await self.reader.read(65536):
                yield chunk

    async def events(self, headers: dict):
        async for chunk in self.body_chunks(headers):
            self.buffer += chunk.replace(b"\r\n", b"\n")
            while b"\n\n" in self.buffer:
                event, self.buffer = self.buffer.split(b"\n\n", 1)
                for line in event.split(b"\n"):
                    if line.startswith(b"data:"):
                        yield line[5:].strip().decode()


async def stream_completion(url, body: dict, api_key: str | None, drop_after: int | None, timeout: float) -> RequestResult:
    result = RequestResult()
    parsed = urlparse(url)
    start = time.perf_counter()
    last = None
    writer = None
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(parsed.hostname, parsed.port or 80), timeout)
        payload = json.dumps(body).encode()
        auth = f"Authorization: Bearer {api_key}\r\n" if api_key else ""
        writer.write((f"POST /v1/completions HTTP/1.1\r\nHost: {parsed.netloc}\r\nContent-Type: application/json\r\n"
                      f"Accept: text/event-stream\r\n{auth}Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n").encode() + payload)
        await writer.drain()
        sse = SSEReader(reader)
        status, headers = await asyncio.wait_for(sse.head(), timeout)
        if status != 200:
            body_text = b"".join([c async for c in sse.body_chunks(headers)]).decode(errors="replace")
            result.error = f"HTTP {status}: {body_text[:200]}"
            return result
        async for data in sse.events(headers):
            if data == "[DONE]":
                result.ok = True
                break
            event = json.loads(data)
            if "error" in event:
                result.error = f"error event: {event['error']}"
                break
            if not event.get("choices"):
                continue
            now = time.perf_counter()
            result.tokens += 1
            if result.ttft is None:
                result.ttft = now - start
            else:
                result.itls.append(now - last)
            last = now
            if drop_after is not None and result.tokens >= drop_after:
                result.aborted = True
                break
        if not result.ok and not result.aborted and not result.error:
            result.error = "stream ended without [DONE]"
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as error:
        result.error = f"{type(error).__name__}: {error}"
    finally:
        result.e2e = time.perf_counter() - start
        if writer is not None:
            writer.close()
    return result


def percentiles(values, points=(50, 90, 99)):
    if not values:
        return {p: float("nan") for p in points}
    ordered = sorted(values)
    return {p: ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))] for p in points}


async def run_load(args) -> dict:
    rng = random.Random(args.seed)
    results: list[RequestResult] = []
    counter = 0
    started = time.perf_counter()
    deadline = started + args.duration if args.duration else None

    def next_request():
        nonlocal counter
        if args.num_requests is not None and counter >= args.num_requests:
            return None
        if deadline is not None and time.perf_counter() >= deadline:
            return None
        index = counter
        counter += 1
        body = {"model": args.model, "prompt": prompt(index), "max_tokens": args.max_tokens, "temperature": args.temperature,
                "seed": index, "stream": True}
        if args.suppress_token_ids:
            body["logit_bias"] = {str(token): -100 for token in args.suppress_token_ids}
        drop = rng.randint(1, max(1, args.max_tokens // 2)) if rng.random() < args.disconnect_fraction else None
        return body, drop

    async def one(request):
        body, drop = request
        results.append(await stream_completion(args.url, body, args.api_key, drop, args.timeout))

    if args.request_rate:
        tasks = []
        limit = asyncio.Semaphore(args.concurrency) if args.concurrency else None

        async def limited(request):
            if limit is None:
                return await one(request)
            async with limit:
                return await one(request)

        while (request := next_request()) is not None:
            tasks.append(asyncio.create_task(limited(request)))
            await asyncio.sleep(rng.expovariate(args.request_rate))
        await asyncio.gather(*tasks)
    else:
        async def worker():
            while (request := next_request()) is not None:
                await one(request)

        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    elapsed = time.perf_counter() - started
    return summarize(results, elapsed)


def summarize(results: list[RequestResult], elapsed: float) -> dict:
    completed = [r for r in results if r.ok]
    aborted = [r for r in results if r.aborted]
    failed = [r for r in results if not r.ok and not r.aborted]
    tokens = sum(r.tokens for r in results)
    ttft = percentiles([r.ttft for r in completed if r.ttft is not None])
    itl = percentiles([gap for r in completed for gap in r.itls])
    e2e = percentiles([r.e2e for r in completed])
    return {
        "requests": len(results), "completed": len(completed), "aborted": len(aborted), "failed": len(failed),
        "errors": sorted({r.error for r in failed})[:5],
        "duration_s": elapsed, "request_throughput": len(completed) / elapsed, "output_token_throughput": tokens / elapsed,
        "output_tokens": tokens,
        "ttft_ms": {p: v * 1000 for p, v in ttft.items()}, "itl_ms": {p: v * 1000 for p, v in itl.items()},
        "e2e_s": e2e,
    }


def print_summary(summary: dict, label: str = "") -> None:
    print(f"== {label}" if label else "==")
    print(f"requests {summary['requests']}: completed {summary['completed']}, aborted on purpose {summary['aborted']}, "
          f"failed {summary['failed']} {summary['errors'] or ''}")
    print(f"duration {summary['duration_s']:.1f} s: {summary['request_throughput']:.2f} req/s, "
          f"{summary['output_token_throughput']:.1f} output tokens/s ({summary['output_tokens']} tokens)")
    for name, unit in (("ttft_ms", "ms"), ("itl_ms", "ms"), ("e2e_s", "s")):
        values = summary[name]
        print(f"{name.split('_')[0].upper():>5} p50 {values[50]:.1f} {unit}, p90 {values[90]:.1f} {unit}, p99 {values[99]:.1f} {unit}")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default="http://127.0.0.1:8000")
    p.add_argument("--model", default="smollm2", help="the served model name")
    p.add_argument("--api-key")
    p.add_argument("--num-requests", type=int, help="stop after this many requests")
    p.add_argument("--duration", type=float, help="start no request after this many seconds (those running finish)")
    p.add_argument("--concurrency", type=int, default=8, help="clients in a closed loop (with --request-rate: most in flight)")
    p.add_argument("--request-rate", type=float, help="Poisson arrivals per second instead of a closed loop")
    p.add_argument("--max-tokens", type=int, default=64)
    p.add_argument("--temperature", type=float, default=0.0)
    p.add_argument("--suppress-token-ids", type=lambda s: [int(t) for t in s.split(",") if t], default=[],
                   help="token ids biased by -100 (the model's EOS ids, so every request generates --max-tokens)")
    p.add_argument("--disconnect-fraction", type=float, default=0.0, help="requests that close their connection mid-stream")
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    return p


def main() -> None:
    args = parser().parse_args()
    if args.num_requests is None and args.duration is None:
        sys.exit("give --num-requests or --duration")
    summary = asyncio.run(run_load(args))
    if args.json:
        print(json.dumps(summary))
    else:
        print_summary(summary)


if __name__ == "__main__":
    main()
