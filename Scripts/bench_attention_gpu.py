#!/usr/bin/env python3
"""Checks and times the paged attention kernels (Sources/LLMCUDA/Kernels/attention.cu) on
the GPU machine, outside the engine: compiles the family with NVRTC, launches it through
the driver API on torch tensors, compares every shape with a torch reference, and reports
microseconds and the KV bytes read per second. Several kernel folders can be passed to
compare variants in one run.

    python3 Scripts/bench_attention_gpu.py [--kernels DIR ...] [--shapes 256x1000,...]

A shape is SEQUENCESxCONTEXT for decode (one query token per sequence), or
SEQUENCESxCONTEXT+PxL for a mixed step that adds P prefill sequences of L new tokens.
`--cache e4m3` runs attention_e4m3.cu over an 8-bit cache (half the bytes to read).
"""
import argparse
import ctypes
import glob
import math
import os
import sys

import torch

CUDA_HOME = os.environ.get("CUDA_HOME", "/usr/local/cuda")
DECODE_MAX_HEADS, DECODE_TILE_KEYS, CONTEXT_BUCKET = 16, 16, 256


def nvrtc_library():
    for pattern in [f"{CUDA_HOME}/lib64/libnvrtc.so.1*", f"{CUDA_HOME}/lib/libnvrtc.so.1*"]:
        hits = sorted(glob.glob(pattern))
        if hits:
            return ctypes.CDLL(hits[0])
    sys.exit("libnvrtc not found under " + CUDA_HOME)


def compile_family(folder, arch, family):
    nvrtc = nvrtc_library()
    headers = {os.path.basename(p): open(p).read() for p in glob.glob(folder + "/*.cuh")}
    source = open(f"{folder}/{family}.cu").read()
    prog = ctypes.c_void_p()
    names = (ctypes.c_char_p * len(headers))(*[k.encode() for k in headers])
    texts = (ctypes.c_char_p * len(headers))(*[v.encode() for v in headers.values()])
    nvrtc.nvrtcCreateProgram(ctypes.byref(prog), source.encode(), f"{family}.cu".encode(), len(headers), texts, names)
    opts = [f"--gpu-architecture={arch}", f"-I{CUDA_HOME}/include", "--std=c++17", "-default-device"]
    copts = (ctypes.c_char_p * len(opts))(*[o.encode() for o in opts])
    rc = nvrtc.nvrtcCompileProgram(prog, len(opts), copts)
    size = ctypes.c_size_t()
    nvrtc.nvrtcGetProgramLogSize(prog, ctypes.byref(size))
    log = ctypes.create_string_buffer(size.value)
    nvrtc.nvrtcGetProgramLog(prog, log)
    if rc != 0:
        sys.exit(f"{folder}/{family}.cu does not compile for {arch}:\n{log.value.decode()}")
    nvrtc.nvrtcGetCUBINSize(prog, ctypes.byref(size))
    cubin = ctypes.create_string_buffer(size.value)
    nvrtc.nvrtcGetCUBIN(prog, cubin)
    return cubin


class Module:
    def __init__(self, cubin):
        self.cuda = ctypes.CDLL("libcuda.so.1")
        self.handle = ctypes.c_void_p()
        self.check(self.cuda.cuModuleLoadData(ctypes.byref(self.handle), cubin), "cuModuleLoadData")
        self.functions = {}

    def check(self, rc, what):
        if rc != 0:
            sys.exit(f"{what} failed with CUresult {rc}")

    def launch(self, name, grid, block, shared, args):
        fn = self.functions.get(name)
        if fn is None:
            fn = ctypes.c_void_p()
            self.check(self.cuda.cuModuleGetFunction(ctypes.byref(fn), self.handle, name.encode()), name)
            self.check(self.cuda.cuFuncSetAttribute(fn, 8, 200 * 1024), "max dynamic shared memory")
            self.functions[name] = fn
        values = []
        for a in args:
            if isinstance(a, torch.Tensor):
                values.append(ctypes.c_uint64(a.data_ptr()))
            elif isinstance(a, float):
                values.append(ctypes.c_float(a))
            elif isinstance(a, tuple):  # ("ll", value): a 64-bit integer
                values.append(ctypes.c_int64(a[1]))
            elif a is None:
                values.append(ctypes.c_uint64(0))
            else:
                values.append(ctypes.c_int32(a))
        pointers = (ctypes.c_void_p * len(values))(*[ctypes.cast(ctypes.byref(v), ctypes.c_void_p) for v in values])
        stream = ctypes.c_void_p(torch.cuda.current_stream().cuda_stream)
        self.check(self.cuda.cuLaunchKernel(fn, *grid, *block, shared, stream, pointers, None), name)


def decode_warps(head_dim):
    """Four warps at every head size: the GPU machine's blocks hold four warps' head-256
    tiles (the engine's two-warp `_w2` kernel is for sm_86/sm_89 only)."""
    return 4


def decode_plan(tokens, kv_heads, group, head_dim, max_context, sms, min_partition, max_partition, waves):
    """AttentionKernels.decodePlan in Swift (there with 64, 1024 and 2): keep the two in step."""
    head_chunk = min(group, DECODE_MAX_HEADS)
    chunks = (group + head_chunk - 1) // head_chunk
    bucket = max(1, -(-max(max_context, 1) // CONTEXT_BUCKET)) * CONTEXT_BUCKET
    per_split = tokens * kv_heads * chunks
    partition = max_partition
    while partition > min_partition and per_split * -(-bucket // partition) < waves * sms:
        partition //= 2
    splits = max(1, -(-bucket // partition))
    warps = decode_warps(head_dim)
    shared = 2 * (DECODE_MAX_HEADS * head_dim + warps * 4 * DECODE_TILE_KEYS * head_dim) + 4 * warps * DECODE_MAX_HEADS * 2
    return head_chunk, chunks, partition, splits, shared


class Batch:
    """Sequences with contexts and new-token counts over a paged cache with shuffled blocks."""

    def __init__(self, contexts, new_tokens, q_heads, kv_heads, head_dim, block_size, generator, cache):
        dev = "cuda"
        self.q_heads, self.kv_heads, self.head_dim, self.block_size = q_heads, kv_heads, head_dim, block_size
        self.contexts, self.new_tokens = contexts, new_tokens
        blocks_per_seq = [-(-c // block_size) for c in contexts]
        self.max_blocks = max(blocks_per_seq)
        self.num_blocks = sum(blocks_per_seq)
        order = torch.randperm(self.num_blocks, generator=generator).int()
        table = torch.full((len(contexts), self.max_blocks), -1, dtype=torch.int32)
        at = 0
        for s, n in enumerate(blocks_per_seq):
            table[s, :n] = order[at:at + n]
            at += n
        starts, positions = [0], []
        for c, n in zip(contexts, new_tokens):
            positions += list(range(c - n, c))
            starts.append(starts[-1] + n)
        self.tokens = starts[-1]
        shape = (self.num_blocks, block_size, kv_heads, head_dim)
        cache_type = torch.float8_e4m3fn if cache == "e4m3" else torch.bfloat16
        self.k = torch.randn(shape, generator=generator).to(dev, cache_type)
        self.v = torch.randn(shape, generator=generator).to(dev, cache_type)
        self.types = "bf16_e4m3" if cache == "e4m3" else "bf16"
        self.q = torch.randn((self.tokens, q_heads, head_dim), generator=generator).to(dev, torch.bfloat16)
        self.table, self.table_host = table.to(dev), table
        self.starts = torch.tensor(starts, dtype=torch.int32, device=dev)
        self.positions = torch.tensor(positions, dtype=torch.int32, device=dev)
        self.scale = 1.0 / math.sqrt(head_dim)
        # Bytes the kernels must read at least: every context's K and V rows once.
        self.kv_bytes = sum(contexts) * kv_heads * head_dim * 2 * self.k.element_size()

    def common(self):
        return [self.q, self.k, self.v, self.table, self.max_blocks, self.starts, self.positions, len(self.contexts),
                self.q_heads, self.kv_heads, self.block_size, ("ll", self.num_blocks), self.scale, 0, 0.0]

    def reference(self, sequences):
        """Causal attention of the given sequences' new tokens, in f32."""
        rows = []
        group = self.q_heads // self.kv_heads
        for s in sequences:
            c, n = self.contexts[s], self.new_tokens[s]
            nb = -(-c // self.block_size)
            idx = self.table_host[s, :nb].long().cuda()
            # Gathered as bytes: torch has no indexing kernel for float8 tensors.
            k = self.k.view(torch.uint8)[idx].view(self.k.dtype).reshape(-1, self.kv_heads, self.head_dim)[:c].float()
            v = self.v.view(torch.uint8)[idx].view(self.v.dtype).reshape(-1, self.kv_heads, self.head_dim)[:c].float()
            t0 = int(self.starts[s])
            q = self.q[t0:t0 + n].float()
            k = k.repeat_interleave(group, dim=1)
            v = v.repeat_interleave(group, dim=1)
            scores = torch.einsum("thd,khd->htk", q, k) * self.scale
            pos = torch.arange(c - n, c, device="cuda")[:, None]
            mask = torch.arange(c, device="cuda")[None, :] > pos
            scores = scores.masked_fill(mask[None], float("-inf"))
            rows.append(torch.einsum("htk,khd->thd", scores.softmax(-1), v))
        return rows


def run_attention(module, batch, sms, variant):
    """variant: (kernel "decode" | "prefill", min partition, max partition, waves). With
    "decode", as in the engine, the leading one-token sequences take the decode kernel
    with that plan and the rest the prefill kernel; "prefill" runs everything there."""
    kernel, min_partition, max_partition, waves = variant
    out = torch.empty_like(batch.q)
    group = batch.q_heads // batch.kv_heads
    d = batch.head_dim

    def decode(tokens, max_context):
        hc, chunks, partition, splits, shared = decode_plan(tokens, batch.kv_heads, group, d, max_context, sms,
                                                            min_partition, max_partition, waves)
        acc = ml = None
        if splits > 1:
            acc = torch.empty(tokens * batch.q_heads * splits * d, dtype=torch.float32, device="cuda")
            ml = torch.empty(tokens * batch.q_heads * splits * 2, dtype=torch.float32, device="cuda")
        module.launch(f"decode_{batch.types}_d{d}", (tokens, batch.kv_heads * chunks, splits), (32 * decode_warps(d), 1, 1), shared,
                      batch.common() + [partition, hc, out, acc, ml])
        if splits > 1:
            module.launch("decode_reduce_bf16", (tokens, batch.q_heads, 1), (min(256, -(-d // 32) * 32), 1, 1), 0,
                          [acc, ml, batch.q_heads, splits, d, out])

    def prefill(first):
        rows, bn = 64, (32 if d == 256 else 64)
        tiles = -(-(batch.tokens - first) * group // rows) + len(batch.contexts) - first
        # AttentionKernels.prefillSharedBytes: an e4m3 cache adds its byte tiles.
        shared = (rows + 2 * bn) * d * 2 + (2 * bn * d if batch.k.element_size() == 1 else 0) + 64
        module.launch(f"prefill_{batch.types}_d{d}", (tiles, batch.kv_heads, 1), (128, 1, 1), shared,
                      batch.common() + [first, out])

    leading = 0
    while kernel != "prefill" and leading < len(batch.new_tokens) and batch.new_tokens[leading] == 1:
        leading += 1
    if leading:
        decode(leading, max(batch.contexts))
    if leading < len(batch.contexts):
        prefill(leading)
    return out


def timed(fn, repeats):
    """Microseconds per call, from a CUDA graph of `repeats` calls (Python's launch cost
    would hide the small kernels)."""
    fn()
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for _ in range(repeats):
            fn()
    graph.replay()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    graph.replay()
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) * 1000 / repeats


def parse_shape(text):
    decode_part, _, prefill_part = text.partition("+")
    seqs, ctx = (int(x) for x in decode_part.split("x"))
    contexts, new = [ctx] * seqs, [1] * seqs
    if prefill_part:
        p, n = (int(x) for x in prefill_part.split("x"))
        contexts += [n] * p
        new += [n] * p
    return contexts, new


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernels", nargs="+", default=["Sources/LLMCUDA/Kernels"])
    ap.add_argument("--variants", default="decode:64:1024:2",
                    help="comma-separated KERNEL:MIN_PARTITION:MAX_PARTITION:WAVES, KERNEL decode|prefill")
    ap.add_argument("--shapes", default="1x384,64x1024,256x200,256x1000,512x1500,256x1000+1x1000")
    ap.add_argument("--heads", default="32,8,128", help="query heads, kv heads, head size")
    ap.add_argument("--block-size", type=int, default=16)
    ap.add_argument("--cache", choices=["bf16", "e4m3"], default="bf16", help="KV cache element type")
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args()
    q_heads, kv_heads, head_dim = (int(x) for x in args.heads.split(","))
    torch.cuda.init()
    torch.empty(1, device="cuda")
    props = torch.cuda.get_device_properties(0)
    arch = f"sm_{props.major}{props.minor}" + ("a" if props.major >= 9 else "")
    sms = props.multi_processor_count
    family = "attention_e4m3" if args.cache == "e4m3" else "attention"
    modules = [(k, Module(compile_family(k, arch, family))) for k in args.kernels]
    variants = []
    for v in args.variants.split(","):
        k, lo, hi, w = v.split(":")
        variants.append((k, int(lo), int(hi), int(w)))
    src = torch.empty(1 << 30, dtype=torch.uint8, device="cuda")
    dst = torch.empty_like(src)
    copy_us = timed(lambda: dst.copy_(src), 5)
    print(f"{props.name}, {arch}, {sms} SMs; heads {q_heads}/{kv_heads} x {head_dim}, block size {args.block_size}; "
          f"device copy {2 * src.numel() / copy_us / 1e3:.0f} GB/s")
    del src, dst
    worst = 0.0
    for text in args.shapes.split(","):
        contexts, new = parse_shape(text)
        gen = torch.Generator().manual_seed(0)
        batch = Batch(contexts, new, q_heads, kv_heads, head_dim, args.block_size, gen, args.cache)
        check = sorted({0, len(contexts) - 1, len(contexts) // 2})
        ref = batch.reference(check)
        for folder, module in modules:
            for variant in variants:
                out = run_attention(module, batch, sms, variant)
                torch.cuda.synchronize()
                err = max(float((out[int(batch.starts[s]):int(batch.starts[s]) + new[s]].float() - r).abs().max())
                          for s, r in zip(check, ref))
                worst = max(worst, err)
                us = timed(lambda: run_attention(module, batch, sms, variant), args.repeats)
                label = f"{os.path.basename(folder.rstrip('/'))} {':'.join(map(str, variant))}"
                print(f"{text:>18} {label:>26}: {us:9.1f} us  {batch.kv_bytes / us / 1e3:7.1f} GB/s of KV  "
                      f"max err {err:.4f}", flush=True)
    print("max abs error", worst)
    if worst > 0.05:
        sys.exit("attention output differs from the reference")


if __name__ == "__main__":
    main()
