import Foundation
import LLMRuntime
import Testing
@testable import LLMCPU

/// The gated activations against a double-precision reference, over the whole useful
/// range (the vectorised exp clamps its input) and row widths that leave a scalar tail.
@Suite("Gated activations")
struct ActivationTests {
    @Test(arguments: [GatedActivation.silu, .geluTanh], [1, 2])
    func matchesReference(kind: GatedActivation, threads: Int) throws {
        let (tokens, ff) = (3, 37)
        let x = (0..<(tokens * 2 * ff)).map { i in Float(i % 97) * 0.9 - 40 }
        let backend = try CPUBackend(options: .init(threads: threads))
        let out = try backend.allocate(shape: [tokens, ff], dtype: .f32)
        try backend.gatedActivation(try backend.tensor(x, shape: [tokens, 2 * ff]), kind: kind, out: out)
        let got = try backend.readFloats(out)
        for t in 0..<tokens {
            for i in 0..<ff {
                let g = Double(x[t * 2 * ff + i]), u = Double(x[t * 2 * ff + ff + i])
                let a = kind == .silu ? g / (1 + exp(-g)) : 0.5 * g * (1 + tanh(0.7978845608 * (g + 0.044715 * g * g * g)))
                let want = a * u
                #expect(abs(Double(got[t * ff + i]) - want) <= 2e-6 * max(1, abs(want)), "\(kind) g \(g) u \(u)")
            }
        }
    }
}
