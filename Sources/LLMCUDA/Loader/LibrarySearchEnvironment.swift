import Foundation

/// What the library search reads from the machine: environment variables, the home
/// folder and directory listings. Injected so the search order is unit-tested with a
/// fake file system; ``current`` is the real process.
public struct LibrarySearchEnvironment: Sendable {
    public var variables: [String: String]
    public var homeDirectory: String?
    /// Names of the entries of a directory, or nil when it is not a readable directory.
    public var listDirectory: @Sendable (String) -> [String]?
    /// Whether a file (or a link to one) exists at the path.
    public var fileExists: @Sendable (String) -> Bool

    public init(variables: [String: String], homeDirectory: String?,
                listDirectory: @escaping @Sendable (String) -> [String]?,
                fileExists: @escaping @Sendable (String) -> Bool) {
        self.variables = variables
        self.homeDirectory = homeDirectory
        self.listDirectory = listDirectory
        self.fileExists = fileExists
    }

    /// The running process: its environment, `$HOME`, the real file system.
    public static var current: LibrarySearchEnvironment {
        let variables = ProcessInfo.processInfo.environment
        let home = variables["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return LibrarySearchEnvironment(
            variables: variables, homeDirectory: home,
            listDirectory: { path in
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
                return try? FileManager.default.contentsOfDirectory(atPath: path)
            },
            fileExists: { FileManager.default.fileExists(atPath: $0) })
    }

    /// A non-empty variable, or nil.
    func value(_ name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    func isDirectory(_ path: String) -> Bool { listDirectory(path) != nil }
}
