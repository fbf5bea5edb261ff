import LLMTokenizer
import Testing

/// Streaming detokenization never emits a broken character and adds up to `decode`.
@Suite struct StreamingDetokenizerTests {
    static let multiByteTexts = [
        "😀👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇺🇸🇯🇵", "你好，世界！日本語のテキスト", "한국어 텍스트", "café naïve Äpfel", "🦙.cpp",
        "mixed 中文 and emoji 🔥💯 and ascii",
    ]

    private func stream(_ tokenizer: Tokenizer, _ ids: [Int], skipSpecialTokens: Bool = false) -> [String] {
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer, skipSpecialTokens: skipSpecialTokens)
        var pieces = ids.map { detokenizer.append($0) }
        pieces.append(detokenizer.flush())
        return pieces
    }

    @Test(arguments: ["llama3", "qwen3", "smollm2"])
    func splitCharactersAreHeldBack(name: String) throws {
        let result = name == "llama3" ? Assets.llama3 : name == "qwen3" ? Assets.qwen3 : Assets.smolLM2
        guard let tokenizer = Assets.require(result, name) else { return }
        var sawSplitCharacter = false
        for text in Self.multiByteTexts + Corpus.shared.strings {
            let ids = tokenizer.encode(text, addSpecialTokens: false)
            let pieces = stream(tokenizer, ids)
            let decoded = tokenizer.decode(ids)
            #expect(pieces.joined() == decoded, "\(name): \(text.debugDescription)")
            if !decoded.unicodeScalars.contains("\u{FFFD}") {
                #expect(!pieces.joined().unicodeScalars.contains("\u{FFFD}"), "\(name): \(text.debugDescription)")
            }
            // Each id's own bytes, decoded alone, would break a character somewhere.
            if ids.contains(where: { tokenizer.decode([$0]).unicodeScalars.contains("\u{FFFD}") }) {
                sawSplitCharacter = true
            }
        }
        #expect(sawSplitCharacter, "the texts should contain characters split across tokens")
    }

    @Test func holdsIncompleteBytes() throws {
        guard let tokenizer = Assets.require(Assets.llama3, "Llama 3.2") else { return }
        let ids = tokenizer.encode("😀", addSpecialTokens: false)
        try #require(ids.count > 1)
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        #expect(detokenizer.append(ids[0]) == "")
        #expect(detokenizer.pendingByteCount > 0)
        var text = ""
        for id in ids.dropFirst() { text += detokenizer.append(id) }
        #expect(text == "😀")
        #expect(detokenizer.pendingByteCount == 0)
        // An unfinished character is replaced at flush.
        #expect(detokenizer.append(ids[0]) == "")
        #expect(detokenizer.flush() == "\u{FFFD}")
        #expect(detokenizer.flush() == "")
    }

    @Test func invalidSequencesMatchDecode() throws {
        guard let tokenizer = Assets.require(Assets.llama3, "Llama 3.2") else { return }
        for item in Corpus.shared.llama3_decode {
            #expect(stream(tokenizer, item.ids).joined() == tokenizer.decode(item.ids), "\(item.ids)")
            #expect(
                stream(tokenizer, item.ids, skipSpecialTokens: true).joined()
                    == tokenizer.decode(item.ids, skipSpecialTokens: true), "\(item.ids)")
        }
    }
}
