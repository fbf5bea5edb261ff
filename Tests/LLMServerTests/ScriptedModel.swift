import Foundation
import LLMServer
import SwiftLLM

/// A model for server tests that needs no weights: bytes are tokens (id = byte + 2; 0 is
/// BOS, 1 is EOS), the chat template writes `<|role|>content` lines (after a
/// `<|name=value|>` line per template variable), and every request
/// "generates" `reply` one byte per step (with `#seed` after it when seeded), so answers
/// are known in advance. Steps can be held back (all, or all but a number allowed), and
/// the model counts requests that were cancelled before they finished.
final class ScriptedModel: ServingModel, @unchecked Sendable {
    let reply: String
    let vocabularySize = 258
    let maxModelLength: Int
    private let lock = NSLock()
    /// Steps still allowed while holding; nil when not holding.
    private var permits: Int?
    private var started = 0
    private var cancelled = 0
    private var params: [SamplingParams] = []

    static let bos = 0, eos = 1

    init(reply: String = "Paris is the capital.", maxModelLength: Int = 128) {
        self.reply = reply
        self.maxModelLength = maxModelLength
    }

    /// While held, no request produces a step (beyond those `allow` lets through).
    func hold(_ value: Bool) { lock.withLock { permits = value ? 0 : nil } }
    /// Lets `steps` more steps through while held.
    func allow(_ steps: Int) { lock.withLock { permits = (permits ?? 0) + steps } }

    /// Takes a permit for one step; false while held with none left.
    private func takePermit() -> Bool {
        lock.withLock {
            guard let left = permits else { return true }
            guard left > 0 else { return false }
            permits = left - 1
            return true
        }
    }
    var startedCount: Int { lock.withLock { started } }
    var cancelledCount: Int { lock.withLock { cancelled } }
    /// The sampling settings of every request so far, in order.
    var receivedParams: [SamplingParams] { lock.withLock { params } }

    func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        (addSpecialTokens ? [Self.bos] : []) + text.utf8.map { Int($0) + 2 }
    }

    func decode(_ ids: [Int]) -> String {
        String(decoding: ids.filter { $0 >= 2 }.map { UInt8($0 - 2) }, as: UTF8.self)
    }

    func chatPromptTokens(_ messages: [JinjaValue], addGenerationPrompt: Bool, templateVariables: [String: JinjaValue]) throws -> [Int] {
        var text = ""
        for (name, value) in templateVariables.sorted(by: { $0.key < $1.key }) {
            text += "<|\(name)=\((try? value.jsonString()) ?? "?")|>\n"
        }
        for case let .object(message) in messages {
            text += "<|\(message["role"]?.stringValue ?? "")|>\(message["content"]?.stringValue ?? "")\n"
        }
        if addGenerationPrompt { text += "<|assistant|>" }
        return encode(text, addSpecialTokens: true)
    }

    /// The text a request generates before it ends with EOS.
    func text(for params: SamplingParams) -> String {
        reply + (params.seed.map { " #\($0)" } ?? "")
    }

    func steps(for request: GenerationRequest) -> any AsyncSequence<GeneratedStep, any Error> {
        let bytes = Array(text(for: request.params).utf8)
        let maxTokens = request.params.maxTokens ?? bytes.count + 1
        let topCount = request.params.logprobs ?? 0
        lock.withLock {
            started += 1
            params.append(request.params)
        }
        return AsyncThrowingStream { continuation in
            let producer = Task {
                do {
                    for position in 0...bytes.count {
                        while !takePermit() { try await Task.sleep(for: .milliseconds(2)) }
                        try Task.checkCancellation()
                        let id = position < bytes.count ? Int(bytes[position]) + 2 : Self.eos
                        let top = (0..<topCount).map { TokenLogprob(id: (id + $0) % vocabularySize, logprob: -0.5 - Float($0)) }
                        let finish: FinishReason? = position == bytes.count ? .stop(.eos(tokenID: Self.eos)) : position + 1 == maxTokens ? .length : nil
                        continuation.yield(GeneratedStep(tokenIDs: [id], text: position < bytes.count ? decode([id]) : "",
                                                         tokens: [SampledToken(id: id, logprob: -0.5, topLogprobs: top)], finishReason: finish))
                        if finish != nil { break }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { [self] termination in
                if case .cancelled = termination { lock.withLock { cancelled += 1 } }
                producer.cancel()
            }
        }
    }

    func engineSnapshot() -> EngineSnapshot? { nil }
}
