import LLMCheckpoint
import Testing

/// Each corrupt GGUF gives the matching typed error, naming the field.
@Suite struct GGUFMalformedTests {
    private func parseError(_ builder: GGUFBuilder) -> CheckpointError? {
        #expect(throws: CheckpointError.self) { try builder.parse() }
    }

    private func parseError(_ bytes: [UInt8]) -> CheckpointError? {
        #expect(throws: CheckpointError.self) { try GGUFFile(file: MappedFile(copying: bytes, path: "built.gguf")) }
    }

    @Test func badMagic() {
        let error = parseError(GGUFBuilder(magic: Array("GGUX".utf8), tensorCount: 0, keyValueCount: 0))
        #expect(error == .malformed(file: "built.gguf", field: "magic", expected: "\"GGUF\" (47 47 55 46)", found: "47 47 55 58"))
    }

    @Test func versionOneIsRejected() {
        let error = parseError(GGUFBuilder(version: 1, tensorCount: 0, keyValueCount: 0))
        guard case let .unsupported(_, field, value) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(field == "GGUF version")
        #expect(value.hasPrefix("1 "))
        #expect(error?.description.contains("obsolete") == true)
    }

    @Test func otherVersionsAndByteOrder() {
        guard case let .unsupported(_, _, value) = parseError(GGUFBuilder(version: 4, tensorCount: 0, keyValueCount: 0)) else {
            Issue.record("version 4 accepted")
            return
        }
        #expect(value.hasPrefix("4 "))
        let bigEndian = parseError(GGUFBuilder(version: UInt32(3).byteSwapped, tensorCount: 0, keyValueCount: 0))
        guard case let .unsupported(_, field, _) = bigEndian else { Issue.record("big-endian accepted"); return }
        #expect(field == "GGUF byte order")
    }

    @Test func truncatedHeader() {
        let full = GGUFBuilder(tensorCount: 0, keyValueCount: 0).bytes
        #expect(parseError([]) == .truncated(file: "built.gguf", field: "magic", offset: 0, needed: 4, fileSize: 0))
        #expect(parseError(Array(full[0..<6])) == .truncated(file: "built.gguf", field: "version", offset: 4, needed: 4, fileSize: 6))
        #expect(parseError(Array(full[0..<12])) == .truncated(file: "built.gguf", field: "tensor count", offset: 8, needed: 8, fileSize: 12))
        #expect(parseError(Array(full[0..<20])) == .truncated(file: "built.gguf", field: "metadata count", offset: 16, needed: 8, fileSize: 20))
    }

    @Test func stringLengthPastEndOfFile() {
        var b = GGUFBuilder(tensorCount: 0, keyValueCount: 1)
        b.u64(1000)
        b.bytes += Array("short".utf8)
        guard case let .truncated(_, field, offset, needed, size) = parseError(b) else { Issue.record("accepted"); return }
        #expect(field.hasPrefix("metadata key #0"))
        #expect(offset == 32)
        #expect(needed == 1000)
        #expect(size == 37)

        var value = GGUFBuilder(tensorCount: 0, keyValueCount: 1)
        value.string("name")
        value.u32(8)
        value.u64(UInt64.max)
        guard case let .truncated(_, valueField, _, _, _) = parseError(value) else { Issue.record("accepted"); return }
        #expect(valueField.hasPrefix("metadata 'name'"))
    }

    @Test func hugeArrayCountFailsFast() {
        var b = GGUFBuilder(tensorCount: 0, keyValueCount: 1)
        b.string("tokenizer.ggml.tokens")
        b.u32(9)
        b.u32(8)
        b.u64(1 << 60)
        b.bytes += [UInt8](repeating: 0, count: 64)
        guard case let .malformed(_, field, expected, found) = parseError(b) else { Issue.record("accepted"); return }
        #expect(field == "element count of metadata 'tokenizer.ggml.tokens'")
        #expect(found == "\(1 << 60)")
        #expect(expected.contains("at most 8"))
    }

    @Test func hugeTensorAndKeyCountsFailFast() {
        guard case let .malformed(_, field, _, _) = parseError(GGUFBuilder(tensorCount: 1 << 60, keyValueCount: 0)) else {
            Issue.record("accepted")
            return
        }
        #expect(field == "tensor count")
        guard case let .malformed(_, kvField, _, _) = parseError(GGUFBuilder(tensorCount: 0, keyValueCount: UInt64.max)) else {
            Issue.record("accepted")
            return
        }
        #expect(kvField == "metadata count")
    }

    @Test func invalidUTF8() {
        var b = GGUFBuilder(tensorCount: 0, keyValueCount: 1)
        b.string("general.name")
        b.u32(8)
        b.rawString([0x61, 0xFF, 0xFE])
        guard case let .malformed(_, field, expected, _) = parseError(b) else { Issue.record("accepted"); return }
        #expect(field == "metadata 'general.name'")
        #expect(expected == "valid UTF-8 text")

        var key = GGUFBuilder(tensorCount: 0, keyValueCount: 1)
        key.rawString([0xC3])  // a lone lead byte
        key.u32(4)
        key.u32(1)
        guard case let .malformed(_, keyField, _, _) = parseError(key) else { Issue.record("accepted"); return }
        #expect(keyField == "metadata key #0")
    }

    @Test func tensorDataPastEndOfFile() {
        var b = GGUFBuilder(tensorCount: 1, keyValueCount: 0)
        b.tensorInfo("big", dims: [1000], type: 0, offset: 0)
        b.pad(to: 32)
        b.bytes += [UInt8](repeating: 0, count: 100)
        guard case let .truncated(_, field, offset, needed, size) = parseError(b) else { Issue.record("accepted"); return }
        #expect(field == "data of tensor 'big' (F32 [1000])")
        #expect(offset == 64)
        #expect(needed == 4000)
        #expect(size == 164)
    }

    @Test func badAlignment() {
        var b = GGUFBuilder(tensorCount: 0, keyValueCount: 1)
        b.keyU32("general.alignment", 48)
        #expect(parseError(b) == .malformed(file: "built.gguf", field: "general.alignment", expected: "a power of two", found: "48"))
        var zero = GGUFBuilder(tensorCount: 0, keyValueCount: 1)
        zero.keyU32("general.alignment", 0)
        #expect(parseError(zero) == .malformed(file: "built.gguf", field: "general.alignment", expected: "a power of two", found: "0"))
        var text = GGUFBuilder(tensorCount: 0, keyValueCount: 1)
        text.keyString("general.alignment", "32")
        guard case let .malformed(_, field, _, _) = parseError(text) else { Issue.record("accepted"); return }
        #expect(field == "general.alignment")
    }

    @Test func overlappingTensors() throws {
        // Two 64-byte f32 tensors, the second starting inside the first.
        var b = GGUFBuilder(tensorCount: 2, keyValueCount: 0)
        b.tensorInfo("a", dims: [16], type: 0, offset: 0)
        b.tensorInfo("b", dims: [16], type: 0, offset: 32)
        b.pad(to: 32)
        b.bytes += [UInt8](repeating: 0, count: 96)
        #expect(parseError(b) == .malformed(file: "built.gguf", field: "data offset of tensor 'b'",
                                            expected: "an offset at or after 64, where tensor 'a' ends", found: "32"))
        var adjacent = GGUFBuilder(tensorCount: 2, keyValueCount: 0)
        adjacent.tensorInfo("a", dims: [16], type: 0, offset: 64)
        adjacent.tensorInfo("b", dims: [16], type: 0, offset: 0)
        adjacent.pad(to: 32)
        adjacent.bytes += [UInt8](repeating: 0, count: 128)
        #expect(try adjacent.parse().tensors.count == 2)
    }

    @Test func misalignedTensorOffset() {
        var b = GGUFBuilder(tensorCount: 1, keyValueCount: 0)
        b.tensorInfo("x", dims: [2], type: 0, offset: 4)
        b.pad(to: 32)
        b.bytes += [UInt8](repeating: 0, count: 64)
        guard case let .malformed(_, field, expected, found) = parseError(b) else { Issue.record("accepted"); return }
        #expect(field == "data offset of tensor 'x'")
        #expect(expected == "a multiple of the alignment 32")
        #expect(found == "4")
        // 2^63 is a multiple of 32 but no offset in any file.
        var huge = GGUFBuilder(tensorCount: 1, keyValueCount: 0)
        huge.tensorInfo("x", dims: [2], type: 0, offset: 1 << 63)
        huge.pad(to: 32)
        #expect(parseError(huge) == .malformed(file: "built.gguf", field: "data offset of tensor 'x'", expected: "an offset below 2^63",
                                               found: "9223372036854775808"))
    }

    @Test func duplicateNames() {
        var b = GGUFBuilder(tensorCount: 2, keyValueCount: 0)
        b.tensorInfo("w", dims: [2], type: 0, offset: 0)
        b.tensorInfo("w", dims: [2], type: 0, offset: 32)
        b.pad(to: 32)
        b.bytes += [UInt8](repeating: 0, count: 64)
        #expect(parseError(b) == .malformed(file: "built.gguf", field: "tensor #1 name", expected: "unique tensor names", found: "a second 'w'"))

        var keys = GGUFBuilder(tensorCount: 0, keyValueCount: 2)
        keys.keyU32("a", 1)
        keys.keyU32("a", 2)
        #expect(parseError(keys) == .malformed(file: "built.gguf", field: "metadata key #1", expected: "unique keys", found: "a second 'a'"))
    }

    @Test func badTypesAndDimensions() {
        var valueType = GGUFBuilder(tensorCount: 0, keyValueCount: 1)
        valueType.string("k")
        valueType.u32(13)
        valueType.u32(0)
        #expect(parseError(valueType) == .malformed(file: "built.gguf", field: "type of metadata 'k'", expected: "a GGUF value type (0...12)", found: "13"))

        var boolean = GGUFBuilder(tensorCount: 0, keyValueCount: 1)
        boolean.string("flag")
        boolean.u32(7)
        boolean.u8(2)
        #expect(parseError(boolean) == .malformed(file: "built.gguf", field: "metadata 'flag'", expected: "a bool (0 or 1)", found: "2"))

        var dims = GGUFBuilder(tensorCount: 1, keyValueCount: 0)
        dims.tensorInfo("t", dims: [1, 1, 1, 1, 1], type: 0, offset: 0)
        #expect(parseError(dims) == .malformed(file: "built.gguf", field: "dimension count of tensor 't'", expected: "at most 4", found: "5"))

        var block = GGUFBuilder(tensorCount: 1, keyValueCount: 0)
        block.tensorInfo("q", dims: [33, 2], type: 2, offset: 0)
        guard case let .malformed(_, field, expected, _) = parseError(block) else { Issue.record("accepted"); return }
        #expect(field == "dimensions of tensor 'q'")
        #expect(expected.contains("multiple of 32"))

        var overflow = GGUFBuilder(tensorCount: 1, keyValueCount: 0)
        overflow.tensorInfo("o", dims: [1 << 40, 1 << 40], type: 0, offset: 0)
        guard case let .malformed(_, overflowField, _, _) = parseError(overflow) else { Issue.record("accepted"); return }
        #expect(overflowField == "dimensions of tensor 'o'")
    }

    @Test func deeplyNestedArraysAreRejected() {
        var b = GGUFBuilder(tensorCount: 0, keyValueCount: 1)
        b.string("deep")
        b.u32(9)
        for _ in 0..<20 {
            b.u32(9)
            b.u64(1)
        }
        b.bytes += [UInt8](repeating: 0, count: 64)
        guard case let .unsupported(_, field, value) = parseError(b) else { Issue.record("accepted"); return }
        #expect(field.hasPrefix("metadata 'deep'"))
        #expect(value.contains("nested deeper than 8"))
    }

    @Test func errorMessagesAreReadable() {
        let truncated = CheckpointError.truncated(file: "m.gguf", field: "version", offset: 4, needed: 4, fileSize: 6)
        #expect(truncated.description == "m.gguf: file is truncated: version at byte offset 4 needs 4 bytes, but the file has only 6 bytes")
        let malformed = CheckpointError.malformed(file: "m.gguf", field: "general.alignment", expected: "a power of two", found: "48")
        #expect(malformed.description == "m.gguf: malformed general.alignment: expected a power of two, found 48")
        #expect(malformed.path == "m.gguf")
    }
}
