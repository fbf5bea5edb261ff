import Foundation
import LLMTokenizer
import Testing

/// Paths of the committed fixtures, the model cache that `Scripts/fetch_models.sh` fills,
/// and the shared vocabulary folder; the real tokenizers are loaded once and shared.
enum Assets {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = packageRoot.appendingPathComponent("Tests/Fixtures/tokenizer")
    static let modelCache: URL = {
        if let env = ProcessInfo.processInfo.environment["SWIFTLLM_MODEL_CACHE"] { return URL(fileURLWithPath: env) }
        return packageRoot.appendingPathComponent(".cache/models")
    }()
    /// `shared/vocab` beside the repository (present for developers and CI).
    static let sharedVocab = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/vocab")

    static let llama3Folder = modelCache.appendingPathComponent("llama3.2-tokenizer")
    static let qwen3Folder = modelCache.appendingPathComponent("qwen3-tokenizer")
    static let smolLM2Path = modelCache.appendingPathComponent("SmolLM2-135M-Instruct.Q4_1.gguf").path

    static let fetchHint = "missing from the model cache; run Scripts/fetch_models.sh"

    static func cached(_ load: () throws -> Tokenizer) -> Result<Tokenizer, Error> {
        Result { try load() }
    }

    static let llama3 = cached { try Tokenizer(directory: llama3Folder.path) }
    static let qwen3 = cached { try Tokenizer(directory: qwen3Folder.path) }
    static let smolLM2 = cached { try Tokenizer(ggufPath: smolLM2Path) }

    /// Llama 3 with `ignore_merges` on, as newer Llama 3 tokenizer.json files and llama.cpp's
    /// "llama-bpe" preset have it (the llama-bpe .out file was made that way).
    static let llama3IgnoreMerges = cached {
        let url = llama3Folder.appendingPathComponent("tokenizer.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        var model = json["model"] as! [String: Any]
        model["ignore_merges"] = true
        json["model"] = model
        return try Tokenizer(tokenizerJSON: JSONSerialization.data(withJSONObject: json), source: url.path)
    }

    /// The tokenizer, or a recorded test failure naming what is missing.
    static func require(_ result: Result<Tokenizer, Error>, _ name: String) -> Tokenizer? {
        switch result {
        case let .success(tokenizer):
            return tokenizer
        case let .failure(error):
            Issue.record("\(name) tokenizer could not be loaded (\(fetchHint)): \(error)")
            return nil
        }
    }
}

/// The committed corpus and reference ids (`Scripts/make_tokenizer_fixtures.py`).
struct Corpus: Decodable {
    struct Reference: Decodable {
        var reference: String
        var ids: [[Int]]
    }

    struct DecodeCase: Decodable {
        var ids: [Int]
        var text: String
        var skipped: String
    }

    var strings: [String]
    var llama3: Reference
    var qwen3: Reference
    var smollm2: Reference
    var llama3_decode: [DecodeCase]

    static let shared: Corpus = {
        let data = try! Data(contentsOf: Assets.fixtures.appendingPathComponent("corpus.json"))
        return try! JSONDecoder().decode(Corpus.self, from: data)
    }()
}

/// A llama.cpp vocabulary test: `.inp` strings separated by `__ggml_vocab_test__` lines,
/// `.out` lines of expected ids (no BOS).
struct VocabTestCases {
    var cases: [(text: String, ids: [Int])]

    init(base: URL) throws {
        let input = try String(contentsOf: URL(fileURLWithPath: base.path + ".inp"), encoding: .utf8)
        let output = try String(contentsOf: URL(fileURLWithPath: base.path + ".out"), encoding: .utf8)
        var texts = input.components(separatedBy: "\n__ggml_vocab_test__\n")
        if texts.last == "" { texts.removeLast() }
        let lines = output.components(separatedBy: "\n")
        cases = texts.enumerated().map { index, text in
            (text, lines[index].split(separator: " ").map { Int($0)! })
        }
    }
}

/// Compares encodings of many strings, recording the first few mismatches.
func expectEncodings(
    _ tokenizer: Tokenizer, _ texts: [String], _ expected: [[Int]], _ name: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(texts.count == expected.count, sourceLocation: sourceLocation)
    var mismatches = 0
    for (text, ids) in zip(texts, expected) {
        let got = tokenizer.encode(text, addSpecialTokens: false)
        if got != ids {
            mismatches += 1
            if mismatches <= 8 {
                Issue.record(
                    "\(name): \(text.debugDescription)\n  got      \(got)\n  expected \(ids)", sourceLocation: sourceLocation)
            }
        }
    }
    #expect(mismatches == 0, "\(name): \(mismatches) of \(texts.count) strings differ", sourceLocation: sourceLocation)
}
