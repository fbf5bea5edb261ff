import Foundation
import LLMCheckpoint
import LLMTokenizer
import Testing

/// llama.cpp's vocabulary tests (`ggml-vocab-*.gguf.inp/.out`, made with the models' HF
/// tokenizers, no BOS).
@Suite struct VocabFileTests {
    @Test func gpt2GGUF() throws {
        let base = Assets.fixtures.appendingPathComponent("ggml-vocab-gpt-2.gguf")
        let tokenizer = try Tokenizer(ggufPath: base.path)
        let tests = try VocabTestCases(base: base)
        expectEncodings(tokenizer, tests.cases.map(\.text), tests.cases.map(\.ids), "gpt-2")
        #expect(tokenizer.vocabSize == 50257)
        #expect(tokenizer.bosTokenID == 50256)
        #expect(tokenizer.eosTokenIDs == [50256])
        // GPT-2 adds no BOS.
        #expect(tokenizer.encode("Hello") == tokenizer.encode("Hello", addSpecialTokens: false))
    }

    @Test func llamaBPEWithLlama3TokenizerJSON() throws {
        guard let tokenizer = Assets.require(Assets.llama3IgnoreMerges, "Llama 3.2 (ignore_merges)") else { return }
        let tests = try VocabTestCases(base: Assets.fixtures.appendingPathComponent("ggml-vocab-llama-bpe.gguf"))
        expectEncodings(tokenizer, tests.cases.map(\.text), tests.cases.map(\.ids), "llama-bpe")
    }

    @Test func qwen2WithQwenTokenizerJSON() throws {
        guard let tokenizer = Assets.require(Assets.qwen3, "Qwen3") else { return }
        let tests = try VocabTestCases(base: Assets.fixtures.appendingPathComponent("ggml-vocab-qwen2.gguf"))
        expectEncodings(tokenizer, tests.cases.map(\.text), tests.cases.map(\.ids), "qwen2")
    }

    static let sharedBPEVocabularies = ["starcoder", "falcon"]

    /// Other byte-level BPE presets, from `shared/vocab` when it is beside the repository.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: Assets.sharedVocab.path)),
          arguments: sharedBPEVocabularies)
    func sharedGGUF(name: String) throws {
        let base = Assets.sharedVocab.appendingPathComponent("ggml-vocab-\(name).gguf")
        let tokenizer = try Tokenizer(ggufPath: base.path)
        let tests = try VocabTestCases(base: base)
        expectEncodings(tokenizer, tests.cases.map(\.text), tests.cases.map(\.ids), name)
    }

    /// Vocabularies that are not byte-level BPE (or whose pre-tokenizer is not implemented)
    /// are rejected with an error naming the GGUF key.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: Assets.sharedVocab.path)),
          arguments: [("llama-spm", "tokenizer.ggml.model"), ("deepseek-llm", "tokenizer.ggml.pre")])
    func unsupportedSharedGGUF(name: String, key: String) throws {
        let path = Assets.sharedVocab.appendingPathComponent("ggml-vocab-\(name).gguf").path
        do {
            _ = try Tokenizer(ggufPath: path)
            Issue.record("\(name) should not load")
        } catch {
            guard case .unsupportedComponent(let file, let field, _, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(file == path)
            #expect(field == key)
        }
    }
}
