// Writes a Swift file holding the exact contents of a kernel folder's `*.cu` (families)
// and `*.cuh` (shared headers) as raw string literals, sorted by name so the output is
// deterministic. Run by the EmbedKernels build plugin: embed-kernels KERNEL_DIR OUTPUT.
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("embed-kernels: \(message)\n".utf8))
    exit(1)
}

/// A multi-line raw string literal whose value is exactly `text`.
func rawLiteral(_ text: String) -> String {
    var hashes = 1
    // A raw literal with n '#' ends at '"""' + n '#' and escapes with '\' + n '#'.
    while text.contains("\"\"\"" + String(repeating: "#", count: hashes)) || text.contains("\\" + String(repeating: "#", count: hashes)) {
        hashes += 1
    }
    let fence = String(repeating: "#", count: hashes)
    return "\(fence)\"\"\"\n\(text)\n\"\"\"\(fence)"
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else { fail("usage: embed-kernels KERNEL_DIR OUTPUT") }
let directory = URL(fileURLWithPath: arguments[1])
let files = ((try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? [])
    .sorted { $0.lastPathComponent < $1.lastPathComponent }

/// A dictionary literal of the files with `pathExtension`, keyed by `key`.
func dictionary(_ pathExtension: String, key: (URL) -> String) -> String {
    let entries = files.filter { $0.pathExtension == pathExtension }.map { url in
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            fail("\(url.path): not readable as UTF-8")
        }
        // Swift normalises line endings inside literals, which would change the source.
        if text.contains("\r") { fail("\(url.path): carriage returns are not allowed; use LF line endings") }
        return "        \"\(key(url))\": \(rawLiteral(text)),\n"
    }
    return entries.isEmpty ? "[:]" : "[\n" + entries.joined() + "    ]"
}

let swift = """
    // Generated at build time by the EmbedKernels plugin from \(directory.lastPathComponent)/. Do not edit.

    /// The kernel sources compiled into the binary: one CUDA C++ file per op family,
    /// plus headers the families share.
    enum EmbeddedKernels {
        /// Family name (file name without `.cu`) → source.
        static let sources: [String: String] = \(dictionary("cu") { $0.deletingPathExtension().lastPathComponent })

        /// Header file name → source, for `#include "name.cuh"` in any family.
        static let headers: [String: String] = \(dictionary("cuh") { $0.lastPathComponent })
    }

    """
do {
    try swift.write(toFile: arguments[2], atomically: true, encoding: .utf8)
} catch {
    fail("cannot write \(arguments[2]): \(error)")
}
