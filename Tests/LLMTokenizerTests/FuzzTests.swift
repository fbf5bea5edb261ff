import LLMRuntime
import LLMTokenizer
import Testing

/// Random text of any Unicode scalars (unassigned and astral ones included) encodes without
/// trouble and decodes back exactly (Llama 3 has a token for every byte).
@Suite struct FuzzTests {
    static func randomText(_ rng: inout SplitMix64) -> String {
        var view = String.UnicodeScalarView()
        let pools: [ClosedRange<UInt32>] = [0...0x7F, 0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFF, 0x10000...0x10FFFF]
        for _ in 0..<Int.random(in: 0...40, using: &rng) {
            let pool = pools[Int.random(in: 0..<pools.count, using: &rng)]
            if let scalar = Unicode.Scalar(UInt32.random(in: pool, using: &rng)) { view.append(scalar) }
            if Bool.random(using: &rng) { view.append(contentsOf: [" ", "'", "\n", "1", "a", "<"].randomElement(using: &rng)!.unicodeScalars) }
        }
        return String(view)
    }

    @Test func randomTextRoundTrips() throws {
        guard let tokenizer = Assets.require(Assets.llama3, "Llama 3.2") else { return }
        var rng = SplitMix64(state: 42)
        for _ in 0..<1000 {
            let text = Self.randomText(&rng)
            for parse in [true, false] {
                let ids = tokenizer.encode(text, addSpecialTokens: false, parseSpecialTokens: parse)
                #expect(ids.allSatisfy { $0 >= 0 && $0 < tokenizer.vocabSize })
                let decoded = tokenizer.decode(ids)
                #expect(Array(decoded.unicodeScalars) == Array(text.unicodeScalars), "\(text.debugDescription)")
            }
        }
    }

    /// SentencePiece with byte fallback also round-trips any text (llama.cpp's prefix space is
    /// removed again by the decoder), through `decode` and through streaming.
    @Test func sentencePieceRandomTextRoundTrips() throws {
        guard let tokenizer = Assets.require(Assets.family("llama-spm"), "llama-spm GGUF") else { return }
        var rng = SplitMix64(state: 11)
        for _ in 0..<500 {
            let text = Self.randomText(&rng)
            let ids = tokenizer.encode(text, addSpecialTokens: true, parseSpecialTokens: false)
            #expect(ids.first == tokenizer.bosTokenID)
            let decoded = tokenizer.decode(ids, skipSpecialTokens: true)
            #expect(Array(decoded.unicodeScalars) == Array(text.unicodeScalars), "\(text.debugDescription)")
            var stream = StreamingDetokenizer(tokenizer: tokenizer, skipSpecialTokens: true)
            #expect(ids.map { stream.append($0) }.joined() + stream.flush() == decoded)
        }
    }

    @Test func randomIDsDecode() throws {
        guard let tokenizer = Assets.require(Assets.smolLM2, "SmolLM2 GGUF") else { return }
        var rng = SplitMix64(state: 7)
        for _ in 0..<200 {
            let ids = (0..<Int.random(in: 0...20, using: &rng)).map { _ in Int.random(in: -10...60_000, using: &rng) }
            var stream = StreamingDetokenizer(tokenizer: tokenizer)
            let streamed = ids.map { stream.append($0) }.joined() + stream.flush()
            #expect(streamed == tokenizer.decode(ids))
        }
    }
}
