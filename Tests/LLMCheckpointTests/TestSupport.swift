import Foundation
import LLMCheckpoint

/// Paths of the committed fixtures (Tests/Fixtures/checkpoint).
enum Fixture {
    static let directory: String = {
        let here = URL(fileURLWithPath: #filePath)
        return here.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/checkpoint").path
    }()

    static func path(_ name: String) -> String { directory + "/" + name }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    /// gguf-py's dequantised values of every tensor of all_types.gguf.
    static func expectedValues() throws -> [String: [Float]] {
        struct Index: Decodable {
            struct Entry: Decodable { var name: String; var offset: Int; var count: Int }
            var tensors: [Entry]
        }
        let index = try JSONDecoder().decode(
            Index.self, from: Data(contentsOf: URL(fileURLWithPath: path("all_types.expected.json"))))
        let raw = try Data(contentsOf: URL(fileURLWithPath: path("all_types.expected.f32")))
        let floats: [Float] = raw.withUnsafeBytes { buffer in
            (0..<(buffer.count / 4)).map { Float(bitPattern: UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
        var result: [String: [Float]] = [:]
        for entry in index.tensors { result[entry.name] = Array(floats[entry.offset..<(entry.offset + entry.count)]) }
        return result
    }
}

/// Writes GGUF bytes by hand, for malformed-file tests.
struct GGUFBuilder {
    var bytes: [UInt8] = []

    init(magic: [UInt8] = Array("GGUF".utf8), version: UInt32 = 3, tensorCount: UInt64, keyValueCount: UInt64) {
        bytes = magic
        u32(version)
        u64(tensorCount)
        u64(keyValueCount)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func string(_ text: String) { rawString(Array(text.utf8)) }
    mutating func rawString(_ data: [UInt8]) {
        u64(UInt64(data.count))
        bytes.append(contentsOf: data)
    }

    mutating func keyString(_ key: String, _ value: String) {
        string(key)
        u32(8)
        string(value)
    }

    mutating func keyU32(_ key: String, _ value: UInt32) {
        string(key)
        u32(4)
        u32(value)
    }

    mutating func keyF32(_ key: String, _ value: Float) {
        string(key)
        u32(6)
        u32(value.bitPattern)
    }

    /// The seven keys every architecture's config conversion requires (architecture, the
    /// sizes, context length and an RMS epsilon of 1e-6).
    mutating func requiredModelKeys(_ arch: String, hidden: UInt32, heads: UInt32, ff: UInt32, blocks: UInt32, context: UInt32) {
        keyString("general.architecture", arch)
        keyU32("\(arch).embedding_length", hidden)
        keyU32("\(arch).attention.head_count", heads)
        keyU32("\(arch).feed_forward_length", ff)
        keyU32("\(arch).block_count", blocks)
        keyU32("\(arch).context_length", context)
        keyF32("\(arch).attention.layer_norm_rms_epsilon", 1e-6)
    }

    mutating func tensorInfo(_ name: String, dims: [UInt64], type: UInt32, offset: UInt64) {
        string(name)
        u32(UInt32(dims.count))
        for dim in dims { u64(dim) }
        u32(type)
        u64(offset)
    }

    mutating func pad(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    func parse(_ name: String = "built.gguf") throws -> GGUFFile {
        try GGUFFile(file: MappedFile(copying: bytes, path: name))
    }
}

/// Builds safetensors bytes from a header JSON string and raw data.
func safetensorsBytes(header: String, data: [UInt8], declaredLength: UInt64? = nil) -> [UInt8] {
    let json = Array(header.utf8)
    var bytes: [UInt8] = []
    withUnsafeBytes(of: (declaredLength ?? UInt64(json.count)).littleEndian) { bytes.append(contentsOf: $0) }
    return bytes + json + data
}

func floatBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
}

/// Where the real SmolLM2 GGUF is, if present.
enum SmolLM2 {
    static let fileName = "SmolLM2-135M-Instruct.Q4_1.gguf"
    static let path: String? = {
        var candidates: [String] = []
        if let cache = ProcessInfo.processInfo.environment["SWIFTLLM_MODEL_CACHE"] { candidates.append(cache + "/" + fileName) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".cache/models/" + fileName).path)
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }()
}
