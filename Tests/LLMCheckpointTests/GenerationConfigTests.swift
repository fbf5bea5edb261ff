import Foundation
import LLMCheckpoint
import Testing

@Suite struct GenerationConfigTests {
    @Test func fixture() throws {
        let config = try GenerationConfig.load(path: Fixture.path("st_single/generation_config.json"))
        #expect(config == GenerationConfig(
            bosTokenID: 1, eosTokenIDs: [2, 7], padTokenID: nil, doSample: true, temperature: 0.7, topP: 0.9,
            topK: 20, repetitionPenalty: 1.05, maxNewTokens: 64, maxLength: nil))
    }

    @Test func singleEOSNullsAndUnknownKeys() throws {
        let json = #"{"eos_token_id": 2, "bos_token_id": null, "temperature": null, "top_k": 50.0, "max_length": 2048, "foo": [1, {"x": null}]}"#
        let config = try GenerationConfig(jsonData: Data(json.utf8))
        #expect(config.eosTokenIDs == [2])
        #expect(config.bosTokenID == nil)
        #expect(config.temperature == nil)
        #expect(config.topK == 50)
        #expect(config.maxLength == 2048)
        #expect(try GenerationConfig(jsonData: Data("{}".utf8)) == GenerationConfig())
    }

    @Test func wrongTypesAreErrors() {
        let error = #expect(throws: CheckpointError.self) {
            try GenerationConfig(jsonData: Data(#"{"do_sample": "yes"}"#.utf8), path: "g.json")
        }
        guard case let .malformed(file, field, _, _) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(file == "g.json")
        #expect(field == "'do_sample'")
        #expect(throws: CheckpointError.self) { try GenerationConfig(jsonData: Data("nope".utf8)) }
    }
}
