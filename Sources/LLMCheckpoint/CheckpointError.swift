/// Errors raised while opening or reading checkpoints. Every case names the file and the
/// part of it that was wrong, so the message alone tells a user what to fix.
public enum CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file or folder could not be opened, read or mapped.
    case io(path: String, reason: String)
    /// A path the checkpoint needs is absent (a folder without `config.json`, a shard
    /// named by an index that does not exist).
    case missingFile(path: String, expected: String)
    /// A field holds a value that breaks the format.
    case malformed(file: String, field: String, expected: String, found: String)
    /// The file ends before `field`, which starts at byte `offset` and needs `needed`
    /// bytes; the file has `fileSize` bytes.
    case truncated(file: String, field: String, offset: Int, needed: Int, fileSize: Int)
    /// A valid value that this engine does not handle (a format version, a tensor type,
    /// an architecture).
    case unsupported(file: String, field: String, value: String)
    /// A tensor that was asked for is not in the file (or not where an index said).
    case missingTensor(file: String, name: String)
    /// A metadata key that is required is absent.
    case missingMetadata(file: String, key: String)

    /// A message for users, naming the file and what was wrong.
    public var description: String {
        switch self {
        case let .io(path, reason):
            return "\(path): \(reason)"
        case let .missingFile(path, expected):
            return "\(path): not found (expected \(expected))"
        case let .malformed(file, field, expected, found):
            return "\(file): malformed \(field): expected \(expected), found \(found)"
        case let .truncated(file, field, offset, needed, fileSize):
            return "\(file): file is truncated: \(field) at byte offset \(offset) needs \(needed) bytes, "
                + "but the file has only \(fileSize) bytes"
        case let .unsupported(file, field, value):
            return "\(file): unsupported \(field): \(value)"
        case let .missingTensor(file, name):
            return "\(file): tensor '\(name)' not found"
        case let .missingMetadata(file, key):
            return "\(file): required metadata key '\(key)' is missing"
        }
    }

    /// The file (or folder) the error is about.
    public var path: String {
        switch self {
        case let .io(path, _), let .missingFile(path, _): return path
        case let .malformed(file, _, _, _), let .truncated(file, _, _, _, _), let .unsupported(file, _, _),
            let .missingTensor(file, _), let .missingMetadata(file, _):
            return file
        }
    }
}
