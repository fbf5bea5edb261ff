import Foundation
import LLMTokenizer
import Testing

/// Small BPE tokenizers trained by HF `tokenizers` (byte-level, SentencePiece-style with
/// byte fallback, subword affixes) combined with every normalizer, pre-tokenizer,
/// post-processor and decoder option (split behaviours, Metaspace prepend schemes, NFKC,
/// Lowercase, Strip, Replace, Prepend, Punctuation, Whitespace, unknown-token fusing,
/// added-token flags, ...), against HF's ids and decodings.
@Suite struct ComponentVariantTests {
    struct Case: Decodable {
        var text: String
        var ids: [Int]
        var plain: [Int]
        var decoded: String
        var skipped: String
    }

    static let file: [String: Any] = {
        let data = try! Data(contentsOf: Assets.fixtures.appendingPathComponent("synthetic.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    static let names: [String] = (file["variants"] as! [[String: Any]]).map { $0["name"] as! String }

    /// The variant's tokenizer.json and cases.
    static func variant(_ name: String) throws -> (json: Data, cases: [Case]) {
        let variant = (file["variants"] as! [[String: Any]]).first { $0["name"] as? String == name }!
        var spec = (file["bases"] as! [String: Any])[variant["base"] as! String] as! [String: Any]
        for key in ["normalizer", "pre_tokenizer", "post_processor", "decoder"] { spec[key] = variant[key] }
        var model = spec["model"] as! [String: Any]
        model.merge(variant["model"] as! [String: Any]) { $1 }
        spec["model"] = model
        spec["added_tokens"] = (spec["added_tokens"] as! [Any]) + (variant["extra_added_tokens"] as! [Any])
        let cases = try JSONDecoder().decode(
            [Case].self, from: JSONSerialization.data(withJSONObject: variant["cases"]!))
        return (try JSONSerialization.data(withJSONObject: spec), cases)
    }

    @Test(arguments: names)
    func matchesHuggingFace(name: String) throws {
        let (json, cases) = try Self.variant(name)
        let tokenizer = try Tokenizer(tokenizerJSON: json, source: name)
        for item in cases {
            #expect(tokenizer.encode(item.text) == item.ids, "\(name): \(item.text.debugDescription)")
            #expect(tokenizer.encode(item.text, addSpecialTokens: false) == item.plain, "\(name): \(item.text.debugDescription)")
            #expect(
                Array(tokenizer.decode(item.ids).unicodeScalars) == Array(item.decoded.unicodeScalars),
                "\(name): \(item.text.debugDescription)")
            #expect(
                Array(tokenizer.decode(item.ids, skipSpecialTokens: true).unicodeScalars) == Array(item.skipped.unicodeScalars),
                "\(name): \(item.text.debugDescription)")
            var stream = StreamingDetokenizer(tokenizer: tokenizer)
            let streamed = item.ids.map { stream.append($0) }.joined() + stream.flush()
            #expect(streamed == tokenizer.decode(item.ids), "\(name): streaming \(item.text.debugDescription)")
        }
    }

    @Test func templateAddsBOSAndEOS() throws {
        let tokenizer = try Tokenizer(tokenizerJSON: Self.variant("llama3-nfc-added-template").json)
        let bos = try #require(tokenizer.id(forToken: "<bos>"))
        let eos = try #require(tokenizer.id(forToken: "<eos>"))
        #expect(tokenizer.bosTokenID == bos)
        #expect(tokenizer.encode("") == [bos, eos])
        #expect(tokenizer.encode("", addSpecialTokens: false) == [])
        let sp = try #require(tokenizer.id(forToken: "<sp>"))
        #expect(tokenizer.isSpecial(sp))
        #expect(!tokenizer.isSpecial(try #require(tokenizer.id(forToken: "word"))))
        // Unparsed special tokens are plain text.
        #expect(!tokenizer.encode("a <sp> b", parseSpecialTokens: false).contains(sp))
        #expect(tokenizer.decode(tokenizer.encode("a<sp>b"), skipSpecialTokens: true) == "ab")
    }
}
