import SwiftLLM

/// Triton generate answers: `{"model_name", "model_version", "text_output"}`, with
/// TensorRT-LLM's `output_log_probs` and `cum_log_probs` when asked for. Streams send the
/// new text of each step and end without a sentinel.
struct TritonFormat: CompletionFormat {
    var modelName: String
    var id: String?
    var outputPrefix: String
    var returnLogprobs: Bool

    func openingChunks(choiceCount: Int) -> [any Encodable] { [] }

    func chunk(for event: ChoiceStep) -> any Encodable {
        output(event.step.text, tokens: event.step.tokens)
    }

    func closingChunks(usage: Usage) -> [any Encodable] { [] }

    func response(_ results: [ChoiceResult], usage: Usage) -> any Encodable {
        output(outputPrefix + (results.first?.text ?? ""), tokens: results.first?.tokens ?? [])
    }

    func errorChunk(_ error: APIError) -> any Encodable { TritonErrorBody(error: error.message) }

    var endsWithDone: Bool { false }

    private func output(_ text: String, tokens: [SampledToken]) -> TritonOutput {
        let logprobs = returnLogprobs ? tokens.map { $0.logprob.isFinite ? $0.logprob : LogprobFormatter.floor } : nil
        return TritonOutput(id: id, modelName: modelName, textOutput: text, outputLogprobs: logprobs,
                            cumulativeLogprob: logprobs.map { $0.reduce(0, +) })
    }
}

struct TritonOutput: Encodable {
    var id: String?
    var modelName: String
    var modelVersion = "1"
    var textOutput: String
    var outputLogprobs: [Float]?
    var cumulativeLogprob: Float?

    private enum CodingKeys: String, CodingKey {
        case id, modelName = "model_name", modelVersion = "model_version", textOutput = "text_output",
             outputLogprobs = "output_log_probs", cumulativeLogprob = "cum_log_probs"
    }
}
