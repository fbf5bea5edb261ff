import Foundation
import LLMRuntime
import Testing
@testable import LLMCPU

/// `scale`: a plain multiply (Gemma's embedding scale) and a tanh soft cap after it
/// (Gemma 2's final logits), against double precision; in place; bad caps rejected.
@Suite("Scale and soft cap")
struct ScaleOpTests {
    @Test("x·s and c·tanh(x·s/c) in place", arguments: [Float?.none, 3, 30])
    func matchesReference(cap: Float?) throws {
        let backend = try CPUBackend(options: .init(threads: 1))
        let x = (0..<75).map { Float($0) * 1.7 - 60 }
        let t = try backend.tensor(x, shape: [3, 25])
        try backend.scale(t, by: 0.5, softcap: cap, out: t)
        let got = try backend.readFloats(t)
        for (value, result) in zip(x, got) {
            let scaled = Double(value) * 0.5
            let want = cap.map { Double($0) * tanh(scaled / Double($0)) } ?? scaled
            #expect(abs(Double(result) - want) <= 1e-6 * max(1, abs(want)), "x \(value) cap \(String(describing: cap))")
        }
        if let cap { #expect(got.allSatisfy { abs($0) <= cap }) }
    }

    @Test("Shape mismatch and a non-positive cap are errors")
    func badArguments() throws {
        let backend = try CPUBackend(options: .init(threads: 1))
        let a = try backend.allocate(shape: [2, 4], dtype: .f32), b = try backend.allocate(shape: [4, 2], dtype: .f32)
        #expect(throws: RuntimeError.self) { try backend.scale(a, by: 1, softcap: nil, out: b) }
        #expect(throws: RuntimeError.self) { try backend.scale(a, by: 1, softcap: 0, out: a) }
    }
}
