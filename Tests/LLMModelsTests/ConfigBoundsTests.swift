import Foundation
import SwiftLLM
import Testing

/// Corrupt or absurd config values are typed errors naming the field, before anything is
/// sized from them (a layer count of 2^32 - 1 once aborted allocating per-layer state, a
/// vocabulary of 2^62 overflowed a size product with random weights).
@Suite("Config bounds")
struct ConfigBoundsTests {
    /// The qwen3 fixture's config.json with `changes` applied (nil removes a key).
    static func config(_ changes: [String: Any?]) throws -> Data {
        let url = Fixtures.models.appendingPathComponent("qwen3/config.json")
        var json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        for (key, value) in changes { json[key] = value }
        return try JSONSerialization.data(withJSONObject: json)
    }

    /// The field of the `invalidConfig` error that building a random-weight model throws.
    static func failingField(_ changes: [String: Any?]) throws -> String? {
        let backend = try CPUBackend(options: .init(threads: 1))
        do {
            _ = try ModelRegistry.build(configJSON: config(changes),
                                        weights: WeightLoader(source: nil, backend: backend, expectedCount: 1, progress: nil),
                                        limits: ForwardLimits(maxTokens: 8, maxLogitRows: 1))
            return nil
        } catch let ModelError.invalidConfig(field, _, _) {
            return field
        }
    }

    @Test("Out-of-range sizes name their field", arguments: [
        ("num_hidden_layers", 4_294_967_295), ("num_hidden_layers", 1025), ("vocab_size", 1 << 62),
        ("hidden_size", 1 << 40), ("intermediate_size", -3), ("num_attention_heads", 0),
        ("max_position_embeddings", 1 << 40),
    ] as [(String, Int)])
    func sizes(field: String, value: Int) throws {
        #expect(try Self.failingField([field: value]) == field)
    }

    @Test("rms_norm_eps must not be negative")
    func epsilon() throws {
        #expect(try Self.failingField(["rms_norm_eps": -1e-6]) == "rms_norm_eps")
        #expect(try Self.failingField(["rms_norm_eps": 0]) == nil)
    }

    @Test("Valid JSON of the wrong kind names the field, not the file")
    func wrongKinds() throws {
        #expect(try Self.failingField(["hidden_size": 64.5]) == "hidden_size")
        #expect(try Self.failingField(["num_hidden_layers": 1e30]) == "num_hidden_layers")
        #expect(try Self.failingField(["hidden_size": "wide"]) == "hidden_size")
        #expect(try Self.failingField(["hidden_size": nil]) == "hidden_size")
    }

    @Test("architectures must be a list")
    func architecturesList() throws {
        do {
            _ = try ModelRegistry.architecture(of: Self.config(["architectures": "Qwen3ForCausalLM"]))
            Issue.record("a string was accepted")
        } catch let ModelError.invalidConfig(field, expected, _) {
            #expect(field == "architectures" && expected == "a list naming the model class")
        }
        #expect(try ModelRegistry.architecture(of: Self.config([:])) == "Qwen3ForCausalLM")
        #expect(throws: ModelError.self) { try ModelRegistry.architecture(of: Data("[1, 2]".utf8)) }
    }
}

@Suite("Config bounds in a GGUF file")
struct GGUFConfigBoundsTests {
    @Test("An absurd size in a GGUF's metadata names the file and its key, not the converted config's field")
    func ggufKey() throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.smolLM2)))
        // The key's string, then its type (u32 = 4) and value: the layer count becomes 2^32 - 1.
        let key = Array("llama.block_count".utf8)
        let at = try #require((0...(bytes.count - key.count)).first { bytes[$0..<($0 + key.count)].elementsEqual(key) })
        let value = at + key.count + 4
        #expect(bytes[(at + key.count)..<value].elementsEqual([4, 0, 0, 0]))
        bytes.replaceSubrange(value..<(value + 4), with: [0xFF, 0xFF, 0xFF, 0xFF])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("swiftllm-layers-\(UUID().uuidString).gguf")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            _ = try LLM(model: file.path, options: LLMOptions(device: .cpu, cpu: .init(threads: 1), engine: EngineOptions(kvCacheBytes: 1 << 20)))
            Issue.record("a layer count of 2^32 - 1 was accepted")
        } catch let CheckpointError.malformed(path, field, expected, found) {
            #expect(path == file.path && field == "llama.block_count")
            #expect(expected == "an integer in 1...1024" && found == "4294967295")
        }
    }
}
