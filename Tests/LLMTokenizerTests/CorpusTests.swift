import Foundation
import LLMTokenizer
import Testing

/// Every corpus string encodes exactly as the reference tokenizer does, and decodes back.
@Suite struct CorpusTests {
    let corpus = Corpus.shared

    @Test func corpusIsVaried() {
        #expect(corpus.strings.count >= 500)
        #expect(corpus.strings.contains(""))
    }

    @Test func llama3MatchesHuggingFace() throws {
        guard let tokenizer = Assets.require(Assets.llama3, "Llama 3.2") else { return }
        expectEncodings(tokenizer, corpus.strings, corpus.llama3.ids, "llama3")
    }

    @Test func qwen3MatchesHuggingFace() throws {
        guard let tokenizer = Assets.require(Assets.qwen3, "Qwen3") else { return }
        expectEncodings(tokenizer, corpus.strings, corpus.qwen3.ids, "qwen3")
    }

    @Test func smolLM2MatchesLlamaCpp() throws {
        guard let tokenizer = Assets.require(Assets.smolLM2, "SmolLM2 GGUF") else { return }
        expectEncodings(tokenizer, corpus.strings, corpus.smollm2.ids, "smollm2")
    }

    @Test(arguments: ["llama3", "qwen3", "smollm2"])
    func decodeInvertsEncode(name: String) throws {
        let result = name == "llama3" ? Assets.llama3 : name == "qwen3" ? Assets.qwen3 : Assets.smolLM2
        guard let tokenizer = Assets.require(result, name) else { return }
        for text in corpus.strings where isRepresentable(text, tokenizer) {
            // Qwen normalizes to NFC, so compare with the NFC form there.
            let expected = name == "qwen3" ? text.precomposedStringWithCanonicalMapping : text
            let decoded = tokenizer.decode(tokenizer.encode(text, addSpecialTokens: false))
            #expect(Array(decoded.unicodeScalars) == Array(expected.unicodeScalars), "\(name): \(text.debugDescription)")
        }
    }

    /// Whether every scalar of `text` survives encoding on its own (SmolLM2's vocabulary has
    /// no token for the byte 0x1D, which llama.cpp drops as well).
    private func isRepresentable(_ text: String, _ tokenizer: Tokenizer) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            let single = String(Character(scalar))
            return tokenizer.decode(tokenizer.encode(single, addSpecialTokens: false)) == single
        }
    }

    @Test func llama3DecodeMatchesHuggingFace() throws {
        guard let tokenizer = Assets.require(Assets.llama3, "Llama 3.2") else { return }
        for item in corpus.llama3_decode {
            #expect(Array(tokenizer.decode(item.ids).unicodeScalars) == Array(item.text.unicodeScalars), "\(item.ids)")
            #expect(
                Array(tokenizer.decode(item.ids, skipSpecialTokens: true).unicodeScalars)
                    == Array(item.skipped.unicodeScalars), "\(item.ids)")
        }
    }
}
