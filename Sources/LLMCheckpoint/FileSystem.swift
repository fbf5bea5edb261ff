import Foundation

/// Small file-system helpers that report failures as `CheckpointError`.
enum FileSystem {
    enum Kind { case missing, file, directory }

    static func kind(of path: String) -> Kind {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .missing }
        return isDirectory.boolValue ? .directory : .file
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func read(_ path: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CheckpointError.io(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
    }

    static func contents(of directory: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw CheckpointError.io(path: directory, reason: "cannot list folder: \(error.localizedDescription)")
        }
    }
}
