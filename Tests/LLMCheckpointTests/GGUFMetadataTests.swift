import LLMCheckpoint
import Testing

@Suite struct GGUFMetadataTests {
    let file: GGUFFile

    init() throws {
        file = try GGUFFile(path: Fixture.path("all_types.gguf"))
    }

    @Test func header() throws {
        #expect(file.version == 3)
        #expect(file.alignment == 64)
        #expect(file.dataOffset % 64 == 0)
        #expect(file.architecture == "test")
        #expect(file.metadataKeys.first == "general.architecture")
        #expect(file.metadataKeys.count == file.metadata.count)
        let uint8 = try #require(file.metadataKeys.firstIndex(of: "test.uint8"))
        #expect(file.metadataKeys[uint8 + 1] == "test.int8")
    }

    @Test func scalarValuesRoundTrip() {
        let m = file.metadata
        #expect(m["test.uint8"] == .uint8(200))
        #expect(m["test.int8"] == .int8(-100))
        #expect(m["test.uint16"] == .uint16(60000))
        #expect(m["test.int16"] == .int16(-30000))
        #expect(m["test.uint32"] == .uint32(4_000_000_000))
        #expect(m["test.int32"] == .int32(-2_000_000_000))
        #expect(m["test.float32"] == .float32(0.15625))
        #expect(m["test.float32_eps"] == .float32(1e-5))
        #expect(m["test.bool_true"] == .bool(true))
        #expect(m["test.bool_false"] == .bool(false))
        #expect(m["test.string"] == .string("héllo wörld ✓ 🦙"))
        #expect(m["test.empty_string"] == .string(""))
        #expect(m["test.uint64"] == .uint64(UInt64.max))
        #expect(m["test.int64"] == .int64(-(1 << 62)))
        #expect(m["test.float64"] == .float64(3.141592653589793))
        #expect(m["general.alignment"] == .uint32(64))
    }

    @Test func accessors() {
        let m = file.metadata
        #expect(m["test.uint8"]?.int == 200)
        #expect(m["test.int64"]?.int == -(1 << 62))
        #expect(m["test.uint64"]?.int == nil)  // above Int.max
        #expect(m["test.uint32"]?.double == 4_000_000_000)
        #expect(m["test.float32_eps"]?.decimalDouble == 1e-5)
        #expect(m["test.float32_eps"]?.double == Double(Float(1e-5)))
        #expect(m["test.string"]?.string == "héllo wörld ✓ 🦙")
        #expect(m["test.string"]?.int == nil)
        #expect(m["test.bool_true"]?.bool == true)
        #expect(m["test.array.string"]?.strings == ["a", "", "ü"])
        #expect(m["test.array.int32"]?.ints == [-7, 0, 7])
        #expect(m["test.array.float32"]?.floats == [0.5, -1.25, 1e-5])
        #expect(m["test.array.int32"]?.strings == nil)
        #expect(m["test.array.uint8"]?.type == .array)
    }

    @Test func typedArraysRoundTrip() {
        let m = file.metadata
        #expect(m["test.array.uint8"] == .array(.uint8, [.uint8(1), .uint8(2), .uint8(255)]))
        #expect(m["test.array.int8"] == .array(.int8, [.int8(-128), .int8(0), .int8(127)]))
        #expect(m["test.array.uint16"] == .array(.uint16, [.uint16(0), .uint16(65535)]))
        #expect(m["test.array.int16"] == .array(.int16, [.int16(-32768), .int16(32767)]))
        #expect(m["test.array.uint32"] == .array(.uint32, [.uint32(0), .uint32(4_294_967_295)]))
        #expect(m["test.array.int32"] == .array(.int32, [.int32(-7), .int32(0), .int32(7)]))
        #expect(m["test.array.float32"] == .array(.float32, [.float32(0.5), .float32(-1.25), .float32(1e-5)]))
        #expect(m["test.array.bool"] == .array(.bool, [.bool(true), .bool(false), .bool(true)]))
        #expect(m["test.array.string"] == .array(.string, [.string("a"), .string(""), .string("ü")]))
        #expect(m["test.array.uint64"] == .array(.uint64, [.uint64(0), .uint64(UInt64.max)]))
        #expect(m["test.array.int64"] == .array(.int64, [.int64(Int64.min), .int64(Int64.max)]))
        #expect(m["test.array.float64"] == .array(.float64, [.float64(1e300), .float64(-0.0), .float64(0.1)]))
        if case let .array(_, values) = m["test.array.float64"], case let .float64(negativeZero) = values[1] {
            #expect(negativeZero.sign == .minus)
        } else {
            Issue.record("float64 array missing")
        }
    }

    @Test func nestedArraysRoundTrip() {
        let m = file.metadata
        #expect(m["test.array.nested_int"] == .array(.array, [
            .array(.int32, [.int32(1), .int32(2)]), .array(.int32, [.int32(3)]),
        ]))
        #expect(m["test.array.nested_string"] == .array(.array, [
            .array(.string, [.string("x")]), .array(.string, [.string("y"), .string("z")]),
        ]))
        #expect(m["test.array.nested3"] == .array(.array, [
            .array(.array, [.array(.int32, [.int32(1)])]),
            .array(.array, [.array(.int32, [.int32(2), .int32(3)]), .array(.int32, [.int32(4)])]),
        ]))
        #expect(m["test.array.nested_int"]?.array?.first?.ints == [1, 2])
    }

    @Test func builtFileWithEveryScalarType() throws {
        // Covers an empty array and a v2 file, which gguf-py cannot write.
        var b = GGUFBuilder(version: 2, tensorCount: 0, keyValueCount: 2)
        b.string("empty")
        b.u32(9)
        b.u32(8)
        b.u64(0)
        b.keyU32("k", 7)
        let file = try b.parse()
        #expect(file.version == 2)
        #expect(file.metadata["empty"] == .array(.string, []))
        #expect(file.metadata["empty"]?.strings == [])
        #expect(file.metadata["k"]?.int == 7)
        #expect(file.metadataKeys == ["empty", "k"])
        #expect(file.alignment == 32)
        #expect(file.tensors.isEmpty)
    }
}
