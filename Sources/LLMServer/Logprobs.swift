import SwiftLLM

/// `logprobs` of a `/v1/completions` choice: parallel arrays, top logprobs as
/// `{token text: logprob}` in rank order.
struct CompletionLogprobs: Encodable {
    var tokens: [String] = []
    var tokenLogprobs: [Float] = []
    var topLogprobs: [RankedLogprobs] = []
    var textOffset: [Int] = []

    private enum CodingKeys: String, CodingKey {
        case tokens, tokenLogprobs = "token_logprobs", topLogprobs = "top_logprobs", textOffset = "text_offset"
    }
}

/// `{token text: logprob}` in rank order (a token text that two ids share keeps its first).
struct RankedLogprobs: Encodable {
    var entries: [(text: String, logprob: Float)]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        var seen = Set<String>()
        for entry in entries where seen.insert(entry.text).inserted {
            try container.encode(entry.logprob, forKey: Key(stringValue: entry.text))
        }
    }
}

/// `logprobs` of a chat choice or chunk.
struct ChatLogprobs: Encodable {
    var content: [ChatTokenLogprob]

    private enum CodingKeys: String, CodingKey { case content, refusal }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(content, forKey: .content)
        try container.encodeNil(forKey: .refusal)
    }
}

struct ChatTokenLogprob: Encodable {
    var token: String
    var logprob: Float
    var bytes: [UInt8]
    var topLogprobs: [ChatTopLogprob]

    private enum CodingKeys: String, CodingKey { case token, logprob, bytes, topLogprobs = "top_logprobs" }
}

struct ChatTopLogprob: Encodable {
    var token: String
    var logprob: Float
    var bytes: [UInt8]
}

/// Builds both shapes from sampled tokens, with token texts from the model's tokenizer.
struct LogprobFormatter {
    /// JSON has no infinity; vLLM writes impossible tokens' `-inf` as this.
    static let floor: Float = -9999

    let model: any ServingModel

    private func text(_ id: Int) -> String { model.decode([id]) }

    private static func finite(_ logprob: Float) -> Float { logprob.isFinite ? logprob : floor }

    /// Completions logprobs; `textOffset` is where the first token starts in the choice's
    /// text (counted in Unicode scalars, as Python counts) and moves past the last.
    func completion(_ tokens: [SampledToken], textOffset: inout Int) -> CompletionLogprobs {
        var result = CompletionLogprobs()
        for token in tokens {
            let tokenText = text(token.id)
            result.tokens.append(tokenText)
            result.tokenLogprobs.append(Self.finite(token.logprob))
            result.topLogprobs.append(RankedLogprobs(entries: token.topLogprobs.map { (text($0.id), Self.finite($0.logprob)) }))
            result.textOffset.append(textOffset)
            textOffset += tokenText.unicodeScalars.count
        }
        return result
    }

    func chat(_ tokens: [SampledToken]) -> ChatLogprobs {
        ChatLogprobs(content: tokens.map { token in
            let tokenText = text(token.id)
            return ChatTokenLogprob(
                token: tokenText, logprob: Self.finite(token.logprob), bytes: Array(tokenText.utf8),
                topLogprobs: token.topLogprobs.map { top in
                    let topText = text(top.id)
                    return ChatTopLogprob(token: topText, logprob: Self.finite(top.logprob), bytes: Array(topText.utf8))
                })
        })
    }
}
