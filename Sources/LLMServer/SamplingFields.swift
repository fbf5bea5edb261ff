import SwiftLLM

/// The sampling fields completions and chat requests share (OpenAI's and vLLM's extra
/// ones), read into `SamplingParams` and checked against the model before anything runs.
enum SamplingFields {
    /// Keys read by `params(from:)`.
    static let keys: Set<String> = [
        "temperature", "top_p", "top_k", "min_p", "repetition_penalty", "presence_penalty", "frequency_penalty", "seed",
        "stop", "stop_token_ids", "ignore_eos", "min_tokens", "include_stop_str_in_output", "logit_bias",
    ]

    /// OpenAI allows biases in this range.
    static let logitBiasRange: ClosedRange<Float> = -100...100

    /// Sampling settings from a request; `maxTokens` and `logprobs` are set by the endpoint.
    static func params(from fields: RequestFields) throws(APIError) -> SamplingParams {
        var params = SamplingParams()
        if let value = try fields.float("temperature") { params.temperature = value }
        if let value = try fields.float("top_p") { params.topP = value }
        if let value = try fields.int("top_k") { params.topK = value }
        if let value = try fields.float("min_p") { params.minP = value }
        if let value = try fields.float("repetition_penalty") { params.repetitionPenalty = value }
        if let value = try fields.float("presence_penalty") { params.presencePenalty = value }
        if let value = try fields.float("frequency_penalty") { params.frequencyPenalty = value }
        params.seed = try fields.int("seed")
        if let value = try fields.strings("stop") { params.stop = value }
        if let value = try fields.integers("stop_token_ids") { params.stopTokenIDs = value }
        if let value = try fields.bool("ignore_eos") { params.ignoreEOS = value }
        if let value = try fields.int("min_tokens") { params.minTokens = value }
        if let value = try fields.bool("include_stop_str_in_output") { params.includeStopStringInOutput = value }
        if let bias = try fields.object("logit_bias") { params.logitBias = try logitBias(bias) }
        return params
    }

    /// OpenAI's `{"token id": bias}`.
    static func logitBias(_ fields: RequestFields) throws(APIError) -> [Int: Float] {
        var bias = [Int: Float]()
        for key in fields.object.keys {
            guard let id = Int(key) else {
                throw .invalidRequest("'logit_bias' keys must be token ids, got '\(key)'", param: "logit_bias")
            }
            guard let value = try fields.float(key) else { continue }
            guard logitBiasRange.contains(value) else {
                throw .invalidRequest("'logit_bias' values must be in [-100, 100], got \(value) for token \(id)", param: "logit_bias")
            }
            bias[id] = value
        }
        return bias
    }

    /// Checks `params` for a model; errors name the request field (`top_p`, not `topP`).
    /// - Parameter logprobsField: the field that set `params.logprobs` (`logprobs` or `top_logprobs`).
    static func validate(_ params: SamplingParams, vocabularySize: Int, logprobsField: String) throws(APIError) {
        do {
            try params.validate(vocabSize: vocabularySize)
        } catch {
            let field = apiName(error.field, logprobsField: logprobsField)
            switch error {
            case let .valueOutOfRange(_, value, allowed):
                throw .invalidRequest("'\(field)' must be in \(allowed), got \(value)", param: field)
            case let .tokenIDOutOfVocabulary(_, tokenID, vocabSize):
                throw .invalidRequest("'\(field)' contains token id \(tokenID), outside the vocabulary [0, \(vocabSize))", param: field)
            case let .emptyStopString(index):
                throw .invalidRequest("'stop[\(index)]' must be a non-empty string", param: "stop")
            }
        }
    }

    /// The request field behind a `SamplingParams` property.
    static func apiName(_ property: String, logprobsField: String) -> String {
        switch property {
        case "topK": return "top_k"
        case "topP": return "top_p"
        case "minP": return "min_p"
        case "repetitionPenalty": return "repetition_penalty"
        case "presencePenalty": return "presence_penalty"
        case "frequencyPenalty": return "frequency_penalty"
        case "maxTokens": return "max_tokens"
        case "minTokens": return "min_tokens"
        case "stopTokenIDs": return "stop_token_ids"
        case "logitBias": return "logit_bias"
        case "logprobs": return logprobsField
        default: return property
        }
    }
}
