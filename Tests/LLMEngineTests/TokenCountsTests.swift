import Testing
@testable import LLMEngine

@Suite struct TokenCountsTests {
    @Test func countsPromptAndGeneratedSeparately() {
        var counts = TokenCounts(prompt: [5, 5, 7])
        counts.appendGenerated(contentsOf: [7, 9, 9, 9])
        #expect(counts.promptTokenIDs == [5, 7])
        #expect(counts.generatedCounts == [7: 1, 9: 3])
        #expect(counts.generatedTotal == 4)
        #expect(counts.generatedCount(of: 9) == 3 && counts.generatedCount(of: 5) == 0)
        #expect(counts.hasSeen(5) && counts.hasSeen(9) && !counts.hasSeen(6))
    }

    @Test func contextDerivesEOSPermissionFromMinTokens() {
        var counts = TokenCounts()
        counts.appendGenerated(1)
        #expect(!SamplingContext(tokenCounts: counts, minTokens: 2).eosAllowed)
        counts.appendGenerated(1)
        #expect(SamplingContext(tokenCounts: counts, minTokens: 2).eosAllowed)
    }
}
