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
    static let deepSeekV3 = cached { try Tokenizer(directory: modelCache.appendingPathComponent("deepseek-v3-tokenizer").path) }
    static let smolLM2 = cached { try Tokenizer(ggufPath: smolLM2Path) }

    /// A GGUF vocabulary of `shared/vocab`, from the committed fixtures when copied there.
    static func vocabGGUF(_ name: String) -> String {
        let file = "ggml-vocab-\(name).gguf"
        let local = fixtures.appendingPathComponent(file)
        if FileManager.default.fileExists(atPath: local.path) { return local.path }
        return sharedVocab.appendingPathComponent(file).path
    }

    /// The corpus families: fixture name and how its tokenizer loads.
    static let families: [(name: String, load: Result<Tokenizer, Error>)] = [
        ("llama3", llama3), ("qwen3", qwen3), ("deepseek-v3", deepSeekV3), ("smollm2", smolLM2),
    ] + ["llama-spm", "phi-3", "gpt-2", "starcoder", "falcon", "deepseek-llm", "deepseek-coder"].map { name in
        (name, cached { try Tokenizer(ggufPath: vocabGGUF(name)) })
    }

    static func family(_ name: String) -> Result<Tokenizer, Error> {
        families.first { $0.name == name }!.load
    }

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
    struct DecodeCase: Decodable {
        var ids: [Int]
        var text: String
        var skipped: String
    }

    var strings: [String]
    var llama3_decode: [DecodeCase]

    static let shared: Corpus = {
        let data = try! Data(contentsOf: Assets.fixtures.appendingPathComponent("corpus.json"))
        return try! JSONDecoder().decode(Corpus.self, from: data)
    }()

    /// The reference ids of one family (`ids-NAME.json`) and the reference decodings that
    /// differ from the corpus strings.
    struct Family: Decodable {
        var reference: String
        var ids: [[Int]]
        var decoded: [String: String]

        /// The reference decoding of string `index`'s ids.
        func decodedText(_ index: Int) -> String { decoded[String(index)] ?? Corpus.shared.strings[index] }
    }

    static func family(_ name: String) throws -> Family {
        try family(at: Assets.fixtures.appendingPathComponent("ids-\(name).json"))
    }

    static func family(at url: URL) throws -> Family {
        try JSONDecoder().decode(Family.self, from: Data(contentsOf: url))
    }
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
