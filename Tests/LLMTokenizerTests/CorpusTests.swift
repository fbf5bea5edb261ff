import Foundation
import LLMTokenizer
import Testing

/// Every corpus string encodes exactly as the reference tokenizer of each family does (HF
/// tokenizers for tokenizer.json files, llama.cpp for GGUF vocabularies), and the reference
/// ids decode to the reference text (HF's decode, llama.cpp's detokenizer), also when
/// streamed token by token.
@Suite struct CorpusTests {
    let corpus = Corpus.shared

    @Test func corpusIsVaried() {
        #expect(corpus.strings.count >= 500)
        #expect(corpus.strings.contains(""))
    }

    @Test(arguments: Assets.families.map(\.name))
    func encodeMatchesReference(name: String) throws {
        guard let tokenizer = Assets.require(Assets.family(name), name) else { return }
        let family = try Corpus.family(name)
        expectEncodings(tokenizer, corpus.strings, family.ids, name)
    }

    @Test(arguments: Assets.families.map(\.name))
    func decodeMatchesReference(name: String) throws {
        guard let tokenizer = Assets.require(Assets.family(name), name) else { return }
        let family = try Corpus.family(name)
        var mismatches = 0
        for (index, ids) in family.ids.enumerated() {
            let decoded = tokenizer.decode(ids)
            if Array(decoded.unicodeScalars) != Array(family.decodedText(index).unicodeScalars) {
                mismatches += 1
                if mismatches <= 5 {
                    Issue.record("\(name): \(ids) decodes to \(decoded.debugDescription), expected \(family.decodedText(index).debugDescription)")
                }
            }
            // Streaming gives the same text.
            var stream = StreamingDetokenizer(tokenizer: tokenizer)
            let streamed = ids.map { stream.append($0) }.joined() + stream.flush()
            if streamed != decoded { Issue.record("\(name): streaming \(streamed.debugDescription) != \(decoded.debugDescription)") }
        }
        #expect(mismatches == 0, "\(name): \(mismatches) decodings differ")
    }

    /// transformers' conversion of llama-spm saved as a tokenizer.json (Metaspace, byte
    /// fallback, Llama's decoder chain) with HF's ids, made by make_tokenizer_fixtures.py;
    /// committed compressed and unpacked into the cache by Scripts/fetch_models.sh.
    @Test func sentencePieceTokenizerJSONMatchesHuggingFace() throws {
        let folder = Assets.modelCache.appendingPathComponent("llama-spm-hf")
        let tokenizer = try Tokenizer(tokenizerJSONPath: folder.appendingPathComponent("tokenizer.json").path)
        let family = try Corpus.family(at: folder.appendingPathComponent("ids.json"))
        expectEncodings(tokenizer, corpus.strings, family.ids, "llama-spm tokenizer.json")
        for (index, ids) in family.ids.enumerated() {
            #expect(Array(tokenizer.decode(ids).unicodeScalars) == Array(family.decodedText(index).unicodeScalars), "\(ids)")
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
