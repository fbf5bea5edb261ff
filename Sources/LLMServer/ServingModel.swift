import SwiftLLM

/// What the server needs from a model: its limits, its tokenizer and chat template, a
/// stream of generated steps per request, and the engine's counters. `LLM` conforms in
/// `LLM+ServingModel.swift`; keeping the server behind this protocol lets tests drive it
/// with a scripted model and confines engine changes to that one adapter.
public protocol ServingModel: Sendable {
    /// Token ids the model accepts are `0..<vocabularySize`.
    var vocabularySize: Int { get }
    /// Prompt plus generated tokens one request may reach.
    var maxModelLength: Int { get }
    /// Token ids of a text; `addSpecialTokens` adds what the tokenizer adds around a text (BOS).
    func encode(_ text: String, addSpecialTokens: Bool) -> [Int]
    /// The text of token ids, special tokens included.
    func decode(_ ids: [Int]) -> String
    /// Token ids of a conversation rendered with the model's chat template.
    /// - Parameters:
    ///   - messages: OpenAI-style message dicts, as the template reads them.
    ///   - addGenerationPrompt: end with the header of the assistant turn to be written.
    ///   - templateVariables: extra template variables (`chat_template_kwargs`).
    func chatPromptTokens(_ messages: [JinjaValue], addGenerationPrompt: Bool,
                          templateVariables: [String: JinjaValue]) throws -> [Int]
    /// Generates one completion of `request` (a `.tokens` prompt, `n` of 1), one element per
    /// engine step. Cancelling the consuming task, or dropping the stream, aborts the request.
    func steps(for request: GenerationRequest) -> any AsyncSequence<GeneratedStep, any Error>
    /// The engine's queue and cache counters now, or nil when the engine keeps none.
    func engineSnapshot() -> EngineSnapshot?
}

/// What one engine step produced for a completion.
public struct GeneratedStep: Sendable, Equatable {
    /// Tokens sampled this step.
    public var tokenIDs: [Int]
    /// Text that became final this step (stop-string look-ahead may hold some back).
    public var text: String
    /// The sampled tokens with their logprobs (and top logprobs when requested).
    public var tokens: [SampledToken]
    /// Set on the last step.
    public var finishReason: FinishReason?

    public init(tokenIDs: [Int], text: String, tokens: [SampledToken], finishReason: FinishReason?) {
        self.tokenIDs = tokenIDs
        self.text = text
        self.tokens = tokens
        self.finishReason = finishReason
    }
}

/// Engine counters the metrics endpoint exports when the engine provides them.
public struct EngineSnapshot: Sendable, Equatable {
    /// Sequences in the running batch.
    public var runningSequences: Int
    /// Sequences queued for a batch slot.
    public var waitingSequences: Int
    /// Fraction of KV cache blocks in use, `0...1`.
    public var kvCacheUsage: Double
    /// Prompt tokens looked up in the prefix cache, and how many were found there.
    public var prefixQueriedTokens: Int
    public var prefixHitTokens: Int

    public init(runningSequences: Int, waitingSequences: Int, kvCacheUsage: Double, prefixQueriedTokens: Int, prefixHitTokens: Int) {
        self.runningSequences = runningSequences
        self.waitingSequences = waitingSequences
        self.kvCacheUsage = kvCacheUsage
        self.prefixQueriedTokens = prefixQueriedTokens
        self.prefixHitTokens = prefixHitTokens
    }
}
