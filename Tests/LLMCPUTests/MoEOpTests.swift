import Foundation
import LLMRuntime
import Testing
@testable import LLMCPU

/// The CPU backend's mixture-of-experts ops against hand-computed routing and a naive
/// reference of the experts' MLPs.
@Suite("Mixture-of-experts ops on the CPU")
struct MoEOpTests {
    func route(_ logits: [Float], experts: Int, topK: Int, normalize: Bool) throws -> (ids: [Int32], weights: [Float]) {
        let backend = try CPUBackend(options: .init(threads: 1))
        let n = logits.count / experts
        let ids = try backend.allocate(shape: [n, topK], dtype: .i32)
        let weights = try backend.allocate(shape: [n, topK], dtype: .f32)
        try backend.moeRoute(logits: backend.tensor(logits, shape: [n, experts]), topK: topK, normalize: normalize, ids: ids, weights: weights)
        var idValues = [Int32](repeating: 0, count: n * topK)
        try idValues.withUnsafeMutableBytes { try backend.read(ids, into: $0) }
        return (idValues, try backend.readFloats(weights))
    }

    func expectClose(_ got: [Float], _ want: [Double], _ what: String) {
        #expect(got.count == want.count)
        for (g, w) in zip(got, want) { #expect(abs(Double(g) - w) <= 1e-6 * max(1, abs(w)), "\(what): \(got) vs \(want)") }
    }

    @Test("Equal logits: the lower expert id first; probabilities over all experts, or renormalised over the chosen")
    func ties() throws {
        let e = M_E, sum = e + 2 * pow(e, 3) + 1
        let plain = try route([1, 3, 3, 0], experts: 4, topK: 2, normalize: false)
        #expect(plain.ids == [1, 2])
        expectClose(plain.weights, [pow(e, 3) / sum, pow(e, 3) / sum], "softmax of [1, 3, 3, 0]")
        let normalized = try route([1, 3, 3, 0], experts: 4, topK: 2, normalize: true)
        #expect(normalized.ids == [1, 2])
        expectClose(normalized.weights, [0.5, 0.5], "renormalised")
        let flat = try route([5, 5, 5], experts: 3, topK: 1, normalize: false)
        #expect(flat.ids == [0])
        expectClose(flat.weights, [1.0 / 3], "three equal logits")
        #expect(try route([5, 5, 5], experts: 3, topK: 1, normalize: true).weights == [1])
    }

    @Test("Top-3 of two tokens in descending order, renormalised; a NaN logit is never preferred")
    func descendingOrder() throws {
        let e = M_E, chosen = e * e + e + 1
        let result = try route([0, 2, -1, 1, /* token 2 */ .nan, -3, -2, -5], experts: 4, topK: 3, normalize: true)
        #expect(result.ids == [1, 3, 0, 2, 1, 3])
        let second = exp(-3.0) + exp(-2.0) + exp(-5.0)
        expectClose(result.weights, [e * e / chosen, e / chosen, 1 / chosen, exp(-2.0) / second, exp(-3.0) / second, exp(-5.0) / second],
                    "renormalised top-3")
    }

    @Test("All experts chosen: the weights are the full softmax")
    func allExperts() throws {
        let logits: [Float] = [0.5, -1.5, 2.25, 0]
        let result = try route(logits, experts: 4, topK: 4, normalize: false)
        #expect(result.ids == [2, 0, 3, 1])
        let total = logits.map { exp(Double($0)) }.reduce(0, +)
        expectClose(result.weights, [2.25, 0.5, 0, -1.5].map { exp($0) / total }, "softmax")
    }

    struct Experts {
        var experts, ff, hidden: Int
        var gateUp, down: [Float]

        /// Σ_j w_j · down_e · silu(gate_e · x) * (up_e · x), in f64.
        func reference(_ x: [Float], ids: [Int32], weights: [Float], topK: Int) -> [Double] {
            let n = x.count / hidden
            var out = [Double](repeating: 0, count: n * hidden)
            for t in 0..<n {
                for j in 0..<topK {
                    let e = Int(ids[t * topK + j]), w = Double(weights[t * topK + j])
                    var act = [Double](repeating: 0, count: ff)
                    for r in 0..<ff {
                        var g = 0.0, u = 0.0
                        for i in 0..<hidden {
                            g += Double(gateUp[(e * 2 * ff + r) * hidden + i]) * Double(x[t * hidden + i])
                            u += Double(gateUp[(e * 2 * ff + ff + r) * hidden + i]) * Double(x[t * hidden + i])
                        }
                        act[r] = g / (1 + exp(-g)) * u
                    }
                    for h in 0..<hidden {
                        var y = 0.0
                        for r in 0..<ff { y += Double(down[(e * hidden + h) * ff + r]) * act[r] }
                        out[t * hidden + h] += w * y
                    }
                }
            }
            return out
        }
    }

    func run(_ m: Experts, x: [Float], ids: [Int32], weights: [Float], topK: Int, threads: Int) throws -> [Float] {
        let backend = try CPUBackend(options: .init(threads: threads))
        let n = x.count / m.hidden
        let out = try backend.allocate(shape: [n, m.hidden], dtype: .f32)
        let scratch = try MoEScratch(backend: backend, tokens: n, topK: topK, experts: m.experts, ff: m.ff, hidden: m.hidden)
        try backend.moeExperts(backend.tensor(x, shape: [n, m.hidden]), gateUp: backend.tensor(m.gateUp, shape: [m.experts, 2 * m.ff, m.hidden]),
                               down: backend.tensor(m.down, shape: [m.experts, m.hidden, m.ff]), ids: backend.tensor(ids, shape: [n, topK]),
                               weights: backend.tensor(weights, shape: [n, topK]), kind: .silu, scratch: scratch, out: out)
        return try backend.readFloats(out)
    }

    static func experts(seed: UInt64) -> Experts {
        let (experts, ff, hidden) = (5, 7, 13)
        return Experts(experts: experts, ff: ff, hidden: hidden,
                       gateUp: KernelReference.randomFloats(experts * 2 * ff * hidden, seed: seed, scale: 0.5),
                       down: KernelReference.randomFloats(experts * hidden * ff, seed: seed + 1, scale: 0.5))
    }

    @Test("Routed experts' MLPs match a f64 reference; each token's row is bit-identical alone", arguments: [1, 2])
    func experts(threads: Int) throws {
        let m = Self.experts(seed: 21)
        let n = 6, topK = 2
        let x = KernelReference.randomFloats(n * m.hidden, seed: 5)
        // Every expert used, one of them by most tokens, one token's choices reversed.
        let ids: [Int32] = [0, 1, 1, 2, 3, 1, 4, 1, 1, 0, 2, 4]
        let weights: [Float] = [0.7, 0.3, 0.6, 0.4, 0.5, 0.5, 0.9, 0.1, 0.2, 0.8, 1, 0.25]
        let got = try run(m, x: x, ids: ids, weights: weights, topK: topK, threads: threads)
        let want = m.reference(x, ids: ids, weights: weights, topK: topK)
        let scale = want.map(abs).max()!
        #expect(zip(got, want).map { abs(Double($0) - $1) }.max()! <= 1e-5 * scale)
        for t in [0, 3, 5] {
            let alone = try run(m, x: Array(x[t * m.hidden ..< (t + 1) * m.hidden]), ids: Array(ids[t * topK ..< (t + 1) * topK]),
                                weights: Array(weights[t * topK ..< (t + 1) * topK]), topK: topK, threads: threads)
            #expect(alone.map(\.bitPattern) == got[t * m.hidden ..< (t + 1) * m.hidden].map(\.bitPattern), "token \(t)")
        }
    }

    @Test("An expert id outside the experts, or named twice by one token, is an error")
    func badIDs() throws {
        let m = Self.experts(seed: 3)
        let x = KernelReference.randomFloats(2 * m.hidden, seed: 1)
        for ids: [Int32] in [[0, 5], [2, -1], [1, 1]] {
            #expect(throws: RuntimeError.self) { try run(m, x: Array(x[0..<m.hidden]), ids: ids, weights: [0.5, 0.5], topK: 2, threads: 1) }
        }
        #expect(throws: RuntimeError.self) { try run(m, x: x, ids: [0, 1, 2], weights: [1, 1, 1], topK: 2, threads: 1) }
    }
}
