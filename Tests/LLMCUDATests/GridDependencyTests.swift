import Testing
@testable import LLMCUDA

/// Kernels are launched with programmatic stream serialization on sm_90+, so a kernel may
/// start while its predecessor still runs: each one must wait in `grid_dependency_sync()`
/// before it touches shared memory. A kernel without the call would race, so every
/// `__global__` body in every family is checked here (CI has no GPU to show the race).
@Suite("Grid dependency waits")
struct GridDependencyTests {
    /// The text from the `{` at `open` to its matching `}`.
    static func braced(_ source: String, from open: String.Index) -> Substring {
        var depth = 0
        var index = open
        repeat {
            if source[index] == "{" { depth += 1 }
            if source[index] == "}" { depth -= 1 }
            index = source.index(after: index)
        } while depth > 0 && index < source.endIndex
        return source[open..<index]
    }

    /// Each `__global__` function's name and body.
    static func kernelBodies(in source: String) -> [(name: String, body: Substring)] {
        var result: [(String, Substring)] = []
        var searchStart = source.startIndex
        while let marker = source.range(of: "__global__", range: searchStart..<source.endIndex) {
            guard let open = source[marker.upperBound...].firstIndex(of: "{") else { break }
            // The identifier before the parameter list's "(", skipping __launch_bounds__(...).
            let words = source[marker.upperBound..<open].split(separator: "(").compactMap {
                $0.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ")" }).last.map(String.init)
            }
            let name = words.first { $0 != "__launch_bounds__" } ?? "?"
            let body = braced(source, from: open)
            result.append((name, body))
            searchStart = body.endIndex
        }
        return result
    }

    /// Whether `body` calls grid_dependency_sync() itself or through the `__device__`
    /// functions of `source` it calls (kernels made by macros call an `_impl` function).
    static func waits(_ body: Substring, in source: String, depth: Int = 0) -> Bool {
        if body.contains("grid_dependency_sync()") { return true }
        guard depth < 4 else { return false }
        var identifiers = Set<String>()
        var current = ""
        for character in body {
            if character.isLetter || character.isNumber || character == "_" {
                current.append(character)
            } else {
                if character == "(" || character == "<", !current.isEmpty { identifiers.insert(current) }
                current = ""
            }
        }
        for name in identifiers {
            var searchStart = source.startIndex
            while let definition = source.range(of: "void \(name)(", range: searchStart..<source.endIndex) {
                searchStart = definition.upperBound
                guard let open = source[definition.upperBound...].firstIndex(of: "{") else { break }
                if waits(braced(source, from: open), in: source, depth: depth + 1) { return true }
            }
        }
        return false
    }

    @Test("Every kernel of every family calls grid_dependency_sync()")
    func everyKernelWaits() throws {
        let headers = EmbeddedKernels.headers.values.joined(separator: "\n")
        var scanned = 0, declared = 0
        // Families and headers alike: a header may define kernels through a macro that
        // several families instantiate (attention_kernels.cuh).
        let files = EmbeddedKernels.sources.map { ("\($0.key).cu", $0.value) } + EmbeddedKernels.headers.map { ($0.key, $0.value) }
        var headerKernels = 0
        for (file, source) in files.sorted(by: { $0.0 < $1.0 }) {
            let count = source.components(separatedBy: "__global__").count - 1
            declared += count
            if file.hasSuffix(".cuh") { headerKernels += count }
            for (name, body) in Self.kernelBodies(in: source) {
                scanned += 1
                #expect(Self.waits(body, in: source + "\n" + headers), "\(file): kernel \(name) never calls grid_dependency_sync()")
            }
        }
        #expect(scanned == declared && scanned > 20, "scanned \(scanned) of \(declared) kernels")
        #expect(headerKernels >= 3, "the attention entry-point macros were not scanned (\(headerKernels) kernels in headers)")
    }

    @Test("The scan sees a kernel that forgets the call, directly or through its helpers")
    func scanFindsMissingCall() {
        let source = """
        __device__ void helper(int* p) { grid_dependency_sync(); *p = 0; }
        __device__ void idle(int* p) { *p = 3; }
        extern "C" __global__ void good(int* p) { grid_dependency_sync(); if (p) { *p = 1; } }
        extern "C" __global__ void viaHelper(int* p) { helper(p); }
        #define K(N) extern "C" __global__ void N(int* p) { if (p) { idle(p); } }
        """
        let bodies = Self.kernelBodies(in: source)
        #expect(bodies.map(\.name) == ["good", "viaHelper", "N"])
        #expect(bodies.map { Self.waits($0.body, in: source) } == [true, true, false])
    }
}
