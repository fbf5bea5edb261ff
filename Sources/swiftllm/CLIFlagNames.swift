import SwiftLLM

/// The command-line flag behind each engine option and sampling parameter, so that an
/// error says `--max-tokens`, not the field `maxTokens` the library checks.
enum CLIFlagNames {
    static let flags: [String: String] = [
        "maxBatchTokens": "--max-batch-tokens", "maxSequences": "--max-num-seqs", "blockSize": "--block-size",
        "kvCacheBytes": "--kv-cache-mib", "kvCacheMemoryFraction": "--kv-cache-fraction", "maxModelLength": "--max-model-length",
        "kvCacheDType": "--kv-cache-dtype", "maxTokens": "--max-tokens", "temperature": "--temperature", "topK": "--top-k",
        "topP": "--top-p", "minP": "--min-p", "repetitionPenalty": "--repetition-penalty", "presencePenalty": "--presence-penalty",
        "frequencyPenalty": "--frequency-penalty", "stop": "--stop", "stopTokenIDs": "--stop-token-id", "logprobs": "--logprobs",
    ]

    /// A rejected flag value, said in the flag's name.
    struct FlagError: Error, CustomStringConvertible {
        var description: String
    }

    /// `error` restated with its flag's name where it names an option that has a flag.
    static func restated(_ error: any Error) -> any Error {
        switch error {
        case let EngineError.invalidOption(field, expected, found):
            guard let flag = flags[field] else { return error }
            return FlagError(description: "\(flag): expected \(expected), found \(found)")
        case let error as SamplingError:
            guard let flag = flags[error.field] else { return error }
            switch error {
            // A flag is never absent, so "or nil" is no choice there.
            case let .valueOutOfRange(_, value, allowed):
                return FlagError(description: "\(flag) must be in \(allowed.replacingOccurrences(of: " or nil", with: "")), got \(value)")
            case let .tokenIDOutOfVocabulary(_, tokenID, vocabSize):
                return FlagError(description: "\(flag) \(tokenID) is outside the vocabulary [0, \(vocabSize))")
            case .emptyStopString:
                return FlagError(description: "\(flag) must not be empty")
            }
        default:
            return error
        }
    }
}
