import Foundation
import LLMTokenizer
import Testing

/// Broken or unsupported tokenizer files give a typed error naming the file and the field.
@Suite struct LoadErrorTests {
    static let minimal = """
        {"version": "1.0", "added_tokens": [{"id": 3, "content": "<s>", "special": true}],
         "normalizer": null,
         "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
             {"type": "Split", "pattern": {"Regex": "\(jsonEscaped(SplitRegex.gpt2))"}, "behavior": "Isolated"},
             {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]},
         "post_processor": {"type": "ByteLevel"},
         "decoder": {"type": "ByteLevel"},
         "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}}
        """

    enum SplitRegex {
        static let gpt2 = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    }

    static func jsonEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\")
    }

    /// The error from loading `json` (with `replacing` applied), or a failure if it loads.
    func loadError(
        _ json: String = minimal, replacing: [(String, String)] = [], config: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> TokenizerError? {
        var text = json
        for (old, new) in replacing {
            #expect(text.contains(old), "fixture lacks \(old)", sourceLocation: sourceLocation)
            text = text.replacingOccurrences(of: old, with: new)
        }
        do {
            _ = try Tokenizer(
                tokenizerJSON: Data(text.utf8), source: "bad/tokenizer.json", config: config.map { Data($0.utf8) },
                configSource: "bad/tokenizer_config.json")
            Issue.record("expected a load error", sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(error.description.contains(error.file), sourceLocation: sourceLocation)
            return error
        }
    }

    @Test func minimalLoads() throws {
        let tokenizer = try Tokenizer(tokenizerJSON: Data(Self.minimal.utf8))
        #expect(tokenizer.encode("ab") == [2])
        #expect(tokenizer.encode("ba<s>") == [1, 0, 3])
        #expect(tokenizer.decode([2, 3, 0]) == "ab<s>a")
        #expect(tokenizer.vocabSize == 4)
    }

    @Test func notJSON() {
        let error = loadError("{\"model\": ")
        guard case .invalidJSON(let file, _)? = error else { return #expect(Bool(false), "\(String(describing: error))") }
        #expect(file == "bad/tokenizer.json")
    }

    @Test func missingModel() {
        let error = loadError(replacing: [("\"model\":", "\"modle\":")])
        #expect(error == .missingField(file: "bad/tokenizer.json", field: "model", expected: "a value"))
    }

    @Test func unknownPreTokenizerType() {
        let error = loadError(replacing: [("{\"type\": \"Split\"", "{\"type\": \"UnicodeScripts\", \"x\": {\"type\": \"Split\"}")])
        #expect(error?.field == "pre_tokenizer.pretokenizers[0].type")
        guard case .unsupportedComponent(_, _, let component, _)? = error else { return #expect(Bool(false)) }
        #expect(component.contains("UnicodeScripts"))
    }

    @Test func unknownRegex() {
        let error = loadError(replacing: [(Self.jsonEscaped(SplitRegex.gpt2), "\\\\w+")])
        #expect(error?.field == "pre_tokenizer.pretokenizers[0].pattern.Regex")
        #expect(error?.description.contains("\\w+") == true)
    }

    @Test func mergeWithUnknownToken() {
        let error = loadError(replacing: [("[\"a b\"]", "[[\"a\", \"b\"], [\"ab\", \"zz\"]]")])
        #expect(error == .unknownToken(file: "bad/tokenizer.json", field: "model.merges[1]", token: "zz"))
    }

    @Test func mergeWithUnknownResult() {
        let error = loadError(replacing: [("[\"a b\"]", "[\"b a\"]")])
        #expect(error == .unknownToken(file: "bad/tokenizer.json", field: "model.merges[0]", token: "ba"))
    }

    @Test func malformedMerges() {
        #expect(loadError(replacing: [("[\"a b\"]", "[\"a b c\"]")])?.field == "model.merges[0]")
        #expect(loadError(replacing: [("[\"a b\"]", "5")])?.field == "model.merges")
        #expect(loadError(replacing: [("\"ab\": 2", "\"ab\": \"two\"")])?.field.hasPrefix("model.vocab") == true)
    }

    @Test func unsupportedComponents() {
        #expect(loadError(replacing: [("\"type\": \"BPE\"", "\"type\": \"WordPiece\"")])?.field == "model.type")
        #expect(loadError(replacing: [("\"type\": \"BPE\"", "\"type\": \"Unigram\"")])?.field == "model.type")
        #expect(
            loadError(replacing: [("\"type\": \"BPE\",", "\"type\": \"BPE\", \"dropout\": 0.1,")])?.field == "model.dropout")
        #expect(
            loadError(replacing: [("\"type\": \"BPE\",", "\"type\": \"BPE\", \"continuing_subword_prefix\": \"##\",")])?
                .field == "model.continuing_subword_prefix")
        #expect(
            loadError(replacing: [("\"normalizer\": null", "\"normalizer\": {\"type\": \"BertNormalizer\"}")])?.field
                == "normalizer.type")
        #expect(
            loadError(replacing: [
                ("\"normalizer\": null",
                 "\"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFC\"}, {\"type\": \"Precompiled\"}]}")
            ])?.field == "normalizer.normalizers[1].type")
        #expect(
            loadError(replacing: [("\"decoder\": {\"type\": \"ByteLevel\"}", "\"decoder\": {\"type\": \"WordPiece\"}")])?.field
                == "decoder.type")
        #expect(
            loadError(replacing: [
                ("\"decoder\": {\"type\": \"ByteLevel\"}",
                 "\"decoder\": {\"type\": \"Sequence\", \"decoders\": [{\"type\": \"Fuse\"}, {\"type\": \"CTC\"}]}")
            ])?.field == "decoder.decoders[1].type")
        #expect(
            loadError(replacing: [("\"decoder\": {\"type\": \"ByteLevel\"}", "\"decoder\": {\"type\": \"Strip\", \"content\": \"ab\"}")])?
                .field == "decoder.content")
        #expect(
            loadError(replacing: [("\"post_processor\": {\"type\": \"ByteLevel\"}", "\"post_processor\": {\"type\": \"Magic\"}")])?
                .field == "post_processor.type")
        #expect(
            loadError(replacing: [
                ("\"normalizer\": null",
                 "\"normalizer\": {\"type\": \"Replace\", \"pattern\": {\"Regex\": \"(\"}, \"content\": \"x\"}")
            ])?.field == "normalizer.pattern.Regex")
    }

    @Test func idsOutOfRange() {
        #expect(loadError(replacing: [("\"ab\": 2", "\"ab\": 99999999")])?.field == "model.vocab.ab")
        #expect(loadError(replacing: [("\"ab\": 2", "\"ab\": -2")])?.field == "model.vocab.ab")
        #expect(loadError(replacing: [("\"id\": 3,", "\"id\": 4000000000,")])?.field == "added_tokens[0].id")
    }

    @Test func badAddedToken() {
        let error = loadError(replacing: [("\"content\": \"<s>\", ", "")])
        #expect(error?.field == "added_tokens[0].content")
    }

    @Test func badConfig() {
        let unknownBOS = loadError(config: #"{"bos_token": "<nope>"}"#)
        #expect(unknownBOS == .unknownToken(file: "bad/tokenizer_config.json", field: "bos_token", token: "<nope>"))
        #expect(loadError(config: #"{"chat_template": 5}"#)?.field == "chat_template")
        #expect(loadError(config: "[1,")?.file == "bad/tokenizer_config.json")
        #expect(loadError(config: #"{"add_bos_token": true}"#)?.field == "bos_token")
    }

    @Test func configAddsBOSWithoutTemplate() throws {
        let config = #"{"bos_token": {"content": "<s>"}, "add_bos_token": true, "chat_template": "{{ x }}"}"#
        let tokenizer = try Tokenizer(tokenizerJSON: Data(Self.minimal.utf8), config: Data(config.utf8))
        #expect(tokenizer.encode("ab") == [3, 2])
        #expect(tokenizer.bosTokenID == 3)
        #expect(tokenizer.chatTemplate == "{{ x }}")
    }

    @Test func unreadableFile() {
        #expect(throws: TokenizerError.self) { try Tokenizer(tokenizerJSONPath: "/nonexistent/tokenizer.json") }
        do {
            _ = try Tokenizer(directory: "/nonexistent")
        } catch {
            guard case .unreadableFile(let file, _) = error else { return #expect(Bool(false), "\(error)") }
            #expect(file == "/nonexistent/tokenizer.json")
        }
    }

    // MARK: - GGUF vocabularies

    static let vocabulary = GGUFVocabulary(
        source: "bad.gguf", model: "gpt2", pre: "gpt-2", tokens: ["a", "b", "ab", "<|end|>"], tokenTypes: [1, 1, 1, 3],
        merges: ["a b"], bosID: 3, eosID: 3)

    func ggufError(_ change: (inout GGUFVocabulary) -> Void) -> TokenizerError? {
        var vocabulary = Self.vocabulary
        change(&vocabulary)
        do {
            _ = try Tokenizer(vocabulary: vocabulary)
            Issue.record("expected a load error")
            return nil
        } catch {
            #expect(error.file == "bad.gguf")
            return error
        }
    }

    @Test func ggufVocabulary() throws {
        let tokenizer = try Tokenizer(vocabulary: Self.vocabulary)
        #expect(tokenizer.encode("ab<|end|>") == [2, 3])
        #expect(tokenizer.eosTokenIDs == [3])
        #expect(tokenizer.isSpecial(3))
        var withBOS = Self.vocabulary
        withBOS.addBOS = true
        #expect(try Tokenizer(vocabulary: withBOS).encode("ab") == [3, 2])
    }

    @Test func ggufErrors() {
        #expect(ggufError { $0.model = "bert" }?.field == "tokenizer.ggml.model")
        #expect(ggufError { $0.model = "llama"; $0.scores = [1] }?.field == "tokenizer.ggml.scores")
        #expect(ggufError { $0.pre = "mystery" }?.field == "tokenizer.ggml.pre")
        #expect(ggufError { $0.merges = ["ab"] }?.field == "tokenizer.ggml.merges[0]")
        #expect(
            ggufError { $0.merges = ["a b", "b c"] }
                == .unknownToken(file: "bad.gguf", field: "tokenizer.ggml.merges[1]", token: "c"))
        #expect(ggufError { $0.tokenTypes = [1] }?.field == "tokenizer.ggml.token_type")
        #expect(ggufError { $0.bosID = 99 }?.field == "tokenizer.ggml.bos_token_id")
        #expect(ggufError { $0.addEOS = true; $0.eosID = nil }?.field == "tokenizer.ggml.eos_token_id")
    }
}
