import Foundation
import LLMTokenizer
import Testing

/// Public properties and special-token handling of the real tokenizers.
@Suite struct TokenizerAPITests {
    @Test func llama3() throws {
        guard let tokenizer = Assets.require(Assets.llama3, "Llama 3.2") else { return }
        #expect(tokenizer.vocabSize == 128_257)  // this file adds <|image|> as 128256, as HF counts
        #expect(tokenizer.bosTokenID == 128_000)
        #expect(tokenizer.eosTokenIDs.isSuperset(of: [128_001, 128_008, 128_009]))
        #expect(tokenizer.encode("hello") == [128_000, 15339])
        #expect(tokenizer.encode("hello", addSpecialTokens: false) == [15339])
        #expect(tokenizer.encode("") == [128_000])
        #expect(tokenizer.encode("<|eot_id|>hi") == [128_000, 128_009, 6151])
        #expect(!tokenizer.encode("<|eot_id|>", parseSpecialTokens: false).contains(128_009))
        #expect(tokenizer.tokenString(15339) == "hello")
        #expect(tokenizer.tokenString(220) == "Ġ")
        #expect(tokenizer.tokenString(-1) == nil)
        #expect(tokenizer.tokenString(200_000) == nil)
        #expect(tokenizer.id(forToken: "<|eot_id|>") == 128_009)
        #expect(tokenizer.id(forToken: "Ġworld") == 1917)
        #expect(tokenizer.id(forToken: "no such token") == nil)
        #expect(tokenizer.isSpecial(128_000))
        #expect(!tokenizer.isSpecial(15339))
        #expect(tokenizer.decode([128_000, 15339, 1917]) == "<|begin_of_text|>hello world")
        #expect(tokenizer.decode([128_000, 15339, 1917], skipSpecialTokens: true) == "hello world")
        #expect(tokenizer.decode([-5, 999_999, 15339]) == "hello")
    }

    @Test func smolLM2FromGGUF() throws {
        guard let tokenizer = Assets.require(Assets.smolLM2, "SmolLM2 GGUF") else { return }
        #expect(tokenizer.vocabSize == 49152)
        #expect(tokenizer.bosTokenID == 1)
        #expect(tokenizer.eosTokenIDs.contains(2))
        #expect(tokenizer.eosTokenIDs.contains(0))  // <|endoftext|>
        // add_bos_token is false in the file.
        #expect(tokenizer.encode("Hi") == tokenizer.encode("Hi", addSpecialTokens: false))
        #expect(tokenizer.encode("<|im_start|>user\nhi<|im_end|>") == [1, 4093, 198, 6004, 2])
        // Digits are split one by one (llama.cpp's "smollm" preset).
        #expect(tokenizer.encode("12345", addSpecialTokens: false).count == 5)
        #expect(tokenizer.chatTemplate?.contains("<|im_start|>") == true)
        #expect(tokenizer.isSpecial(2))
        #expect(tokenizer.decode([1, 28120, 905], skipSpecialTokens: true) == "hello world")
    }

    @Test func qwen3ConfigAndTemplate() throws {
        guard let tokenizer = Assets.require(Assets.qwen3, "Qwen3") else { return }
        #expect(tokenizer.bosTokenID == nil)
        let imEnd = try #require(tokenizer.id(forToken: "<|im_end|>"))
        #expect(tokenizer.eosTokenIDs.contains(imEnd))
        #expect(tokenizer.encode("hi") == tokenizer.encode("hi", addSpecialTokens: false))
        #expect(tokenizer.chatTemplate?.contains("<|im_start|>") == true)
        // NFC: the decomposed and composed spellings give the same ids.
        #expect(tokenizer.encode("cafe\u{301}") == tokenizer.encode("caf\u{E9}"))
    }

    @Test func deepSeekV3() throws {
        guard let tokenizer = Assets.require(Assets.deepSeekV3, "DeepSeek V3") else { return }
        #expect(tokenizer.bosTokenID == 0)
        #expect(tokenizer.eosTokenIDs.contains(1))
        // add_bos_token is false and the post-processor is ByteLevel: nothing is added.
        #expect(tokenizer.encode("Hello") == tokenizer.encode("Hello", addSpecialTokens: false))
        #expect(tokenizer.encode("<｜begin▁of▁sentence｜>Hi").first == 0)
        // Numbers split in threes, CJK runs apart from Latin letters.
        let ids = tokenizer.encode("1234567", addSpecialTokens: false)
        #expect(tokenizer.decode(ids) == "1234567" && ids.count == 3)
        #expect(tokenizer.decode(tokenizer.encode("中文English混合", addSpecialTokens: false)) == "中文English混合")
    }

    @Test func sharedAcrossThreads() async throws {
        guard let tokenizer = Assets.require(Assets.llama3, "Llama 3.2") else { return }
        let texts = Corpus.shared.strings
        let expected = try Corpus.family("llama3").ids
        let allMatch = await withTaskGroup(of: Bool.self) { group in
            for part in 0..<4 {
                group.addTask {
                    stride(from: part, to: texts.count, by: 4).allSatisfy {
                        tokenizer.encode(texts[$0], addSpecialTokens: false) == expected[$0]
                    }
                }
            }
            return await group.reduce(true) { $0 && $1 }
        }
        #expect(allMatch)
    }
}
