import Foundation

/// A model on disk, opened from either a `.gguf` file or an HF folder (`config.json`
/// plus safetensors weights). Gives the weights under HF names and an HF `config.json`
/// either way.
public final class ModelCheckpoint: Sendable {
    /// The on-disk format.
    public enum Format: String, Sendable {
        /// A single `.gguf` file.
        case gguf
        /// An HF folder with `config.json` and safetensors weights.
        case safetensors
    }

    /// The path that was opened.
    public let path: String
    /// Whether this is a GGUF file or an HF safetensors folder.
    public let format: Format
    /// The weights, under HF names and layouts.
    public let weights: any WeightSource
    /// The HF `config.json` bytes (built from metadata for GGUF).
    public let configJSON: Data
    /// `generation_config.json` when the folder has one; for GGUF, the BOS/EOS ids from
    /// the embedded tokenizer metadata (nil when it has neither).
    public let generationConfig: GenerationConfig?
    /// The GGUF file, for GGUF checkpoints (its metadata holds the tokenizer).
    public let gguf: GGUFFile?
    /// The HF folder (where `tokenizer.json` lives), for safetensors checkpoints.
    public let directory: String?

    private init(
        path: String, format: Format, weights: any WeightSource, configJSON: Data,
        generationConfig: GenerationConfig?, gguf: GGUFFile?, directory: String?
    ) {
        self.path = path
        self.format = format
        self.weights = weights
        self.configJSON = configJSON
        self.generationConfig = generationConfig
        self.gguf = gguf
        self.directory = directory
    }

    /// Opens a `.gguf` file or an HF model folder.
    /// - Throws: `CheckpointError.io` when `path` does not exist; `missingFile` for a
    ///   folder without `config.json` or safetensors weights; `unsupported` for a file
    ///   that is not `.gguf`; any error of the underlying readers.
    public static func open(path: String) throws -> ModelCheckpoint {
        switch FileSystem.kind(of: path) {
        case .missing:
            throw CheckpointError.io(path: path, reason: "no such file or folder")
        case .directory:
            return try openFolder(path)
        case .file:
            guard path.lowercased().hasSuffix(".gguf") else {
                let name = path.split(separator: "/").last.map(String.init) ?? path
                let ext = name.contains(".") ? "." + (name.split(separator: ".").last.map(String.init) ?? "") : "(none)"
                throw CheckpointError.unsupported(
                    file: path, field: "file extension",
                    value: "\(ext) (expected a .gguf file or an HF model folder with config.json and safetensors)")
            }
            return try openGGUF(path)
        }
    }

    private static func openGGUF(_ path: String) throws -> ModelCheckpoint {
        let file = try GGUFFile(path: path)
        let config = try file.huggingFaceConfigJSON()
        let bos = file.metadata["tokenizer.ggml.bos_token_id"]?.int
        let eos = file.metadata["tokenizer.ggml.eos_token_id"]?.int
        let generation = bos == nil && eos == nil ? nil : GenerationConfig(bosTokenID: bos, eosTokenIDs: eos.map { [$0] } ?? [])
        return ModelCheckpoint(
            path: path, format: .gguf, weights: try GGUFWeightSource(file), configJSON: config,
            generationConfig: generation, gguf: file, directory: nil)
    }

    private static func openFolder(_ directory: String) throws -> ModelCheckpoint {
        let configPath = FileSystem.join(directory, "config.json")
        guard FileSystem.kind(of: configPath) == .file else {
            let ggufFiles = try FileSystem.contents(of: directory).filter { $0.lowercased().hasSuffix(".gguf") }
            let hint = ggufFiles.isEmpty ? "" : "; to load a GGUF file pass its path, e.g. \(FileSystem.join(directory, ggufFiles[0]))"
            throw CheckpointError.missingFile(path: configPath, expected: "config.json of an HF model folder" + hint)
        }
        let config = try FileSystem.read(configPath)
        let weights = SafetensorsWeightSource(try SafetensorsCheckpoint(directory: directory))
        let generationPath = FileSystem.join(directory, "generation_config.json")
        let generation = FileSystem.kind(of: generationPath) == .file ? try GenerationConfig.load(path: generationPath) : nil
        return ModelCheckpoint(
            path: directory, format: .safetensors, weights: weights, configJSON: config,
            generationConfig: generation, gguf: nil, directory: directory)
    }
}
