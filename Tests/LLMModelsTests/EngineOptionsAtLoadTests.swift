import Foundation
import SwiftLLM
import Testing

/// Engine options are checked before the model is built from them.
@Suite("Engine options at load")
struct EngineOptionsAtLoadTests {
    @Test("A negative batch size is the option's error, not a buffer allocation's", arguments: [-1, 0])
    func negativeBatch(tokens: Int) throws {
        #expect(throws: EngineError.invalidOption(field: "maxBatchTokens", expected: "a positive count", found: "\(tokens)")) {
            try LLM(model: Fixtures.models.appendingPathComponent("qwen3").path,
                    options: LLMOptions(device: .cpu, cpu: .init(threads: 1), engine: EngineOptions(maxBatchTokens: tokens)))
        }
    }

    @Test("A batch too large for any memory is a typed allocation error, not an overflow trap")
    func hugeBatch() throws {
        #expect(throws: RuntimeError.self) {
            try LLM(model: Fixtures.smolLM2,
                    options: LLMOptions(device: .cpu, cpu: .init(threads: 1), engine: EngineOptions(maxBatchTokens: 100_000_000_000_000_000)))
        }
    }
}
