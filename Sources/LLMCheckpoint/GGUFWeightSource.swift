import LLMRuntime

/// The weights of a GGUF file under Hugging Face names and layouts.
///
/// Tensors that have an HF name are listed under it; tensors without one (for example
/// `rope_freqs.weight`) are listed under their GGUF name. For `general.architecture ==
/// "llama"`, the rows of `attn_q` and `attn_k` (weights and biases) are put back in HF
/// order, undoing the permutation llama.cpp's converter applies; those tensors are
/// copies, every other tensor is a zero-copy view of the mapping.
public final class GGUFWeightSource: WeightSource {
    /// The underlying GGUF file.
    public let gguf: GGUFFile
    /// The GGUF file's path.
    public var path: String { gguf.path }
    /// HF names of the file's tensors (GGUF names for those without one), in file order.
    public let tensorNames: [String]

    private let ggufNameByName: [String: String]
    private let rotaryPermutation: LlamaRotaryPermutation?

    /// Wraps `gguf`.
    /// - Throws: `missingMetadata` when a llama file lacks `llama.attention.head_count`.
    public init(_ gguf: GGUFFile) throws {
        self.gguf = gguf
        var names: [String] = []
        var map: [String: String] = [:]
        for info in gguf.tensors {
            let name = GGUFTensorNames.hfName(forGGUF: info.name, architecture: gguf.architecture) ?? info.name
            if map[name] == nil {
                names.append(name)
                map[name] = info.name
            }
        }
        tensorNames = names
        ggufNameByName = map
        if gguf.architecture == "llama" {
            let key = "llama.attention.head_count"
            guard let heads = gguf.metadata[key]?.int, heads > 0 else {
                throw CheckpointError.missingMetadata(file: gguf.path, key: key)
            }
            let kvHeads = gguf.metadata["llama.attention.head_count_kv"]?.int ?? heads
            rotaryPermutation = LlamaRotaryPermutation(headCount: heads, kvHeadCount: kvHeads)
        } else {
            rotaryPermutation = nil
        }
    }

    /// Opens the GGUF file at `path`.
    public convenience init(path: String) throws {
        try self.init(GGUFFile(path: path))
    }

    /// The GGUF tensor name behind `name` (an HF name, or a GGUF name without an HF one).
    public func ggufName(for name: String) -> String? { ggufNameByName[name] }

    /// Whether `name` (an HF name, or a GGUF name without an HF one) is in the file.
    public func contains(_ name: String) -> Bool { ggufNameByName[name] != nil }

    /// The tensor in HF layout: a zero-copy view, or for llama q/k a re-ordered copy.
    public func tensor(_ name: String) throws -> HostTensor {
        guard let ggufName = ggufNameByName[name] else {
            let expected = GGUFTensorNames.ggufName(forHF: name, architecture: gguf.architecture).map { " (GGUF name '\($0)')" } ?? ""
            throw CheckpointError.missingTensor(file: path, name: name + expected)
        }
        let tensor = try gguf.tensor(named: ggufName)
        guard let permutation = rotaryPermutation, let heads = permutation.heads(forGGUFName: ggufName) else {
            return tensor
        }
        return try permutation.unpermute(tensor, heads: heads, file: path, name: ggufName)
    }
}
