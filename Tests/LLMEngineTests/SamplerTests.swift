import Testing
@testable import LLMEngine
@testable import LLMRuntime

@Suite struct SamplerTests {
    @Test func greedyPicksArgmaxWithLowestIndexOnTies() {
        var sampler = Sampler(params: .greedy)
        var logits: [Float] = [0.1, 2.5, -1, 2.4]
        #expect(sampler.sample(logits: &logits, context: freeContext).id == 1)
        var tied: [Float] = [1, 3, 3, 0]
        #expect(sampler.sample(logits: &tied, context: freeContext).id == 1)
        var withNaN: [Float] = [.nan, -5, .nan, -4]
        #expect(sampler.sample(logits: &withNaN, context: freeContext).id == 3)
    }

    /// The vectorised argmax against the plain loop: lengths around the 16-value chunks,
    /// ties (lowest index wins), NaN anywhere (never chosen), -inf, and all-NaN rows.
    @Test func argmaxMatchesTheScalarDefinition() {
        func reference(_ v: [Float]) -> Int {
            guard var best = v.firstIndex(where: { !$0.isNaN }) else { return 0 }
            for i in v.indices where v[i] > v[best] { best = i }
            return best
        }
        var rng = Xoshiro256StarStar(seed: 7)
        for n in [1, 3, 15, 16, 17, 31, 32, 33, 100, 49_152 + 5] {
            for trial in 0..<20 {
                var v = (0..<n).map { _ in Float(Int(rng.next() % 9)) - 4 } // small range: many ties
                for _ in 0..<(trial % 4) * max(1, n / 8) { v[Int(rng.next() % UInt64(n))] = .nan }
                if trial % 5 == 4 { v = v.map { $0 > 0 ? .nan : -.infinity } }
                if trial == 19 { v = [Float](repeating: .nan, count: n) }
                let got = v.withUnsafeBufferPointer { Sampler.argmax($0) }
                #expect(got == reference(v), "n \(n) trial \(trial)")
            }
        }
    }

    private func drawSequence(seed: Int?, steps: Int = 200) -> [Int] {
        var sampler = Sampler(params: SamplingParams(temperature: 1, seed: seed))
        return (0..<steps).map { step in
            var logits = makeLogits(count: 64, seed: UInt64(step), scale: 1)
            return sampler.sample(logits: &logits, context: freeContext).id
        }
    }

    @Test func sameSeedGivesSameDrawsAndDifferentSeedsDiffer() {
        let a = drawSequence(seed: 42)
        #expect(a == drawSequence(seed: 42))
        #expect(a != drawSequence(seed: 43))
        #expect(Set(a).count > 20)  // genuinely random, not stuck on one token
        #expect(Sampler(params: SamplingParams(seed: 42)).seed == 42)
        #expect(Sampler(params: SamplingParams()).seed != Sampler(params: SamplingParams()).seed)
    }

    @Test func frequenciesMatchSoftmaxOfScaledLogits() {
        let logits: [Float] = [1.0, 2.0, 0.5, -1.0, 1.5]
        let temperature = 0.7
        var sampler = Sampler(params: SamplingParams(temperature: Float(temperature), seed: 7))
        var hits = [Int](repeating: 0, count: logits.count)
        let draws = 20_000
        for _ in 0..<draws {
            var row = logits
            hits[sampler.sample(logits: &row, context: freeContext).id] += 1
        }
        let expected = referenceSoftmax(logits, temperature: temperature)
        for i in logits.indices {
            // 4 standard deviations of a binomial frequency is under 0.015 here.
            #expect(abs(Double(hits[i]) / Double(draws) - expected[i]) < 0.015, "token \(i)")
        }
    }

    @Test func inverseCDFFollowsTokenOrder() {
        // Probabilities 0.25 / 0.5 / 0.25: u below 0.25 -> 0, up to 0.75 -> 1, else 2.
        let logits = logitsFor(probabilities: [0.25, 0.5, 0.25])
        let hits = sweepDraw(logits: logits, params: SamplingParams(), steps: 1000)
        #expect(hits == [0: 250, 1: 500, 2: 250])
    }

    @Test func eachStepConsumesOneUniformFromTheSeededGenerator() {
        // The contract a device sampler must follow to reproduce host draws.
        let params = SamplingParams(temperature: 0.8, topK: 20, topP: 0.9, seed: 5)
        var sampler = Sampler(params: params)
        var rng = Xoshiro256StarStar(seed: 5)
        for step in 0..<20 {
            let logits = makeLogits(count: 300, seed: UInt64(step))
            var row = logits
            let id = sampler.sample(logits: &row, context: freeContext).id
            var scratch = [Float](repeating: 0, count: logits.count)
            let u = rng.nextUnitDouble()
            let expected = logits.withUnsafeBufferPointer { l in
                scratch.withUnsafeMutableBufferPointer { Sampler.draw(logits: l, probabilities: $0, params: params, uniform: u) }
            }
            #expect(id == expected)
        }
    }

    @Test func topKOneEqualsGreedy() {
        var topOne = Sampler(params: SamplingParams(temperature: 1.3, topK: 1, seed: 1))
        var greedy = Sampler(params: .greedy)
        for step in 0..<50 {
            var a = makeLogits(count: 1000, seed: UInt64(100 + step))
            if step % 5 == 0 { a[3] = a.max()!; a[700] = a[3] }  // exact ties
            var b = a
            #expect(topOne.sample(logits: &a, context: freeContext).id == greedy.sample(logits: &b, context: freeContext).id)
        }
    }

    @Test func topKKeepsExactlyTheKMostLikely() {
        let logits: [Float] = [0.3, 2.0, -1.0, 1.5, 1.0, 0.0]
        let hits = sweepDraw(logits: logits, params: SamplingParams(topK: 3))
        #expect(Set(hits.keys) == [1, 3, 4])
        // Renormalised over the kept three.
        let p = referenceSoftmax([2.0, 1.5, 1.0])
        #expect(abs(Double(hits[1]!) / 10_000 - p[0]) < 0.001)
    }

    @Test func topPKeepsSmallestPrefixReachingP() {
        let logits = logitsFor(probabilities: [0.05, 0.4, 0.1, 0.3, 0.15])
        // Most likely first: 1 (0.4), 3 (0.3), 4 (0.15), 2 (0.1), 0 (0.05).
        #expect(Set(sweepDraw(logits: logits, params: SamplingParams(topP: 0.3)).keys) == [1])
        #expect(Set(sweepDraw(logits: logits, params: SamplingParams(topP: 0.5)).keys) == [1, 3])
        #expect(Set(sweepDraw(logits: logits, params: SamplingParams(topP: 0.75)).keys) == [1, 3, 4])
        #expect(Set(sweepDraw(logits: logits, params: SamplingParams(topP: 0.9)).keys) == [1, 2, 3, 4])
        let hits = sweepDraw(logits: logits, params: SamplingParams(topP: 0.75))
        #expect(abs(Double(hits[4]!) / 10_000 - 0.15 / 0.85) < 0.001)
    }

    @Test func topPOnLargeFlatVocabularyKeepsExactHalf() {
        // 1000 equal tokens, p = 0.5: exactly ids 0..<500 survive (ties by lower id);
        // exercises the growing candidate search (64, 256, then all).
        let hits = sweepDraw(logits: [Float](repeating: 0, count: 1000), params: SamplingParams(topP: 0.5), steps: 2000)
        #expect(Set(hits.keys) == Set(0..<500))
    }

    @Test func topKThenTopPRenormalisesOverTheKept() {
        let logits = logitsFor(probabilities: [0.05, 0.4, 0.1, 0.3, 0.15])
        // Top-2 leaves 0.4 / 0.3 -> 0.571 / 0.429; p = 0.5 keeps only token 1.
        let params = SamplingParams(topK: 2, topP: 0.5)
        #expect(Set(sweepDraw(logits: logits, params: params).keys) == [1])
        #expect(Set(sweepDraw(logits: logits, params: SamplingParams(topK: 2, topP: 0.6)).keys) == [1, 3])
    }

    @Test func minPDropsTokensBelowFractionOfTopProbability() {
        let logits = logitsFor(probabilities: [0.5, 0.3, 0.1, 0.06, 0.04])
        // Threshold 0.15 * 0.5 = 0.075.
        let hits = sweepDraw(logits: logits, params: SamplingParams(minP: 0.15))
        #expect(Set(hits.keys) == [0, 1, 2])
        #expect(abs(Double(hits[0]!) / 10_000 - 0.5 / 0.9) < 0.001)
        // Min-p applies after temperature: at T = 0.5 the ratios square, 0.1/0.5 -> 0.04.
        let cooled = sweepDraw(logits: logits, params: SamplingParams(temperature: 0.5, minP: 0.15))
        #expect(Set(cooled.keys) == [0, 1])
    }

    @Test func seededRequestsReproduceWithTruncation() {
        let params = SamplingParams(temperature: 0.9, topK: 50, topP: 0.8, minP: 0.02, seed: 11)
        func run() -> [Int] {
            var sampler = Sampler(params: params)
            return (0..<30).map { step in
                var logits = makeLogits(count: 5000, seed: UInt64(step))
                return sampler.sample(logits: &logits, context: freeContext).id
            }
        }
        #expect(run() == run())
    }

    @Test func emptyLogitsDoNotTrap() {
        var sampler = Sampler(params: SamplingParams())
        var empty: [Float] = []
        #expect(sampler.sample(logits: &empty, context: freeContext) == SampledToken(id: 0, logprob: -.infinity))
        var masked: [Float] = [-.infinity, -.infinity]
        #expect(sampler.sample(logits: &masked, context: freeContext).id == 0)
    }

    @Test func skippingTheLogprobChangesNoToken() {
        for params in [SamplingParams(temperature: 0), SamplingParams(temperature: 0.8, topP: 0.9, seed: 4)] {
            var full = Sampler(params: params), lean = Sampler(params: params)
            for step in 0..<20 {
                var a = makeLogits(count: 3000, seed: UInt64(step)), b = a
                let reported = full.sample(logits: &a, context: freeContext)
                let skipped = b.withUnsafeMutableBufferPointer { lean.sample(logits: $0, context: freeContext, reportLogprob: false) }
                #expect(reported.id == skipped.id)
                #expect(reported.logprob.isFinite && skipped.logprob.isNaN)
            }
        }
    }
}
