import Foundation
import LLMCPU
import LLMRuntime

/// Checks every Backend op of a candidate backend (the GPU) against the CPU backend on
/// fresh random inputs at several shapes, odd sizes included, and reports one
/// ``SelfTestRow`` per case: the max error relative to the reference output's scale,
/// NaN detection, pass or fail. `swiftllm selftest --device cuda` prints the table.
///
/// Inputs are drawn in f32 and rounded to the candidate's activation type, so both
/// backends compute on identical numbers; what remains is the candidate's arithmetic
/// and its output rounding. Tolerances follow from the output type's unit roundoff u
/// (bf16 2^-8 ≈ 3.9e-3, f16 2^-11): copies must be exact, single-rounding ops pass
/// within 2.5u (bf16 ≈ 1e-2), ops with rounded intermediates (residual stream, bf16
/// attention probabilities) within 5u (bf16 ≈ 2e-2). See ``SelfTestHarness/tolerance(_:_:)``.
/// Sampling must pick the same token ids, with logprobs within 1e-4.
public enum BackendSelfTest {
    /// How large the cases are: `.full` for a GPU check (contexts up to 4096 tokens,
    /// 150k vocabularies), `.quick` for CI runs of the harness on the CPU.
    public enum Size: Sendable {
        case full, quick
    }

    /// Runs every case; never throws (an op that throws makes a failed row).
    public static func run(reference: CPUBackend, candidate: any Backend, size: Size = .full, seed: UInt64 = 0x5E1F_7E57) -> [SelfTestRow] {
        var runner = SelfTestRunner(harness: SelfTestHarness(reference: reference, candidate: candidate, seed: seed), size: size)
        runner.embeddingCases()
        runner.normCases()
        runner.linearCases()
        runner.fusedLinearCases()
        runner.ropeCases()
        runner.attentionInputCases()
        runner.elementwiseCases()
        runner.attentionCases()
        runner.moeCases()
        runner.samplingCases()
        runner.fillCases()
        return runner.rows
    }
}

/// Collects rows; a case that throws becomes a failed row.
struct SelfTestRunner {
    var harness: SelfTestHarness
    let size: BackendSelfTest.Size
    var rows: [SelfTestRow] = []

    init(harness: SelfTestHarness, size: BackendSelfTest.Size) {
        self.harness = harness
        self.size = size
    }

    var quick: Bool { size == .quick }

    mutating func run(_ op: String, _ name: String, _ body: (inout SelfTestHarness) throws -> [SelfTestRow]) {
        do {
            rows += try body(&harness)
        } catch {
            rows.append(.failure(op: op, name: name, error: error))
        }
    }

    mutating func run(_ op: String, _ name: String, _ body: (inout SelfTestHarness) throws -> SelfTestRow) {
        run(op, name) { h in [try body(&h)] }
    }
}

extension SelfTestRunner {
    mutating func embeddingCases() {
        let shapes = quick ? [(vocab: 300, dim: 64, tokens: 9), (vocab: 50, dim: 100, tokens: 5)]
                           : [(vocab: 1000, dim: 576, tokens: 37), (vocab: 50, dim: 100, tokens: 5), (vocab: 32000, dim: 256, tokens: 3), (vocab: 512, dim: 4096, tokens: 9)]
        for s in shapes {
            let name = "vocab \(s.vocab) dim \(s.dim) tokens \(s.tokens)"
            run("embedding", name) { h in
                let table = try h.weight(h.weightValues(s.vocab * s.dim, low: -1, high: 1), shape: [s.vocab, s.dim])
                let ids = try h.pair((0..<s.tokens).map { _ in Int32(h.int(in: 0..<s.vocab)) }, shape: [s.tokens])
                let out = try h.outputs(shape: [s.tokens, s.dim])
                try h.reference.embedding(ids: ids.ref, table: table.ref, out: out.ref)
                try h.candidate.embedding(ids: ids.cand, table: table.cand, out: out.cand)
                return h.compare(op: "embedding", name: name, [try h.read(out)], precision: .exact)
            }
        }
    }

    mutating func normCases() {
        let dims = quick ? [64, 100] : [64, 576, 100, 4096]
        for dim in dims {
            for rows in [1, 37] {
                for withResidual in [false, true] {
                    let name = "dim \(dim) rows \(rows)\(withResidual ? " +residual" : "")"
                    run("rmsNorm", name) { h in
                        let x = try h.pair(h.values(rows * dim, scale: 2), shape: [rows, dim])
                        let weight = try h.weight(h.weightValues(dim, low: 0.5, high: 1.5), shape: [dim])
                        let residual = withResidual ? try h.pair(h.values(rows * dim, scale: 2), shape: [rows, dim]) : nil
                        let out = try h.outputs(shape: [rows, dim])
                        try h.reference.rmsNorm(x.ref, residual: residual?.ref, weight: weight.ref, eps: 1e-6, out: out.ref)
                        try h.candidate.rmsNorm(x.cand, residual: residual?.cand, weight: weight.cand, eps: 1e-6, out: out.cand)
                        var outputs = [try h.read(out)]
                        if let residual { outputs.append(try h.read(residual)) }
                        return h.compare(op: "rmsNorm", name: name, outputs, precision: withResidual ? .accumulated : .rounded)
                    }
                }
            }
        }
        for (dim, rows) in quick ? [(64, 3), (100, 1)] : [(3840, 1), (3840, 7), (100, 5)] {
            let name = "dim \(dim) rows \(rows)"
            run("sandwichNorm", name) { h in
                let x = h.values(rows * dim, scale: 2), residual = h.values(rows * dim, scale: 4)
                let weights = (try h.weight(h.weightValues(dim, low: 0.5, high: 1.5), shape: [dim]),
                               try h.weight(h.weightValues(dim, low: 0.5, high: 1.5), shape: [dim]))
                /// The op on one side, or on the candidate as two `rmsNorm` calls.
                func run(_ b: any Backend, reference: Bool, separate: Bool) throws -> (out: Tensor, residual: Tensor) {
                    func side(_ p: (ref: Tensor, cand: Tensor)) -> Tensor { reference ? p.ref : p.cand }
                    let xs = side(try h.pair(x, shape: [rows, dim])), rs = side(try h.pair(residual, shape: [rows, dim]))
                    let scratch = side(try h.outputs(shape: [rows, dim])), out = side(try h.outputs(shape: [rows, dim]))
                    let (w, next) = (side(weights.0), side(weights.1))
                    if separate {
                        try b.rmsNorm(xs, residual: nil, weight: w, eps: 1e-6, out: scratch)
                        try b.rmsNorm(scratch, residual: rs, weight: next, eps: 1e-6, out: out)
                    } else {
                        try b.sandwichNorm(xs, weight: w, residual: rs, nextWeight: next, eps: 1e-6, scratch: scratch, out: out)
                    }
                    return (out, rs)
                }
                let ref = try run(h.reference, reference: true, separate: false)
                let cand = try run(h.candidate, reference: false, separate: false)
                let separate = try run(h.candidate, reference: false, separate: true)
                func read(_ t: Tensor, _ b: any Backend) throws -> [Float] { try SelfTestHarness.read(t, on: b) }
                return [
                    h.compare(op: "sandwichNorm", name: name, [(try read(ref.out, h.reference), try read(cand.out, h.candidate)),
                                                               (try read(ref.residual, h.reference), try read(cand.residual, h.candidate))],
                              precision: .accumulated),
                    h.compare(op: "sandwichNorm = separate ops", name: name,
                              [(try read(separate.out, h.candidate), try read(cand.out, h.candidate)),
                               (try read(separate.residual, h.candidate), try read(cand.residual, h.candidate))], precision: .exact),
                ]
            }
        }
        for headDim in quick ? [16, 100] : [64, 128, 100] {
            let rows = 37 * 3
            let name = "head \(headDim) rows \(rows)"
            run("rmsNormHeads", name) { h in
                let x = try h.pair(h.values(rows * headDim, scale: 3), shape: [37, 3 * headDim])
                let weight = try h.weight(h.weightValues(headDim, low: 0.5, high: 1.5), shape: [headDim])
                try h.reference.rmsNormHeads(x.ref, weight: weight.ref, eps: 1e-6)
                try h.candidate.rmsNormHeads(x.cand, weight: weight.cand, eps: 1e-6)
                return h.compare(op: "rmsNormHeads", name: name, [try h.read(x)], precision: .rounded)
            }
        }
    }

    mutating func linearCases() {
        struct Shape { var n, k, m: Int; var bias: Bool; var f32Out: Bool }
        let shapes = quick
            ? [Shape(n: 3, k: 64, m: 40, bias: true, f32Out: false), Shape(n: 2, k: 96, m: 77, bias: true, f32Out: true),
               Shape(n: 1, k: 64, m: 40, bias: true, f32Out: true)]
            : [Shape(n: 1, k: 576, m: 1536, bias: false, f32Out: false), Shape(n: 37, k: 1024, m: 300, bias: true, f32Out: false),
               Shape(n: 64, k: 2048, m: 2048, bias: false, f32Out: false), Shape(n: 5, k: 576, m: 4099, bias: false, f32Out: true),
               Shape(n: 3, k: 320, m: 200, bias: true, f32Out: true), Shape(n: 1, k: 4096, m: 1031, bias: true, f32Out: false),
               Shape(n: 1, k: 1000, m: 4099, bias: true, f32Out: true), Shape(n: 1, k: 100, m: 64, bias: true, f32Out: false),
               Shape(n: 2, k: 256, m: 130, bias: false, f32Out: true)]
        for s in shapes {
            let name = "n \(s.n) k \(s.k) m \(s.m)\(s.bias ? " +bias" : "")\(s.f32Out ? " f32 out" : "")"
            run("linear", name) { h in
                let x = try h.pair(h.values(s.n * s.k), shape: [s.n, s.k])
                let bound = 1 / Float(s.k).squareRoot()
                let w = try h.weight(h.weightValues(s.m * s.k, low: -bound, high: bound), shape: [s.m, s.k])
                let bias = s.bias ? try h.weight(h.weightValues(s.m, low: -0.5, high: 0.5), shape: [s.m]) : nil
                let outType: DType = s.f32Out ? .f32 : h.activationType
                let out = try h.outputs(shape: [s.n, s.m], candidateType: outType)
                try h.reference.linear(x.ref, weight: w.ref, bias: bias?.ref, out: out.ref)
                try h.candidate.linear(x.cand, weight: w.cand, bias: bias?.cand, out: out.cand)
                // f32 outputs: tensor-core fp32 accumulation rounds differently from the CPU's sums.
                return h.compare(op: "linear", name: name, [try h.read(out)], precision: s.f32Out ? .accumulated : .rounded, dtype: outType)
            }
        }
    }

    /// A layer's q, k and v in one call, and the gate/up product with its activation.
    mutating func fusedLinearCases() {
        for n in [1, 3] {
            let (k, ms) = quick ? (64, [48, 16, 16]) : (1024, [1024, 264, 264])
            let name = "n \(n) k \(k) m \(ms.map(String.init).joined(separator: "+")) +bias"
            run("linear (q, k, v)", name) { h in
                let x = try h.pair(h.values(n * k), shape: [n, k])
                let bound = 1 / Float(k).squareRoot()
                var refs: [LinearOutput] = [], cands: [LinearOutput] = [], outs: [(ref: Tensor, cand: Tensor)] = []
                for m in ms {
                    let w = try h.weight(h.weightValues(m * k, low: -bound, high: bound), shape: [m, k])
                    let b = try h.weight(h.weightValues(m, low: -0.5, high: 0.5), shape: [m])
                    let out = try h.outputs(shape: [n, m])
                    refs.append(LinearOutput(weight: w.ref, bias: b.ref, out: out.ref))
                    cands.append(LinearOutput(weight: w.cand, bias: b.cand, out: out.cand))
                    outs.append(out)
                }
                try h.reference.linear(x.ref, into: refs)
                try h.candidate.linear(x.cand, into: cands)
                return h.compare(op: "linear (q, k, v)", name: name, try outs.map { try h.read($0) }, precision: .rounded)
            }
        }
        for (n, kind) in [(1, GatedActivation.silu), (1, .geluTanh), (4, .silu)] {
            let (k, ff) = quick ? (64, 40) : (576, 1000)
            let name = "\(kind == .silu ? "silu" : "gelu-tanh") n \(n) k \(k) ff \(ff)"
            run("gatedLinear", name) { h in
                let x = try h.pair(h.values(n * k), shape: [n, k])
                let bound = 2 / Float(k).squareRoot()
                let w = try h.weight(h.weightValues(2 * ff * k, low: -bound, high: bound), shape: [2 * ff, k])
                let scratch = try h.outputs(shape: [n, 2 * ff])
                let out = try h.outputs(shape: [n, ff])
                try h.reference.gatedLinear(x.ref, weight: w.ref, kind: kind, scratch: scratch.ref, out: out.ref)
                try h.candidate.gatedLinear(x.cand, weight: w.cand, kind: kind, scratch: scratch.cand, out: out.cand)
                // The candidate rounds gate and up to its type before the activation.
                return h.compare(op: "gatedLinear", name: name, [try h.read(out)], precision: .accumulated)
            }
        }
    }

    mutating func ropeCases() {
        struct Config { var headDim, rotaryDim, qHeads, kvHeads: Int; var theta: Double; var factor: Double; var scale: Float; var maxPosition: Int }
        let configs = [
            Config(headDim: 64, rotaryDim: 64, qHeads: 4, kvHeads: 1, theta: 10000, factor: 1, scale: 1, maxPosition: 40),
            Config(headDim: 128, rotaryDim: 64, qHeads: 8, kvHeads: 2, theta: 1_000_000, factor: 8, scale: 1.1, maxPosition: 131_072),
            Config(headDim: 80, rotaryDim: 80, qHeads: 3, kvHeads: 3, theta: 500_000, factor: 4, scale: 1, maxPosition: 9000),
        ]
        for c in configs {
            let tokens = quick ? 5 : 37
            let name = "head \(c.headDim) rot \(c.rotaryDim) q\(c.qHeads)/kv\(c.kvHeads)\(c.factor != 1 ? " scaled x\(Int(c.factor))" : "") pos<\(c.maxPosition)"
            run("rope", name) { h in
                let freqs = (0..<(c.rotaryDim / 2)).map { i in Float(1 / (pow(c.theta, Double(2 * i) / Double(c.rotaryDim)) * (i > c.rotaryDim / 8 ? c.factor : 1))) }
                let positions = (0..<tokens).map { _ in Int32(h.int(in: 0..<c.maxPosition)) }
                let q = try h.pair(h.values(tokens * c.qHeads * c.headDim), shape: [tokens, c.qHeads * c.headDim])
                let k = try h.pair(h.values(tokens * c.kvHeads * c.headDim), shape: [tokens, c.kvHeads * c.headDim])
                let pos = try h.pair(positions, shape: [tokens])
                func params(_ b: any Backend) throws -> RotaryParams {
                    RotaryParams(inverseFrequencies: try b.tensor(freqs, shape: [freqs.count]), headDim: c.headDim, rotaryDim: c.rotaryDim,
                                 queryHeads: c.qHeads, kvHeads: c.kvHeads, attentionScale: c.scale)
                }
                try h.reference.rope(q: q.ref, k: k.ref, positions: pos.ref, rope: try params(h.reference))
                try h.candidate.rope(q: q.cand, k: k.cand, positions: pos.cand, rope: try params(h.candidate))
                return h.compare(op: "rope", name: name, [try h.read(q), try h.read(k)], precision: .rounded)
            }
        }
    }

    /// Random weights: the same sequence on both backends, exactly in f32 and within one
    /// rounding in the candidate's activation type.
    mutating func fillCases() {
        var cases = [(DType.f32, quick ? 1000 : 1_000_003)]
        if harness.activationType != .f32 { cases.append((harness.activationType, quick ? 999 : 65_537)) }
        for (dtype, count) in cases {
            let name = "\(dtype) \(count) values"
            run("fillUniform", name) { h in
                let out = try h.outputs(shape: [count], candidateType: dtype)
                try h.reference.fillUniform(out.ref, seed: 0xF111, low: -0.3, high: 0.7)
                try h.candidate.fillUniform(out.cand, seed: 0xF111, low: -0.3, high: 0.7)
                // f32: bit-identical; other types: one rounding of the same values.
                return h.compare(op: "fillUniform", name: name, [try h.read(out)], precision: dtype == .f32 ? .exact : .rounded, dtype: dtype)
            }
        }
    }

    mutating func elementwiseCases() {
        let gatedShapes = quick ? [(n: 3, ff: 40), (n: 2, ff: 13)] : [(n: 1, ff: 1536), (n: 37, ff: 100), (n: 7, ff: 4104)]
        for kind in [GatedActivation.silu, .geluTanh] {
            for s in gatedShapes {
                let name = "\(kind == .silu ? "silu" : "gelu-tanh") n \(s.n) ff \(s.ff)"
                run("gatedActivation", name) { h in
                    let x = try h.pair(h.values(s.n * 2 * s.ff, scale: 4), shape: [s.n, 2 * s.ff])
                    let out = try h.outputs(shape: [s.n, s.ff])
                    try h.reference.gatedActivation(x.ref, kind: kind, out: out.ref)
                    try h.candidate.gatedActivation(x.cand, kind: kind, out: out.cand)
                    return h.compare(op: "gatedActivation", name: name, [try h.read(out)], precision: .rounded)
                }
            }
        }
        for shape in quick ? [[3, 40], [1, 13]] : [[37, 576], [3, 101], [1, 4096]] {
            let name = "\(shape[0])x\(shape[1])"
            run("add", name) { h in
                let a = try h.pair(h.values(shape[0] * shape[1]), shape: shape)
                let b = try h.pair(h.values(shape[0] * shape[1]), shape: shape)
                let out = try h.outputs(shape: shape)
                try h.reference.add(a.ref, b.ref, out: out.ref)
                try h.candidate.add(a.cand, b.cand, out: out.cand)
                return h.compare(op: "add", name: name, [try h.read(out)], precision: .rounded)
            }
        }
        // Gemma's embedding scale (activations) and final logit soft cap (f32 logits).
        for (shape, factor, cap, f32) in quick ? [([3, 40], Float(8), Float?.none, false), ([2, 77], 1, 3, true)]
                                                : [([37, 2304], Float(48), Float?.none, false), ([5, 4099], 1, 30, true), ([3, 101], 0.5, 2, false)] {
            let name = "\(shape[0])x\(shape[1]) x\(factor)\(cap.map { " cap \($0)" } ?? "")\(f32 ? " f32" : "")"
            run("scale", name) { h in
                let type: DType = f32 ? .f32 : h.activationType
                let x = try h.pair(h.values(shape[0] * shape[1], scale: 40), shape: shape, candidateType: type)
                let out = try h.outputs(shape: shape, candidateType: type)
                try h.reference.scale(x.ref, by: factor, softcap: cap, out: out.ref)
                try h.candidate.scale(x.cand, by: factor, softcap: cap, out: out.cand)
                return h.compare(op: "scale", name: name, [try h.read(out)], precision: .rounded, dtype: type)
            }
        }
        for (rows, dim, picks) in quick ? [(10, 24, 3), (5, 13, 4)] : [(50, 576, 7), (10, 99, 10), (300, 4096, 64)] {
            let name = "\(picks) of \(rows) rows x \(dim)"
            run("gatherRows", name) { h in
                let x = try h.pair(h.values(rows * dim), shape: [rows, dim])
                let indices = try h.pair((0..<picks).map { _ in Int32(h.int(in: 0..<rows)) }, shape: [picks])
                let out = try h.outputs(shape: [picks, dim])
                try h.reference.gatherRows(x.ref, rows: indices.ref, out: out.ref)
                try h.candidate.gatherRows(x.cand, rows: indices.cand, out: out.cand)
                return h.compare(op: "gatherRows", name: name, [try h.read(out)], precision: .exact)
            }
        }
    }
}
