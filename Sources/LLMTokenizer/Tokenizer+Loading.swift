import Foundation

extension Tokenizer {
    /// Loads `tokenizer.json` from a model folder, with `tokenizer_config.json` (BOS/EOS
    /// tokens, `add_bos_token`, chat template) and `chat_template.jinja` when present.
    public convenience init(directory: String) throws(TokenizerError) {
        let folder = URL(fileURLWithPath: directory)
        let config = folder.appendingPathComponent("tokenizer_config.json").path
        let template = folder.appendingPathComponent("chat_template.jinja").path
        try self.init(
            tokenizerJSONPath: folder.appendingPathComponent("tokenizer.json").path,
            configPath: FileManager.default.fileExists(atPath: config) ? config : nil,
            chatTemplatePath: FileManager.default.fileExists(atPath: template) ? template : nil)
    }

    /// Loads a `tokenizer.json`, optionally with its `tokenizer_config.json` and a
    /// `chat_template.jinja` (used when the config has no `chat_template`).
    public convenience init(
        tokenizerJSONPath: String, configPath: String? = nil, chatTemplatePath: String? = nil
    ) throws(TokenizerError) {
        let json = try Self.readFile(tokenizerJSONPath)
        let config = try configPath.map { path throws(TokenizerError) in try Self.readFile(path) }
        var template: String?
        if let chatTemplatePath {
            template = String(decoding: try Self.readFile(chatTemplatePath), as: UTF8.self)
        }
        try self.init(
            tokenizerJSON: json, source: tokenizerJSONPath, config: config, configSource: configPath ?? "",
            chatTemplate: template)
    }

    /// Loads a tokenizer from the bytes of a `tokenizer.json` (and optionally of a
    /// `tokenizer_config.json`); `source` and `configSource` name them in errors.
    public convenience init(
        tokenizerJSON: Data, source: String = "tokenizer.json", config: Data? = nil,
        configSource: String = "tokenizer_config.json", chatTemplate: String? = nil
    ) throws(TokenizerError) {
        let json = try decodeJSON(TokenizerJSON.self, from: tokenizerJSON, file: source)
        let vocab = try VocabJSONScanner.vocab(in: tokenizerJSON, file: source)
        let configJSON = try config.map { data throws(TokenizerError) in
            try decodeJSON(TokenizerConfigJSON.self, from: data, file: configSource)
        }
        self.init(
            try TokenizerComponents(
                json: json, vocab: vocab, file: source, config: configJSON, configFile: configSource,
                fallbackChatTemplate: chatTemplate))
    }

    private static func readFile(_ path: String) throws(TokenizerError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw .unreadableFile(file: path, reason: (error as NSError).localizedDescription)
        }
    }
}
