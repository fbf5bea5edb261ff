/// The fields completions and chat requests share beside sampling: the model asked for,
/// how many choices, and whether the answer streams.
struct DeliveryOptions {
    /// The served name responses carry.
    var model: String
    var choices: Int
    var stream: Bool
    /// `stream_options.include_usage`: a last chunk with the token counts.
    var includeUsage: Bool

    static let keys: Set<String> = ["model", "n", "stream", "stream_options", "user"]

    static func read(_ fields: RequestFields, configuration: ServerConfiguration) throws(APIError) -> DeliveryOptions {
        let model = try configuration.servedModel(try fields.string("model"))
        let choices = try fields.int("n") ?? 1
        guard (1...configuration.maxChoices).contains(choices) else {
            throw .invalidRequest("'n' must be in [1, \(configuration.maxChoices)], got \(choices)", param: "n")
        }
        _ = try fields.string("user")
        let stream = try fields.bool("stream") ?? false
        var includeUsage = false
        if let options = try fields.object("stream_options") {
            guard stream else {
                throw .invalidRequest("'stream_options' is only allowed when 'stream' is true", param: "stream_options")
            }
            try options.checkKeys(known: ["include_usage"], unsupported: ["continuous_usage_stats"])
            includeUsage = try options.bool("include_usage") ?? false
        }
        return DeliveryOptions(model: model, choices: choices, stream: stream, includeUsage: includeUsage)
    }
}
