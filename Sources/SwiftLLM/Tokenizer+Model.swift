import Foundation

extension Tokenizer {
    /// The tokenizer of a model path: embedded in a GGUF file, or `tokenizer.json` (and
    /// `tokenizer_config.json`) in a Hugging Face folder. Loads no weights.
    public static func forModel(at path: String) throws -> Tokenizer {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CheckpointError.missingFile(path: path, expected: "a GGUF file or a Hugging Face model folder")
        }
        if isDirectory.boolValue { return try Tokenizer(directory: path) }
        return try Tokenizer(gguf: GGUFFile(path: path))
    }
}
