import Foundation
import Testing
@testable import LLMEngine

@Suite struct SamplingParamsTests {
    @Test func defaultsMatchVLLM() {
        let p = SamplingParams()
        #expect(p.temperature == 1 && p.topK == 0 && p.topP == 1 && p.minP == 0)
        #expect(p.repetitionPenalty == 1 && p.presencePenalty == 0 && p.frequencyPenalty == 0)
        #expect(p.seed == nil && p.maxTokens == nil && p.minTokens == 0)
        #expect(p.stop.isEmpty && p.stopTokenIDs.isEmpty && !p.ignoreEOS && !p.includeStopStringInOutput)
        #expect(p.logprobs == nil && p.logitBias.isEmpty)
        #expect(!p.isGreedy && SamplingParams.greedy.isGreedy)
        #expect(throws: Never.self) { try p.validate(vocabSize: 10) }
    }

    @Test func decodesPartialObjectsWithDefaults() throws {
        let json = #"{"temperature": 0.5, "stop": ["\n"], "logitBias": {"3": -1.5}, "maxTokens": 7}"#
        let p = try JSONDecoder().decode(SamplingParams.self, from: Data(json.utf8))
        #expect(p == SamplingParams(temperature: 0.5, maxTokens: 7, stop: ["\n"], logitBias: [3: -1.5]))
    }

    @Test func roundTripsThroughJSON() throws {
        let p = SamplingParams(
            temperature: 0.7, topK: 40, topP: 0.9, minP: 0.05, repetitionPenalty: 1.1, presencePenalty: 0.5,
            frequencyPenalty: -0.5, seed: -3, maxTokens: 100, minTokens: 2, stop: ["###"], stopTokenIDs: [5],
            ignoreEOS: true, includeStopStringInOutput: true, logprobs: 5, logitBias: [1: 2, 9: -100])
        let back = try JSONDecoder().decode(SamplingParams.self, from: JSONEncoder().encode(p))
        #expect(back == p)
    }

    @Test(arguments: [
        (SamplingParams(temperature: -0.1), "temperature"),
        (SamplingParams(temperature: .nan), "temperature"),
        (SamplingParams(topK: -2), "topK"),
        (SamplingParams(topP: 0), "topP"),
        (SamplingParams(topP: 1.01), "topP"),
        (SamplingParams(minP: -0.01), "minP"),
        (SamplingParams(minP: 1.5), "minP"),
        (SamplingParams(repetitionPenalty: 0), "repetitionPenalty"),
        (SamplingParams(presencePenalty: 2.5), "presencePenalty"),
        (SamplingParams(frequencyPenalty: -2.1), "frequencyPenalty"),
        (SamplingParams(maxTokens: 0), "maxTokens"),
        (SamplingParams(minTokens: -1), "minTokens"),
        (SamplingParams(maxTokens: 3, minTokens: 4), "minTokens"),
        (SamplingParams(logprobs: -1), "logprobs"),
        (SamplingParams(logprobs: 21), "logprobs"),
        (SamplingParams(logitBias: [10: 1]), "logitBias"),
        (SamplingParams(logitBias: [-1: 1]), "logitBias"),
        (SamplingParams(logitBias: [2: .nan]), "logitBias"),
        (SamplingParams(stopTokenIDs: [3, 10]), "stopTokenIDs"),
        (SamplingParams(stop: ["ok", ""]), "stop"),
    ])
    func validationNamesTheField(params: SamplingParams, field: String) {
        do {
            try params.validate(vocabSize: 10)
            Issue.record("\(field) was accepted")
        } catch {
            #expect(error.field == field)
            #expect(error.description.contains(field))
        }
    }

    @Test func errorMessagesGiveTheAllowedRange() {
        #expect(throws: SamplingError.valueOutOfRange(field: "topP", value: "1.5", allowed: "(0, 1]")) {
            try SamplingParams(topP: 1.5).validate(vocabSize: 10)
        }
        #expect(throws: SamplingError.tokenIDOutOfVocabulary(field: "stopTokenIDs", tokenID: 10, vocabSize: 10)) {
            try SamplingParams(stopTokenIDs: [10]).validate(vocabSize: 10)
        }
        #expect(SamplingError.emptyStopString(index: 1).description == "stop[1] must be a non-empty string")
    }

    @Test func acceptsBoundaryValues() {
        let p = SamplingParams(
            temperature: 0, topK: -1, topP: 1, minP: 1, repetitionPenalty: 0.01, presencePenalty: -2,
            frequencyPenalty: 2, maxTokens: 1, minTokens: 1, stopTokenIDs: [9], logprobs: 20,
            logitBias: [0: -.infinity, 9: 100])
        #expect(throws: Never.self) { try p.validate(vocabSize: 10) }
    }
}
