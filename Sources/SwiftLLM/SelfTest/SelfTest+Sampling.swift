import LLMCPU
import LLMRuntime

extension SelfTestRunner {
    /// Rows of one batch with every sampling feature: greedy, temperature, top-k, top-p,
    /// min-p, their combinations, penalties, and logits that are peaked, broad, tied or
    /// partly -inf. Token ids must match exactly; logprobs within 1e-4.
    mutating func samplingCases() {
        for vocab in quick ? [50, 1000] : [1000, 32003, 151_936] {
            let name = "vocab \(vocab)"
            run("sample", name) { h in try Self.sampling(vocab: vocab, rows: 24, name: name, &h) }
        }
    }

    static func sampling(vocab: Int, rows: Int, name: String, _ h: inout SelfTestHarness) throws -> SelfTestRow {
        var logits: [Float] = []
        var settings: [DeviceSamplingRow] = []
        for r in 0..<rows {
            let kind = r % 4
            for i in 0..<vocab {
                switch kind {
                case 0: logits.append(Float.random(in: -8...8, using: &h.rng) + (i % 211 == 7 ? 6 : 0))  // peaked
                case 1: logits.append(Float.random(in: -1...1, using: &h.rng))  // broad
                case 2: logits.append(Float(h.int(in: -3...3)))  // many exact ties
                default: logits.append(i % 9 == 4 ? -.infinity : Float.random(in: -4...4, using: &h.rng))
                }
            }
            var row = DeviceSamplingRow(temperature: [0, 0.6, 1, 1.3][(r / 4) % 4], uniform: h.unit())
            switch r % 6 {
            case 1: row.topK = Int32([1, 5, 50, 2000][(r / 6) % 4])
            case 2: row.topP = [0.9, 0.5, 0.999][(r / 6) % 3]
            case 3: row.minP = [0.05, 0.3][(r / 6) % 2]
            case 4: row.topK = 40; row.topP = 0.8; row.minP = 0.01
            case 5:
                row.repetitionPenalty = 1.3
                row.presencePenalty = 0.5
                row.frequencyPenalty = 0.25
                row.topP = 0.95
                row.penalties = (0..<(3 + r)).map { _ in
                    .init(tokenID: Int32(h.int(in: 0..<vocab)), generatedCount: Int32(h.int(in: 0...3)), inPrompt: h.int(in: 0...1) == 1)
                }
            default: break
            }
            settings.append(row)
        }
        let logitTensors = try h.pair(logits, shape: [rows, vocab], candidateType: .f32)
        let refBatch = try DeviceSamplingBatch.upload(settings, on: h.reference)
        let candBatch = try DeviceSamplingBatch.upload(settings, on: h.candidate)
        let ids = (ref: try h.reference.allocate(shape: [rows], dtype: .i32), cand: try h.candidate.allocate(shape: [rows], dtype: .i32))
        let lps = (ref: try h.reference.allocate(shape: [rows], dtype: .f32), cand: try h.candidate.allocate(shape: [rows], dtype: .f32))
        try h.reference.sample(logits: logitTensors.ref, params: refBatch, out: ids.ref, logprobs: lps.ref)
        try h.candidate.sample(logits: logitTensors.cand, params: candBatch, out: ids.cand, logprobs: lps.cand)
        let (refIDs, candIDs) = try h.read(ids)
        let (refLP, candLP) = try h.read(lps)
        let mismatched = zip(refIDs, candIDs).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
        var worst: Float = 0
        var nan = false
        for (a, b) in zip(refLP, candLP) {
            if a.isFinite && !b.isFinite { nan = true } else if a.isFinite { worst = max(worst, abs(a - b)) }
        }
        let tolerance: Float = 1e-4
        let note = mismatched.isEmpty ? nil : "token ids differ in rows \(mismatched.prefix(8).map(String.init).joined(separator: ",")) (\(mismatched.count) of \(rows))"
        return SelfTestRow(op: "sample", name: name, maxRelativeError: worst, tolerance: tolerance, hasNaN: nan,
                           passed: mismatched.isEmpty && !nan && worst <= tolerance, note: note)
    }
}
