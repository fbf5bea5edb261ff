import Foundation
import LLMCheckpoint
import LLMRuntime

/// Architecture names (HF `architectures[0]`) and how to build each. Adding an
/// architecture is one file plus one line here.
public enum ModelRegistry {
    public typealias Factory = (_ configJSON: Data, _ weights: WeightLoader, _ limits: ForwardLimits) throws -> any CausalLM

    static let llama: Factory = { json, weights, limits in
        try Llama(config: decodeConfig(LlamaConfig.self, from: json), weights: weights, limits: limits)
    }

    static let gemma: Factory = { json, weights, limits in
        try Gemma(config: decodeConfig(GemmaConfig.self, from: json), weights: weights, limits: limits)
    }

    static let phi3: Factory = { json, weights, limits in
        try Phi3.model(config: decodeConfig(Phi3.Config.self, from: json), weights: weights, limits: limits)
    }

    public static let architectures: [String: Factory] = [
        "LlamaForCausalLM": llama,
        "MistralForCausalLM": llama,
        "Qwen2ForCausalLM": llama,
        "Qwen3ForCausalLM": llama,
        "MixtralForCausalLM": { json, weights, limits in try Mixtral.build(config: decodeConfig(MixtralConfig.self, from: json), weights: weights, limits: limits) },
        "Qwen3MoeForCausalLM": { json, weights, limits in try Qwen3Moe.build(config: decodeConfig(Qwen3MoeConfig.self, from: json), weights: weights, limits: limits) },
        "Gemma2ForCausalLM": gemma,
        "Gemma3ForCausalLM": gemma,
        "Phi3ForCausalLM": phi3,
    ]

    /// The architecture names that load, sorted (what `swiftllm info` lists).
    public static var supportedArchitectures: [String] { architectures.keys.sorted() }

    /// The architecture named by a config.json.
    public static func architecture(of configJSON: Data) throws -> String {
        struct Head: Decodable { var architectures: [String]? }
        let head: Head
        do { head = try decodeConfig(Head.self, from: configJSON) } catch ModelError.invalidConfig(field: "architectures", expected: _, found: let found) {
            throw ModelError.invalidConfig(field: "architectures", expected: "a list naming the model class", found: found)
        }
        guard let name = head.architectures?.first else {
            throw ModelError.invalidConfig(field: "architectures", expected: "a list naming the model class", found: "nothing")
        }
        return name
    }

    public static func build(configJSON: Data, weights: WeightLoader, limits: ForwardLimits) throws -> any CausalLM {
        let name = try architecture(of: configJSON)
        guard let factory = architectures[name] else {
            throw ModelError.unsupportedArchitecture(name, supported: supportedArchitectures)
        }
        return try factory(configJSON, weights, limits)
    }

    static func decodeConfig<T: Decodable>(_ type: T.Type, from json: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: json)
        } catch let error as ModelError {
            throw error
        } catch let DecodingError.typeMismatch(type, context), let DecodingError.valueNotFound(type, context) {
            let field = fieldPath(context)
            throw ModelError.invalidConfig(field: field, expected: field == "config.json" ? "a JSON object" : "a value of type \(type)",
                                           found: context.debugDescription)
        } catch where (try? JSONSerialization.jsonObject(with: json)) != nil {
            // Valid JSON with a number its field's type cannot hold (64.5 or 1e30 for an
            // integer, 1e39 for a Float); Linux's decoder does not say which field.
            throw ModelError.invalidConfig(field: "config.json", expected: "numbers that fit their fields (whole numbers for counts and sizes)",
                                           found: "\(error)")
        } catch {
            throw ModelError.invalidConfig(field: "config.json", expected: "valid JSON", found: "\(error)")
        }
    }

    /// A decoding error's field as a dotted path ("rope_scaling.factor"); the whole file
    /// when the top level is wrong.
    private static func fieldPath(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        return path.isEmpty ? "config.json" : path
    }
}
