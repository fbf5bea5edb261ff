import Foundation
import LLMCheckpoint
import LLMTokenizer
import Testing

/// llama.cpp's vocabulary tests (`ggml-vocab-*.gguf.inp/.out`, made with the models' HF
/// tokenizers, no BOS): every pair passes, through the GGUF vocabulary (committed in
/// `Tests/Fixtures/tokenizer`, or in `shared/vocab` beside the repository for the larger
/// ones) or, for llama-bpe and qwen2 which have no GGUF here, through the tokenizer.json.
@Suite struct VocabFileTests {
    /// Vocabularies whose GGUF file is committed with the fixtures.
    static let committed = ["gpt-2", "starcoder", "deepseek-coder", "llama-spm", "phi-3"]
    /// Vocabularies read from `shared/vocab` (too large to commit).
    static let shared = ["falcon", "deepseek-llm"]

    static func ggufPath(_ name: String) -> String {
        let file = "ggml-vocab-\(name).gguf"
        let local = Assets.fixtures.appendingPathComponent(file)
        if FileManager.default.fileExists(atPath: local.path) { return local.path }
        return Assets.sharedVocab.appendingPathComponent(file).path
    }

    static func cases(_ name: String) throws -> VocabTestCases {
        try VocabTestCases(base: Assets.fixtures.appendingPathComponent("ggml-vocab-\(name).gguf"))
    }

    @Test(arguments: committed + shared)
    func ggufMatchesReference(name: String) throws {
        let path = Self.ggufPath(name)
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("\(path) is missing (shared/vocab must be beside the repository)")
            return
        }
        let tokenizer = try Tokenizer(ggufPath: path)
        let tests = try Self.cases(name)
        expectEncodings(tokenizer, tests.cases.map(\.text), tests.cases.map(\.ids), name)
        for (text, ids) in tests.cases where !ids.isEmpty {
            // Round trip: the reference ids decode to the text (SentencePiece drops the
            // prefix space it added; llama.cpp's SPM path adds it to any text).
            #expect(Array(tokenizer.decode(ids).unicodeScalars) == Array(text.unicodeScalars), "\(name): \(text.debugDescription)")
        }
    }

    @Test func gpt2Properties() throws {
        let tokenizer = try Tokenizer(ggufPath: Self.ggufPath("gpt-2"))
        #expect(tokenizer.vocabSize == 50257)
        #expect(tokenizer.bosTokenID == 50256)
        #expect(tokenizer.eosTokenIDs == [50256])
        // GPT-2 adds no BOS.
        #expect(tokenizer.encode("Hello") == tokenizer.encode("Hello", addSpecialTokens: false))
    }

    @Test func llamaSPMProperties() throws {
        let tokenizer = try Tokenizer(ggufPath: Self.ggufPath("llama-spm"))
        #expect(tokenizer.vocabSize == 32000)
        #expect(tokenizer.bosTokenID == 1)
        #expect(tokenizer.eosTokenIDs == [2])
        #expect(tokenizer.encode("Hello world") == [1, 15043, 3186])
        #expect(tokenizer.encode("Hello world", addSpecialTokens: false) == [15043, 3186])
        #expect(tokenizer.tokenString(15043) == "\u{2581}Hello")
        // A space prefix goes before text that follows a special token, as in llama.cpp.
        #expect(tokenizer.encode("<s>Hello", addSpecialTokens: false) == [1, 15043])
        #expect(tokenizer.encode("<s>Hello", addSpecialTokens: false, parseSpecialTokens: false).first != 1)
        // Characters outside the vocabulary become byte tokens, and decode back.
        let ids = tokenizer.encode("🦙", addSpecialTokens: false)
        #expect(ids == [29871, 243, 162, 169, 156])  // "▁", then the four bytes
        #expect(tokenizer.decode(ids) == "🦙")
        #expect(tokenizer.decode([1, 15043, 3186], skipSpecialTokens: true) == "Hello world")
        #expect(tokenizer.decode([1, 15043, 3186]) == "<s> Hello world")
        // Byte tokens that are not valid UTF-8 decode as llama.cpp does (one U+FFFD for the
        // incomplete character; HF's ByteFallback would give one per token).
        #expect(tokenizer.decode([243, 162, 15043]) == "\u{FFFD} Hello")
    }

    @Test func phi3SpecialTokensStripFollowingSpace() throws {
        let tokenizer = try Tokenizer(ggufPath: Self.ggufPath("phi-3"))
        let end = try #require(tokenizer.id(forToken: "<|end|>"))
        #expect(tokenizer.eosTokenIDs.contains(end))
        let ids = tokenizer.encode("<|user|>\n Hi<|end|>\n", addSpecialTokens: false)
        let user = try #require(tokenizer.id(forToken: "<|user|>"))
        #expect(ids == [user] + tokenizer.encode("Hi", addSpecialTokens: false) + [end])
    }

    @Test func llamaBPEWithLlama3TokenizerJSON() throws {
        guard let tokenizer = Assets.require(Assets.llama3IgnoreMerges, "Llama 3.2 (ignore_merges)") else { return }
        let tests = try Self.cases("llama-bpe")
        expectEncodings(tokenizer, tests.cases.map(\.text), tests.cases.map(\.ids), "llama-bpe")
    }

    @Test func qwen2WithQwenTokenizerJSON() throws {
        guard let tokenizer = Assets.require(Assets.qwen3, "Qwen3") else { return }
        let tests = try Self.cases("qwen2")
        expectEncodings(tokenizer, tests.cases.map(\.text), tests.cases.map(\.ids), "qwen2")
    }
}
