import Testing
@testable import LLMEngine

@Suite struct StopCheckerTests {
    /// Feeds `(id, text)` pairs; returns each step's emitted text and the final reason.
    private func run(_ checker: inout StopChecker, _ tokens: [(Int, String)]) -> (texts: [String], reason: FinishReason?) {
        var texts: [String] = []
        var reason: FinishReason?
        for (id, text) in tokens {
            let decision = checker.append(tokenID: id, textDelta: text)
            texts.append(decision.text)
            reason = decision.finishReason
            if decision.isFinished { break }
        }
        return (texts, reason)
    }

    @Test func stopStringSpanningThreeTokens() {
        var checker = StopChecker(stopStrings: ["END"])
        let out = run(&checker, [(1, "Hello E"), (2, "N"), (3, "D and more")])
        #expect(out.texts == ["Hello ", "", ""])
        #expect(out.reason == .stop(.stopString("END")))
        #expect(checker.heldBackText.isEmpty)
    }

    @Test func stopStringInTheMiddleOfAToken() {
        var checker = StopChecker(stopStrings: ["\n\n"])
        let out = run(&checker, [(1, "ab"), (2, "c\n\ndef")])
        #expect(out.texts == ["ab", "c"])
        #expect(out.reason == .stop(.stopString("\n\n")))
    }

    @Test func heldBackTextReleasedAtLengthFinish() {
        var checker = StopChecker(stopStrings: ["STOP"], maxTokens: 3)
        let first = checker.append(tokenID: 1, textDelta: "x")
        let second = checker.append(tokenID: 2, textDelta: "yS")
        #expect(first == StopDecision(text: "x"))
        #expect(second == StopDecision(text: "y"))
        #expect(checker.heldBackText == "S")
        let third = checker.append(tokenID: 3, textDelta: "TO")
        #expect(third == StopDecision(text: "STO", finishReason: .length))
        // Later calls emit nothing and repeat the reason.
        #expect(checker.append(tokenID: 4, textDelta: "P") == StopDecision(text: "", finishReason: .length))
    }

    @Test func externalFinishReleasesHeldText() {
        var checker = StopChecker(stopStrings: ["</answer>"])
        #expect(checker.append(tokenID: 1, textDelta: "42</ans").text == "42")
        #expect(checker.finish() == StopDecision(text: "</ans", finishReason: .length))
        #expect(checker.finish(reason: .stop(.eos(tokenID: 0))).finishReason == .length)
    }

    @Test func includeStopStringMode() {
        var checker = StopChecker(stopStrings: ["END"], includeStopStringInOutput: true)
        let out = run(&checker, [(1, "abE"), (2, "NDxyz")])
        #expect(out.texts == ["ab", "END"])
        #expect(out.reason == .stop(.stopString("END")))
    }

    @Test func falseStartIsReleasedAndOverlappingMatchFound() {
        var checker = StopChecker(stopStrings: ["abc"])
        let out = run(&checker, [(1, "xab"), (2, "ab"), (3, "c!")])
        // "ab" held, then "abab" -> "ab" released and "ab" held, then "abc" matches.
        #expect(out.texts == ["x", "ab", ""])
        #expect(out.reason == .stop(.stopString("abc")))

        var other = StopChecker(stopStrings: ["abc"])
        #expect(run(&other, [(1, "ab"), (2, "x")]).texts == ["", "abx"])
    }

    @Test func earliestOfSeveralStopStringsWins() {
        var checker = StopChecker(stopStrings: ["world", "lo w", "o"], includeStopStringInOutput: true)
        let out = run(&checker, [(1, "hel"), (2, "lo world")])
        // "o" at offset 4 and "lo w" at offset 3: the earlier start wins.
        #expect(out.texts.joined() == "hello w")
        #expect(out.reason == .stop(.stopString("lo w")))
    }

    @Test func stopTokenIDDropsItsTextUnlessIncluded() {
        var checker = StopChecker(stopTokenIDs: [7])
        #expect(run(&checker, [(1, "a"), (7, "<sep>"), (2, "b")]) == (["a", ""], .stop(.stopTokenID(7))))

        var including = StopChecker(stopStrings: ["<s"], stopTokenIDs: [7], includeStopStringInOutput: true)
        // Held-back "<" is released with the stop token's text.
        #expect(run(&including, [(1, "a<"), (7, "x")]) == (["a", "<x"], .stop(.stopTokenID(7))))
    }

    @Test func eosStopsUnlessIgnored() {
        var checker = StopChecker(params: SamplingParams(), eosTokenIDs: [2])
        #expect(run(&checker, [(5, "hi"), (2, "</s>")]) == (["hi", ""], .stop(.eos(tokenID: 2))))

        var ignoring = StopChecker(params: SamplingParams(ignoreEOS: true), eosTokenIDs: [2])
        let out = run(&ignoring, [(5, "hi"), (2, "</s>"), (6, "!")])
        #expect(out.texts == ["hi", "</s>", "!"])
        #expect(out.reason == nil)
    }

    @Test func nothingStopsBeforeMinTokens() {
        var checker = StopChecker(
            params: SamplingParams(minTokens: 2, stop: ["."], stopTokenIDs: [9]), eosTokenIDs: [2])
        let out = run(&checker, [(2, "A."), (9, "B"), (3, "C."), (4, "D")])
        // Tokens 1 and 2 may not stop (EOS id, stop string, stop id all ignored); token 3 may.
        #expect(out.texts == ["A.", "B", "C"])
        #expect(out.reason == .stop(.stopString(".")))
    }

    @Test func stopStringCompletedBeforeMinTokensIsNotMatchedLater() {
        var checker = StopChecker(stopStrings: ["ab"], minTokens: 1)
        // "ab" completes inside token 1 (too early); token 2 adds no new match.
        #expect(run(&checker, [(1, "ab"), (2, "c")]) == (["ab", "c"], nil))
        var spanning = StopChecker(stopStrings: ["ab"], minTokens: 1)
        // Starts in token 1, ends in token 2: counts.
        #expect(run(&spanning, [(1, "xa"), (2, "bc")]) == (["x", ""], .stop(.stopString("ab"))))
    }

    @Test func stopBeatsLengthOnTheSameToken() {
        var checker = StopChecker(stopStrings: ["!"], eosTokenIDs: [2], maxTokens: 2)
        #expect(run(&checker, [(1, "a"), (3, "b!")]) == (["a", "b"], .stop(.stopString("!"))))
        var eos = StopChecker(eosTokenIDs: [2], maxTokens: 1)
        #expect(run(&eos, [(2, "")]).reason == .stop(.eos(tokenID: 2)))
    }

    @Test func matchesOnUnicodeScalars() {
        var checker = StopChecker(stopStrings: ["🙂\n"])
        let out = run(&checker, [(1, "é🙂"), (2, "\nrest")])
        #expect(out.texts == ["é", ""])
        #expect(out.reason == .stop(.stopString("🙂\n")))
    }

    @Test func openAINames() {
        #expect(FinishReason.length.openAIName == "length")
        #expect(FinishReason.stop(.stopTokenID(3)).openAIName == "stop")
    }
}
