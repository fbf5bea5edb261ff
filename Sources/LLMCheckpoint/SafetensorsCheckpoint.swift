import Foundation
import LLMRuntime

/// The safetensors weights of an HF model folder: a single `model.safetensors`, or
/// shards listed by `model.safetensors.index.json` (`weight_map`: tensor -> file).
public final class SafetensorsCheckpoint: Sendable {
    /// Name of the single-file checkpoint in a folder.
    public static let singleFileName = "model.safetensors"
    /// Name of the shard index in a folder.
    public static let indexFileName = "model.safetensors.index.json"

    /// The folder (or, for a single file opened directly, the file).
    public let path: String
    /// Every shard, in file-name order.
    public let files: [SafetensorsFile]
    /// All tensor names: for an index, its `weight_map` keys (sorted); otherwise the
    /// file's tensors in data order.
    public let tensorNames: [String]

    private let fileByTensor: [String: SafetensorsFile]
    /// Where a tensor that is not found was expected (the index, or the single file).
    private let catalogPath: String

    /// Opens the safetensors checkpoint in `directory`.
    /// - Throws: `missingFile` when the folder has neither an index nor
    ///   `model.safetensors` (nor exactly one other `.safetensors` file), or when the
    ///   index names a shard that is absent; `malformed` for a bad index.
    public init(directory: String) throws {
        path = directory
        let indexPath = FileSystem.join(directory, Self.indexFileName)
        if FileSystem.kind(of: indexPath) == .file {
            (files, tensorNames, fileByTensor) = try Self.openSharded(directory: directory, indexPath: indexPath)
            catalogPath = indexPath
            return
        }
        var single = FileSystem.join(directory, Self.singleFileName)
        if FileSystem.kind(of: single) != .file {
            let candidates = try FileSystem.contents(of: directory).filter { $0.hasSuffix(".safetensors") }
            guard candidates.count == 1, let only = candidates.first else {
                throw CheckpointError.missingFile(
                    path: FileSystem.join(directory, Self.singleFileName),
                    expected: "\(Self.singleFileName) or \(Self.indexFileName) in the model folder"
                        + (candidates.isEmpty ? "" : " (found \(candidates.count) other .safetensors files and no index)"))
            }
            single = FileSystem.join(directory, only)
        }
        let file = try SafetensorsFile(path: single)
        files = [file]
        tensorNames = file.tensorNames
        fileByTensor = Dictionary(uniqueKeysWithValues: file.tensorNames.map { ($0, file) })
        catalogPath = single
    }

    /// A checkpoint made of one safetensors file.
    public init(file: SafetensorsFile) {
        path = file.path
        files = [file]
        tensorNames = file.tensorNames
        fileByTensor = Dictionary(uniqueKeysWithValues: file.tensorNames.map { ($0, file) })
        catalogPath = file.path
    }

    /// Whether a tensor called `name` is listed.
    public func contains(_ name: String) -> Bool { fileByTensor[name] != nil }

    /// The file that holds (or, per the index, should hold) tensor `name`.
    public func file(containing name: String) -> SafetensorsFile? { fileByTensor[name] }

    /// The tensor called `name`.
    /// - Throws: `missingTensor` naming the index when it does not list the tensor, or
    ///   naming the shard the index points at when that shard lacks it.
    public func tensor(named name: String) throws -> HostTensor {
        guard let file = fileByTensor[name] else { throw CheckpointError.missingTensor(file: catalogPath, name: name) }
        return try file.tensor(named: name)
    }

    private struct Index: Decodable {
        var weightMap: [String: String]?
        enum CodingKeys: String, CodingKey { case weightMap = "weight_map" }
    }

    private static func openSharded(
        directory: String, indexPath: String
    ) throws -> ([SafetensorsFile], [String], [String: SafetensorsFile]) {
        let data = try FileSystem.read(indexPath)
        let index: Index
        do {
            index = try JSONDecoder().decode(Index.self, from: data)
        } catch {
            throw CheckpointError.malformed(
                file: indexPath, field: "JSON", expected: "an object with a weight_map of tensor name to file name",
                found: "\(data.count) bytes that do not decode as one")
        }
        guard let weightMap = index.weightMap else {
            throw CheckpointError.malformed(file: indexPath, field: "weight_map", expected: "an object", found: "nothing")
        }
        var shardByName: [String: SafetensorsFile] = [:]
        for shardName in Set(weightMap.values).sorted() {
            guard !shardName.isEmpty, !shardName.contains("/"), shardName != "..", shardName != "." else {
                throw CheckpointError.malformed(
                    file: indexPath, field: "weight_map", expected: "file names inside the model folder",
                    found: "'\(shardName)'")
            }
            let shardPath = FileSystem.join(directory, shardName)
            guard FileSystem.kind(of: shardPath) == .file else {
                throw CheckpointError.missingFile(path: shardPath, expected: "a shard named in \(indexFileName)")
            }
            shardByName[shardName] = try SafetensorsFile(path: shardPath)
        }
        var fileByTensor: [String: SafetensorsFile] = [:]
        for (tensor, shardName) in weightMap { fileByTensor[tensor] = shardByName[shardName] }
        let files = shardByName.keys.sorted().compactMap { shardByName[$0] }
        return (files, weightMap.keys.sorted(), fileByTensor)
    }
}
