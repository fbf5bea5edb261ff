import Foundation
import LLMCheckpoint
import Testing

@Suite struct ModelCheckpointTests {
    @Test func ggufFile() throws {
        let checkpoint = try ModelCheckpoint.open(path: Fixture.path("llama_permuted.gguf"))
        #expect(checkpoint.format == .gguf)
        #expect(checkpoint.gguf?.architecture == "llama")
        #expect(checkpoint.directory == nil)
        #expect(checkpoint.weights is GGUFWeightSource)
        #expect(checkpoint.weights.contains("model.layers.0.self_attn.q_proj.weight"))
        #expect(checkpoint.generationConfig == GenerationConfig(bosTokenID: 1, eosTokenIDs: [2]))
        let config = try #require(try JSONSerialization.jsonObject(with: checkpoint.configJSON) as? [String: Any])
        #expect(config["model_type"] as? String == "llama")
    }

    @Test func huggingFaceFolder() throws {
        let directory = Fixture.path("st_single")
        let checkpoint = try ModelCheckpoint.open(path: directory)
        #expect(checkpoint.format == .safetensors)
        #expect(checkpoint.directory == directory)
        #expect(checkpoint.gguf == nil)
        #expect(checkpoint.weights.contains("a.f32"))
        #expect(checkpoint.generationConfig?.eosTokenIDs == [2, 7])
        #expect(checkpoint.configJSON == (try Data(contentsOf: URL(fileURLWithPath: directory + "/config.json"))))
        let sharded = try ModelCheckpoint.open(path: Fixture.path("st_sharded"))
        #expect(sharded.generationConfig == nil)
        #expect(sharded.weights.tensorNames.count == 4)
    }

    @Test func pathMissing() {
        let path = Fixture.path("does-not-exist")
        #expect(throws: CheckpointError.io(path: path, reason: "no such file or folder")) { try ModelCheckpoint.open(path: path) }
    }

    @Test func folderWithoutConfig() {
        let error = #expect(throws: CheckpointError.self) { try ModelCheckpoint.open(path: Fixture.directory) }
        guard case let .missingFile(path, expected) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(path == Fixture.directory + "/config.json")
        #expect(expected.contains(".gguf"))  // suggests passing one of the GGUF files
    }

    @Test func folderWithoutSafetensors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("{}".utf8).write(to: directory.appendingPathComponent("config.json"))
        let error = #expect(throws: CheckpointError.self) { try ModelCheckpoint.open(path: directory.path) }
        guard case let .missingFile(path, _) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(path == directory.path + "/model.safetensors")
    }

    @Test func unknownExtension() {
        let path = Fixture.path("all_types.expected.json")
        let error = #expect(throws: CheckpointError.self) { try ModelCheckpoint.open(path: path) }
        guard case let .unsupported(file, field, value) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(file == path)
        #expect(field == "file extension")
        #expect(value.hasPrefix(".json"))
    }

    @Test func mappedFileErrors() {
        #expect(throws: CheckpointError.io(path: Fixture.directory, reason: "is a directory, expected a file")) {
            try MappedFile(path: Fixture.directory)
        }
        let error = #expect(throws: CheckpointError.self) { try MappedFile(path: "/nonexistent/x.gguf") }
        #expect(error?.description == "/nonexistent/x.gguf: No such file or directory")
    }
}
