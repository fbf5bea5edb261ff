import Foundation
import SwiftLLM

/// Paths of the committed fixtures and of the model cache that `make test` fills.
enum Fixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let models = packageRoot.appendingPathComponent("Tests/Fixtures/models")

    static var modelCache: URL {
        if let env = ProcessInfo.processInfo.environment["SWIFTLLM_MODEL_CACHE"] { return URL(fileURLWithPath: env) }
        return packageRoot.appendingPathComponent(".cache/models")
    }

    static var smolLM2: String { modelCache.appendingPathComponent("SmolLM2-135M-Instruct.Q4_1.gguf").path }

    static func floats(_ url: URL) throws -> [Float] {
        let data = try Data(contentsOf: url)
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}

/// The tests' model harness: `SequenceProbe` with small blocks so paging is exercised.
typealias ModelHarness = SequenceProbe

extension SequenceProbe {
    convenience init(path: String, backend: any Backend, maxTokens: Int = 64) throws {
        try self.init(path: path, backend: backend, contextTokens: 128, maxChunk: maxTokens, blockSize: 4)
    }

    func greedy(_ prompt: [Int], count: Int) throws -> [Int] { try greedy(prompt, steps: count).tokens }
}

extension Array where Element == Float {
    var argmax: Int { indices.max { self[$0] < self[$1] || (self[$0] == self[$1] && $0 > $1) }! }
}

/// Engine tests run tiny random-weight models (vocabulary 256) with SmolLM2's tokenizer,
/// whose first 256 ids are as good as any for detokenizing.
enum TinyEngine {
    /// An engine over the `name` fixture on two CPU threads. `maxPositions` gives the
    /// model a longer context (same weights, a copy of the config) for long prompts.
    static func llm(_ name: String = "llama-llama3", engine: EngineOptions, maxPositions: Int? = nil, exact: Bool = false) throws -> LLM {
        var folder = Fixtures.models.appendingPathComponent(name)
        if let maxPositions { folder = try longContextCopy(of: folder, maxPositions: maxPositions) }
        return try LLM(model: folder.path, options: LLMOptions(device: .cpu, cpu: .init(threads: 2, exactMatmul: exact), engine: engine,
                                                              tokenizerPath: Fixtures.smolLM2))
    }

    /// Deterministic prompts of in-vocabulary ids, of varied lengths.
    static func prompts(_ count: Int, lengths: ClosedRange<Int>, seed: UInt64) -> [[Int]] {
        var rng = SplitMix64(state: seed)
        return (0..<count).map { _ in
            let length = lengths.lowerBound + Int(rng.next() % UInt64(lengths.count))
            return (0..<length).map { _ in Int(rng.next() % 256) }
        }
    }

    /// A folder with the fixture's weights and a config allowing `maxPositions`, made
    /// once per process: built under a private name, then renamed into place, so tests
    /// running in parallel never see it half written.
    private static func longContextCopy(of folder: URL, maxPositions: Int) throws -> URL {
        let fm = FileManager.default
        let copy = fm.temporaryDirectory.appendingPathComponent("swiftllm-\(folder.lastPathComponent)-\(maxPositions)-\(getpid())")
        if fm.fileExists(atPath: copy.appendingPathComponent("config.json").path) { return copy }
        let staging = fm.temporaryDirectory.appendingPathComponent("swiftllm-staging-\(UUID().uuidString)")
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("config.json"))) as! [String: Any]
        config["max_position_embeddings"] = maxPositions
        try JSONSerialization.data(withJSONObject: config).write(to: staging.appendingPathComponent("config.json"))
        try fm.createSymbolicLink(at: staging.appendingPathComponent("model.safetensors"), withDestinationURL: folder.appendingPathComponent("model.safetensors"))
        if rename(staging.path, copy.path) != 0 { try? fm.removeItem(at: staging) }
        return copy
    }
}
