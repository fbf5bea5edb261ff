import Foundation
import Testing
@testable import LLMEngine

@Suite struct NucleusSelectionTests {
    /// Sort-based oracle: ids of the smallest most-likely-first prefix reaching `p`.
    private func referenceNucleus(_ logits: [Float], _ weights: [Float], p: Double) -> Set<Int> {
        let ranked = logits.indices.filter { weights[$0] > 0 }.sorted { (logits[$0], -$0) > (logits[$1], -$1) }
        let threshold = p * ranked.reduce(0.0) { $0 + Double(weights[$1]) }
        var kept = Set<Int>()
        var cumulative = 0.0
        for id in ranked {
            if !kept.isEmpty && cumulative >= threshold { break }
            kept.insert(id)
            cumulative += Double(weights[id])
        }
        return kept
    }

    @Test(arguments: [0.05, 0.5, 0.9, 0.999])
    func matchesSortedPrefixOnBroadDistributions(p: Double) {
        // Coarse logits give many ties, broken by lower id.
        let logits = makeLogits(count: 4000, seed: 21, scale: 2).map { ($0 * 8).rounded() / 8 }
        let weights = logits.map { exp($0 - logits.max()!) }
        var truncated = weights
        let result = logits.withUnsafeBufferPointer { l in
            truncated.withUnsafeMutableBufferPointer { NucleusSelection.truncate(logits: l, weights: $0, mass: p) }
        }
        let kept = Set(truncated.indices.filter { truncated[$0] > 0 })
        #expect(kept == referenceNucleus(logits, weights, p: p))
        #expect(result?.lastKeptID == kept.max())
        let keptWeight = kept.reduce(0.0) { $0 + Double(weights[$1]) }
        #expect(abs((result?.keptWeight ?? 0) - keptWeight) < 1e-9 * keptWeight)
        for id in kept { #expect(truncated[id] == weights[id]) }
    }

    @Test func samplerUsesTheSameNucleusAsTheOracle() {
        // Broad enough that the first 64 candidates do not reach p.
        let logits = makeLogits(count: 1000, seed: 4, scale: 1)
        let weights = logits.map { exp($0 - logits.max()!) }
        let hits = sweepDraw(logits: logits, params: SamplingParams(topP: 0.3), steps: 3000)
        let expected = referenceNucleus(logits, weights, p: 0.3)
        #expect(expected.count > 64)
        #expect(Set(hits.keys) == expected)
    }

    @Test func noPositiveWeightGivesNil() {
        let logits: [Float] = [1, 2]
        var weights: [Float] = [0, 0]
        let result = logits.withUnsafeBufferPointer { l in
            weights.withUnsafeMutableBufferPointer { NucleusSelection.truncate(logits: l, weights: $0, mass: 0.5) }
        }
        #expect(result == nil)
    }
}
