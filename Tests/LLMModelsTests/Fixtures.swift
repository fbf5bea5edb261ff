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
