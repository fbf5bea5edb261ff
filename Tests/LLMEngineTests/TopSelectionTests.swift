import Testing
@testable import LLMEngine

@Suite struct TopSelectionTests {
    @Test(arguments: [1, 5, 40, 300, 2000])
    func matchesFullSortWithLowerIndexFirstOnTies(k: Int) {
        // Coarse values force many ties.
        let values = makeLogits(count: 2000, seed: 9).map { ($0 * 4).rounded() }
        let expected = values.indices.sorted { (values[$0], -$0) > (values[$1], -$1) }.prefix(k)
        let got = values.withUnsafeBufferPointer { TopSelection.largest(k, of: $0) }
        #expect(got == Array(expected))
    }

    @Test func skipsNaNAndZeroWeights() {
        let values: [Float] = [5, .nan, 4, 3, 2, 1, 0, -1, -2, -3, -4, -5, -6, -7, -8, -9]
        var weights = [Float](repeating: 1, count: values.count)
        weights[0] = 0
        let got = values.withUnsafeBufferPointer { v in
            weights.withUnsafeBufferPointer { TopSelection.largest(2, of: v, skippingZeroWeightsIn: $0) }
        }
        #expect(got == [2, 3])
    }
}
