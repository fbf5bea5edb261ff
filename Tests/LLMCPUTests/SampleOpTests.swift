import Foundation
import LLMEngine
import LLMRuntime
import Testing
@testable import LLMCPU

/// The CPU `sample` op against the host `Sampler`: same logits, settings, history and
/// uniform number must give the same token and the same raw logprob.
@Suite("CPU sample op matches the host sampler")
struct SampleOpTests {
    /// One host-side case: a logits row, its settings and its token history.
    struct Case {
        var logits: [Float]
        var params: SamplingParams
        var counts: TokenCounts
    }

    static func makeLogits(_ n: Int, kind: Int, rng: inout SplitMix64) -> [Float] {
        switch kind {
        case 0: // broad
            return (0..<n).map { _ in Float.random(in: -3...3, using: &rng) }
        case 1: // peaked
            return (0..<n).map { i in Float.random(in: -8...2, using: &rng) + (i % 97 == 3 ? 12 : 0) }
        case 2: // coarse values: many exact ties
            return (0..<n).map { _ in Float(Int.random(in: -4...4, using: &rng)) * 0.5 }
        case 3: // flat
            return [Float](repeating: 0.25, count: n)
        default: // some -inf and NaN entries
            return (0..<n).map { i in
                if i % 11 == 5 { return -.infinity }
                if i % 13 == 7 { return .nan }
                return Float.random(in: -5...5, using: &rng)
            }
        }
    }

    static func makeCases() -> [Case] {
        var rng = SplitMix64(state: 2024)
        var cases: [Case] = []
        let vocabs = [1, 2, 7, 100, 1000, 5000]
        let temperatures: [Float] = [0, 0.5, 1, 1.7]
        let topKs = [0, 1, 3, 50, -1, 100_000]
        let topPs: [Float] = [1, 0.95, 0.5, 0.01]
        let minPs: [Float] = [0, 0.05, 0.3]
        for caseIndex in 0..<600 {
            let n = vocabs[caseIndex % vocabs.count]
            let logits = makeLogits(n, kind: (caseIndex / vocabs.count) % 5, rng: &rng)
            var params = SamplingParams(
                temperature: temperatures.randomElement(using: &rng)!, topK: topKs.randomElement(using: &rng)!,
                topP: topPs.randomElement(using: &rng)!, minP: minPs.randomElement(using: &rng)!,
                seed: Int.random(in: 0...1_000_000, using: &rng))
            if caseIndex % 3 == 0 {
                params.repetitionPenalty = [1, 1.3, 0.8].randomElement(using: &rng)!
                params.presencePenalty = [0, 0.5, -1].randomElement(using: &rng)!
                params.frequencyPenalty = [0, 0.7, -0.3].randomElement(using: &rng)!
            }
            let prompt = (0..<Int.random(in: 0...20, using: &rng)).map { _ in Int.random(in: -1...n, using: &rng) }
            var counts = TokenCounts(prompt: prompt)
            counts.appendGenerated(contentsOf: (0..<Int.random(in: 0...30, using: &rng)).map { _ in Int.random(in: 0..<n, using: &rng) })
            cases.append(Case(logits: logits, params: params, counts: counts))
        }
        return cases
    }

    /// What the engine would send to the device for `c`.
    static func deviceRow(_ c: Case) -> DeviceSamplingRow {
        var entries: [DeviceSamplingRow.PenaltyEntry] = c.counts.promptTokenIDs.map {
            .init(tokenID: Int32($0), generatedCount: 0, inPrompt: true)
        }
        entries += c.counts.generatedCounts.map { .init(tokenID: Int32($0.key), generatedCount: Int32($0.value), inPrompt: false) }
        var u = 0.0
        if !c.params.isGreedy, let seed = c.params.seed {
            var rng = Xoshiro256StarStar(seed: UInt64(bitPattern: Int64(seed)))
            u = rng.nextUnitDouble()
        }
        return DeviceSamplingRow(
            temperature: c.params.temperature, topK: Int32(c.params.topK), topP: c.params.topP, minP: c.params.minP,
            repetitionPenalty: c.params.repetitionPenalty, presencePenalty: c.params.presencePenalty,
            frequencyPenalty: c.params.frequencyPenalty, uniform: u, penalties: entries)
    }

    @Test("every row picks the host sampler's token and raw logprob", arguments: [1, 2])
    func matchesHostSampler(threads: Int) throws {
        let backend = try CPUBackend(options: .init(threads: threads))
        let cases = Self.makeCases()
        // Rows of one vocabulary size share a batch, as one step's rows do.
        for n in Set(cases.map(\.logits.count)).sorted() {
            let group = cases.filter { $0.logits.count == n }
            let logits = try backend.tensor(group.flatMap(\.logits), shape: [group.count, n])
            let batch = try DeviceSamplingBatch.upload(group.map(Self.deviceRow), on: backend)
            let out = try backend.allocate(shape: [group.count], dtype: .i32)
            let logprobs = try backend.allocate(shape: [group.count], dtype: .f32)
            try backend.sample(logits: logits, params: batch, out: out, logprobs: logprobs)
            var ids = [Int32](repeating: 0, count: group.count)
            try ids.withUnsafeMutableBytes { try backend.read(out, into: $0) }
            let lps = try backend.readFloats(logprobs)
            #expect(try backend.readFloats(logits).map(\.bitPattern) == group.flatMap(\.logits).map(\.bitPattern),
                    "the op must not modify the logits")
            for (r, c) in group.enumerated() {
                var sampler = Sampler(params: c.params)
                var row = c.logits
                let expected = sampler.sample(logits: &row, context: SamplingContext(tokenCounts: c.counts, eosAllowed: true))
                #expect(Int(ids[r]) == expected.id, "vocab \(n) row \(r): \(c.params)")
                let same = lps[r] == expected.logprob || (lps[r].isNaN && expected.logprob.isNaN)
                #expect(same, "vocab \(n) row \(r): logprob \(lps[r]) vs \(expected.logprob)")
            }
        }
    }

    @Test("broad top-p needs the linear-time nucleus on the host; the op agrees")
    func broadNucleus() throws {
        let backend = try CPUBackend(options: .init(threads: 1))
        var rng = SplitMix64(state: 5)
        let n = 20_000
        var rows: [DeviceSamplingRow] = []
        var logits: [Float] = []
        var expected: [Int] = []
        for i in 0..<40 {
            let row = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
            let params = SamplingParams(temperature: 1, topP: [0.9, 0.5, 0.99][i % 3], seed: i)
            let c = Case(logits: row, params: params, counts: TokenCounts())
            var sampler = Sampler(params: params)
            var copy = row
            expected.append(sampler.sample(logits: &copy, context: SamplingContext(tokenCounts: c.counts, eosAllowed: true)).id)
            rows.append(Self.deviceRow(c))
            logits += row
        }
        let out = try backend.allocate(shape: [rows.count], dtype: .i32)
        try backend.sample(logits: try backend.tensor(logits, shape: [rows.count, n]),
                           params: try DeviceSamplingBatch.upload(rows, on: backend), out: out, logprobs: nil)
        var ids = [Int32](repeating: 0, count: rows.count)
        try ids.withUnsafeMutableBytes { try backend.read(out, into: $0) }
        #expect(ids.map(Int.init) == expected)
    }

    @Test("penalty lists are merged and sorted; bad shapes are typed errors")
    func batchBuilding() throws {
        let backend = try CPUBackend(options: .init(threads: 1))
        let row = DeviceSamplingRow(temperature: 0, penalties: [
            .init(tokenID: 9, generatedCount: 1, inPrompt: false), .init(tokenID: 2, generatedCount: 0, inPrompt: true),
            .init(tokenID: 9, generatedCount: 2, inPrompt: true),
        ])
        let batch = try DeviceSamplingBatch.upload([row, DeviceSamplingRow(temperature: 1)], on: backend)
        func ints(_ t: Tensor) throws -> [Int32] {
            var v = [Int32](repeating: 0, count: t.elementCount)
            try v.withUnsafeMutableBytes { try backend.read(t, into: $0) }
            return v
        }
        #expect(try ints(batch.penaltyRowStart) == [0, 2, 2])
        #expect(try ints(batch.penaltyTokenIDs) == [2, 9])
        #expect(try ints(batch.penaltyGeneratedCounts) == [0, 3])
        #expect(try ints(batch.penaltyInPrompt) == [1, 1])
        let logits = try backend.allocate(shape: [3, 4], dtype: .f32)
        let out = try backend.allocate(shape: [3], dtype: .i32)
        #expect(throws: RuntimeError.self) { try backend.sample(logits: logits, params: batch, out: out, logprobs: nil) }
    }
}
