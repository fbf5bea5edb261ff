import LLMRuntime

/// Launchers of Kernels/moe.cu: routing, bucketing pairs by expert, the experts' gate/up
/// and down products grouped by expert, and the weighted sum. Five launches per layer,
/// whatever the number of tokens; none reads anything back.
enum MoEKernels {
    static let family = "moe"
    /// moe.cu's MOE_WARPS: weight rows per block.
    static let rowsPerBlock = 4

    static func route(on backend: CUDABackend, logits: Tensor, tokens: Int, experts: Int, topK: Int, normalize: Bool,
                      ids: Tensor, weights: Tensor) throws {
        guard tokens > 0 else { return }
        try backend.launch(family: family, kernel: "moe_route", grid: ((tokens + 3) / 4, 1, 1), block: (128, 1, 1),
                           arguments: [.tensor(logits), try .int(tokens, "tokens"), try .int(experts, "experts"), try .int(topK, "topK"),
                                       .int32(normalize ? 1 : 0), .tensor(ids), .tensor(weights)])
    }

    static func experts(on backend: CUDABackend, x: Tensor, gateUp: Tensor, down: Tensor, ids: Tensor, weights: Tensor,
                        kind: GatedActivation, scratch: MoEScratch, out: Tensor, shape s: OpShapes.MoEExpertsShape) throws {
        guard s.tokens > 0 else { return }
        let type = try KernelNaming.suffix(x.dtype, op: "moeExperts", allowed: KernelNaming.activationTypes)
        let pairs = s.tokens * s.topK
        try backend.launch(family: family, kernel: "moe_bucket", grid: (s.experts, 1, 1), block: (min(1024, KernelNaming.roundUp(pairs, 32)), 1, 1),
                           arguments: [.tensor(ids), try .int(pairs, "pairs"), try .int(s.tokens, "tokens"), try .int(s.experts, "experts"),
                                       .tensor(scratch.assignments)])
        func aligned(_ tensors: [Tensor]) throws -> Bool {
            try tensors.reduce(UInt64(0)) { $0 | (try $1.deviceAddress("moeExperts")) } & 15 == 0
        }
        let gateVector = try s.hidden % 8 == 0 && aligned([x, gateUp])
        let act = kind == .silu ? "silu" : "gelu_tanh"
        try backend.launch(family: family, kernel: "moe_gate_up_\(act)_\(type)\(gateVector ? "_vec" : "")",
                           grid: ((s.ff + rowsPerBlock - 1) / rowsPerBlock, s.experts, 1), block: (32 * rowsPerBlock, 1, 1),
                           arguments: [.tensor(x), .tensor(gateUp), .tensor(scratch.assignments), try .int(s.tokens, "tokens"),
                                       try .int(s.topK, "topK"), try .int(s.hidden, "hidden"), try .int(s.ff, "ff"),
                                       try .int(s.experts, "experts"), .tensor(scratch.activated)])
        let downVector = try s.ff % 8 == 0 && aligned([scratch.activated, down])
        try backend.launch(family: family, kernel: "moe_down_\(type)\(downVector ? "_vec" : "")",
                           grid: ((s.hidden + rowsPerBlock - 1) / rowsPerBlock, s.experts, 1), block: (32 * rowsPerBlock, 1, 1),
                           arguments: [.tensor(scratch.activated), .tensor(down), .tensor(scratch.assignments), try .int(s.tokens, "tokens"),
                                       try .int(s.hidden, "hidden"), try .int(s.ff, "ff"), try .int(s.experts, "experts"),
                                       .tensor(scratch.expertOutputs)])
        let threads = 256
        let blocks = KernelNaming.strideBlocks(work: s.tokens * s.hidden, threads: threads, multiprocessors: backend.device.info.multiprocessorCount)
        try backend.launch(family: family, kernel: "moe_combine_\(type)", grid: (blocks, 1, 1), block: (threads, 1, 1),
                           arguments: [.tensor(scratch.expertOutputs), .tensor(ids), .tensor(weights), try .int(s.tokens, "tokens"),
                                       try .int(s.topK, "topK"), try .int(s.hidden, "hidden"), try .int(s.experts, "experts"), .tensor(out)])
    }
}
