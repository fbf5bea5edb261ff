import Foundation

/// The parts of an HF `generation_config.json` the engine uses. Unknown keys are
/// ignored, `null` reads as absent, and `eos_token_id` may be one id or a list.
public struct GenerationConfig: Decodable, Sendable, Equatable {
    /// `bos_token_id`.
    public var bosTokenID: Int?
    /// End-of-sequence ids (empty when absent).
    public var eosTokenIDs: [Int]
    /// `pad_token_id`.
    public var padTokenID: Int?
    /// `do_sample`: false means greedy decoding.
    public var doSample: Bool?
    /// `temperature`.
    public var temperature: Double?
    /// `top_p`.
    public var topP: Double?
    /// `top_k`.
    public var topK: Int?
    /// `repetition_penalty`.
    public var repetitionPenalty: Double?
    /// `max_new_tokens`.
    public var maxNewTokens: Int?
    /// `max_length` (prompt plus generated tokens).
    public var maxLength: Int?

    /// A config with the given values; everything else absent.
    public init(
        bosTokenID: Int? = nil, eosTokenIDs: [Int] = [], padTokenID: Int? = nil, doSample: Bool? = nil,
        temperature: Double? = nil, topP: Double? = nil, topK: Int? = nil, repetitionPenalty: Double? = nil,
        maxNewTokens: Int? = nil, maxLength: Int? = nil
    ) {
        self.bosTokenID = bosTokenID
        self.eosTokenIDs = eosTokenIDs
        self.padTokenID = padTokenID
        self.doSample = doSample
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.repetitionPenalty = repetitionPenalty
        self.maxNewTokens = maxNewTokens
        self.maxLength = maxLength
    }

    private enum CodingKeys: String, CodingKey {
        case bosTokenID = "bos_token_id"
        case eosTokenID = "eos_token_id"
        case padTokenID = "pad_token_id"
        case doSample = "do_sample"
        case temperature
        case topP = "top_p"
        case topK = "top_k"
        case repetitionPenalty = "repetition_penalty"
        case maxNewTokens = "max_new_tokens"
        case maxLength = "max_length"
    }

    /// Decodes the JSON object; see the type's notes on tolerance.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bosTokenID = try Self.int(c, .bosTokenID)
        padTokenID = try Self.int(c, .padTokenID)
        doSample = try c.decodeIfPresent(Bool.self, forKey: .doSample)
        temperature = try c.decodeIfPresent(Double.self, forKey: .temperature)
        topP = try c.decodeIfPresent(Double.self, forKey: .topP)
        topK = try Self.int(c, .topK)
        repetitionPenalty = try c.decodeIfPresent(Double.self, forKey: .repetitionPenalty)
        maxNewTokens = try Self.int(c, .maxNewTokens)
        maxLength = try Self.int(c, .maxLength)
        if let one = try? c.decodeIfPresent(Int.self, forKey: .eosTokenID) {
            eosTokenIDs = [one]
        } else {
            eosTokenIDs = try c.decodeIfPresent([Int].self, forKey: .eosTokenID) ?? []
        }
    }

    /// An integer that may be written as `2` or `2.0`.
    private static func int(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int? {
        if let value = try? c.decodeIfPresent(Int.self, forKey: key) { return value }
        guard let double = try c.decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard let value = Int(exactly: double) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "expected an integer, found \(double)")
        }
        return value
    }

    /// Decodes `generation_config.json` bytes; `path` is used in errors.
    public init(jsonData: Data, path: String = "generation_config.json") throws {
        do {
            self = try JSONDecoder().decode(GenerationConfig.self, from: jsonData)
        } catch let error as DecodingError {
            throw CheckpointError.malformed(
                file: path, field: Self.describe(error), expected: "a generation config JSON object", found: "\(error)")
        }
    }

    /// Reads and decodes the `generation_config.json` at `path`.
    public static func load(path: String) throws -> GenerationConfig {
        try GenerationConfig(jsonData: FileSystem.read(path), path: path)
    }

    private static func describe(_ error: DecodingError) -> String {
        let context: DecodingError.Context
        switch error {
        case let .typeMismatch(_, c), let .valueNotFound(_, c), let .keyNotFound(_, c), let .dataCorrupted(c): context = c
        @unknown default: return "JSON"
        }
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        return path.isEmpty ? "JSON" : "'\(path)'"
    }
}
