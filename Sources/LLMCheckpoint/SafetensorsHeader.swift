import Foundation

/// One value of a safetensors JSON header, decoded leniently so that validation can
/// report exactly which field of which tensor is wrong.
enum SafetensorsHeaderEntry: Decodable {
    case tensor(dtype: String?, shape: [Int]?, dataOffsets: [Int]?)
    case metadata([String: String])
    case other

    private enum Keys: String, CodingKey {
        case dtype, shape
        case dataOffsets = "data_offsets"
    }

    init(from decoder: Decoder) throws {
        if let container = try? decoder.container(keyedBy: Keys.self),
            container.contains(.dtype) || container.contains(.shape) || container.contains(.dataOffsets)
        {
            self = .tensor(
                dtype: try? container.decode(String.self, forKey: .dtype),
                shape: try? container.decode([Int].self, forKey: .shape),
                dataOffsets: try? container.decode([Int].self, forKey: .dataOffsets))
        } else if let strings = try? decoder.singleValueContainer().decode([String: String].self) {
            self = .metadata(strings)
        } else {
            self = .other
        }
    }

    /// Decodes the header bytes as a JSON object of entries.
    static func decodeHeader(_ bytes: UnsafeRawBufferPointer, file: String) throws -> [String: SafetensorsHeaderEntry] {
        let data = Data(bytes)
        guard String(data: data, encoding: .utf8) != nil else {
            throw CheckpointError.malformed(file: file, field: "JSON header", expected: "UTF-8 text", found: "invalid UTF-8")
        }
        do {
            return try JSONDecoder().decode([String: SafetensorsHeaderEntry].self, from: data)
        } catch {
            let start = String(decoding: data.prefix(40), as: UTF8.self)
            throw CheckpointError.malformed(
                file: file, field: "JSON header", expected: "a JSON object of tensor entries",
                found: "\(data.count) bytes starting \(start.debugDescription)")
        }
    }
}
