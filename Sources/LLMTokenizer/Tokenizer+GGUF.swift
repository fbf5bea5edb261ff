import LLMCheckpoint

extension GGUFVocabulary {
    /// Reads the `tokenizer.ggml.*` keys and `tokenizer.chat_template` of a GGUF file.
    /// - Throws: `missingField` when the model, tokens or merges are absent;
    ///   `invalidField` when a key holds the wrong type.
    public init(gguf: GGUFFile) throws(TokenizerError) {
        let file = gguf.path
        let metadata = gguf.metadata

        func string(_ key: String) throws(TokenizerError) -> String? {
            guard let value = metadata[key] else { return nil }
            guard let text = value.string else {
                throw .invalidField(file: file, field: key, expected: "a string", found: value.type.description)
            }
            return text
        }
        func int(_ key: String) throws(TokenizerError) -> Int? {
            guard let value = metadata[key] else { return nil }
            guard let number = value.int else {
                throw .invalidField(file: file, field: key, expected: "an integer", found: value.type.description)
            }
            return number
        }
        func bool(_ key: String) throws(TokenizerError) -> Bool? {
            guard let value = metadata[key] else { return nil }
            guard let flag = value.bool else {
                throw .invalidField(file: file, field: key, expected: "a bool", found: value.type.description)
            }
            return flag
        }
        func strings(_ key: String) throws(TokenizerError) -> [String] {
            guard let value = metadata[key] else {
                throw .missingField(file: file, field: key, expected: "an array of strings")
            }
            guard let list = value.strings else {
                throw .invalidField(file: file, field: key, expected: "an array of strings", found: value.type.description)
            }
            return list
        }

        var scores: [Float] = []
        if let value = metadata["tokenizer.ggml.scores"] {
            guard let list = value.floats else {
                throw .invalidField(
                    file: file, field: "tokenizer.ggml.scores", expected: "an array of floats", found: value.type.description)
            }
            scores = list
        }
        guard let model = try string("tokenizer.ggml.model") else {
            throw .missingField(file: file, field: "tokenizer.ggml.model", expected: "the tokenizer model name")
        }
        var types: [Int] = []
        if let value = metadata["tokenizer.ggml.token_type"] {
            guard let list = value.ints else {
                throw .invalidField(
                    file: file, field: "tokenizer.ggml.token_type", expected: "an array of integers",
                    found: value.type.description)
            }
            types = list
        }
        self.init(
            source: file, model: model, pre: try string("tokenizer.ggml.pre"),
            tokens: try strings("tokenizer.ggml.tokens"), tokenTypes: types,
            merges: model == "gpt2" ? try strings("tokenizer.ggml.merges") : [],
            scores: scores, addSpacePrefix: try bool("tokenizer.ggml.add_space_prefix"),
            modelName: try string("general.name"),
            bosID: try int("tokenizer.ggml.bos_token_id"), eosID: try int("tokenizer.ggml.eos_token_id"),
            eotID: try int("tokenizer.ggml.eot_token_id"), eomID: try int("tokenizer.ggml.eom_token_id"),
            unknownID: try int("tokenizer.ggml.unknown_token_id"), paddingID: try int("tokenizer.ggml.padding_token_id"),
            addBOS: try bool("tokenizer.ggml.add_bos_token"), addEOS: try bool("tokenizer.ggml.add_eos_token"),
            chatTemplate: try string("tokenizer.chat_template"))
    }
}

extension Tokenizer {
    /// The tokenizer embedded in a GGUF file (see `init(vocabulary:)`).
    public convenience init(gguf: GGUFFile) throws(TokenizerError) {
        try self.init(vocabulary: GGUFVocabulary(gguf: gguf))
    }

    /// Opens the GGUF file at `path` and loads its embedded tokenizer.
    public convenience init(ggufPath path: String) throws(TokenizerError) {
        let file: GGUFFile
        do {
            file = try GGUFFile(path: path)
        } catch {
            throw .unreadableFile(file: path, reason: "\(error)")
        }
        try self.init(gguf: file)
    }
}
