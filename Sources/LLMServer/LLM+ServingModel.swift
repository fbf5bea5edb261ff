import SwiftLLM

/// The engine as the server sees it. This is the one file that follows the engine's API.
extension LLM: ServingModel {
    public var vocabularySize: Int { model.spec.vocabSize }

    public func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        tokenizer.encode(text, addSpecialTokens: addSpecialTokens)
    }

    public func decode(_ ids: [Int]) -> String {
        tokenizer.decode(ids)
    }

    public func chatPromptTokens(_ messages: [JinjaValue], addGenerationPrompt: Bool,
                                 templateVariables: [String: JinjaValue]) throws -> [Int] {
        let prompt = try chatPrompt(messages, addGenerationPrompt: addGenerationPrompt, templateVariables: templateVariables)
        switch prompt {
        case let .tokens(ids): return ids
        case let .text(text): return encode(text, addSpecialTokens: false)
        }
    }

    public func steps(for request: GenerationRequest) -> any AsyncSequence<GeneratedStep, any Error> {
        stream(request).map { output in
            GeneratedStep(tokenIDs: output.tokenIDs, text: output.textDelta, tokens: output.logprobs, finishReason: output.finishReason)
        }
    }

    public func engineSnapshot() -> EngineSnapshot? {
        let m = metrics()
        return EngineSnapshot(runningSequences: m.runningSequences, waitingSequences: m.waitingSequences, kvCacheUsage: m.kvCacheUsage,
                              prefixQueriedTokens: m.prefixQueriedTokens, prefixHitTokens: m.prefixHitTokens)
    }
}

extension APIError {
    /// How an error from generating reaches the client: the engine's complaints about a
    /// request as 400s, anything else as a 500.
    init(generationError error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let EngineError.invalidRequest(field, reason):
            self = .invalidRequest("\(field) \(reason)", param: field)
        case EngineError.promptTooLong, EngineError.promptExceedsCache:
            self = .invalidRequest("\(error)", param: "prompt")
        case EngineError.stopped:
            self = .shuttingDown
        case let error as EngineError:
            self = .internalError("\(error)")
        default:
            self = .internalError("Generation failed: \(error)")
        }
    }
}
