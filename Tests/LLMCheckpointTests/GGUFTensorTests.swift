import LLMCheckpoint
import LLMRuntime
import Testing

@Suite struct GGUFTensorTests {
    let file: GGUFFile

    init() throws {
        file = try GGUFFile(path: Fixture.path("all_types.gguf"))
    }

    @Test func tensorTable() throws {
        #expect(file.tensors.map(\.name) == [
            "t.f32", "t.f16", "t.bf16", "t.f32_1d", "t.q4_0", "t.q4_1", "t.q5_0", "t.q5_1", "t.q8_0",
            "t.q4_k", "t.q5_k", "t.q6_k", "t.q8_k", "t.q2_k",
        ])
        let f32 = try #require(file.info(named: "t.f32"))
        #expect(f32.dimensions == [4, 3, 2])
        #expect(f32.shape == [2, 3, 4])
        #expect(f32.ggmlType == 0)
        #expect(f32.dtype == .f32)
        #expect(f32.byteCount == 96)
        #expect(f32.offset == 0)
        let q4k = try #require(file.info(named: "t.q4_k"))
        #expect(q4k.dimensions == [512, 2])
        #expect(q4k.ggmlType == 12)
        #expect(q4k.dtype == .q4_K)
        #expect(q4k.byteCount == 4 * 144)
        #expect(q4k.offset % 64 == 0)
        for info in file.tensors { #expect(info.offset % file.alignment == 0) }
        let types = Dictionary(uniqueKeysWithValues: file.tensors.map { ($0.name, $0.ggmlType) })
        #expect(types["t.f16"] == 1)
        #expect(types["t.bf16"] == 30)
        #expect(types["t.q4_0"] == 2)
        #expect(types["t.q4_1"] == 3)
        #expect(types["t.q5_0"] == 6)
        #expect(types["t.q5_1"] == 7)
        #expect(types["t.q8_0"] == 8)
        #expect(types["t.q5_k"] == 13)
        #expect(types["t.q6_k"] == 14)
        #expect(types["t.q8_k"] == 15)
    }

    @Test func zeroCopyViews() throws {
        let tensor = try file.tensor(named: "t.q8_0")
        #expect(tensor.shape == [2, 64])
        #expect(tensor.dtype == .q8_0)
        #expect(tensor.byteCount == 4 * 34)
        #expect(tensor.owner === file.file)
        let info = try #require(file.info(named: "t.q8_0"))
        #expect(tensor.data == file.file.base + file.dataOffset + info.offset)
    }

    @Test(arguments: [
        "t.f32", "t.f16", "t.bf16", "t.f32_1d", "t.q4_0", "t.q4_1", "t.q5_0", "t.q5_1", "t.q8_0",
        "t.q4_k", "t.q5_k", "t.q6_k", "t.q8_k",
    ])
    func dequantisationMatchesGGUFPy(name: String) throws {
        let expected = try #require(try Fixture.expectedValues()[name])
        let values = try file.dequantized(named: name)
        #expect(values.count == expected.count)
        #expect(expected.contains { $0 != 0 })
        var worst: Float = 0
        for (value, reference) in zip(values, expected) {
            let error = abs(value - reference) / max(abs(reference), 1e-30)
            worst = max(worst, reference == 0 ? abs(value) : error)
        }
        #expect(worst <= 1e-6, "\(name): worst relative error \(worst)")
    }

    @Test func unsupportedTypeIsListedButNotReadable() throws {
        let info = try #require(file.info(named: "t.q2_k"))
        #expect(info.dtype == nil)
        #expect(info.ggmlType == 10)
        #expect(info.ggmlTypeName == "Q2_K")
        #expect(info.byteCount == 84)
        let error = #expect(throws: CheckpointError.self) { try file.tensor(named: "t.q2_k") }
        guard case let .unsupported(path, field, value) = error else {
            Issue.record("expected unsupported, got \(String(describing: error))")
            return
        }
        #expect(path.hasSuffix("all_types.gguf"))
        #expect(field.contains("t.q2_k"))
        #expect(value.contains("Q2_K"))
    }

    @Test func missingTensor() {
        let error = #expect(throws: CheckpointError.self) { try file.dequantized(named: "nope") }
        #expect(error == .missingTensor(file: Fixture.path("all_types.gguf"), name: "nope"))
        #expect(error?.description.contains("'nope' not found") == true)
    }

    @Test func unknownGGMLTypeRaisesOnlyWhenRead() throws {
        var b = GGUFBuilder(tensorCount: 2, keyValueCount: 0)
        b.tensorInfo("mystery", dims: [4], type: 99, offset: 0)
        b.tensorInfo("plain", dims: [2], type: 0, offset: 32)
        b.pad(to: 32)
        b.bytes += [UInt8](repeating: 0, count: 32) + floatBytes([1.5, -2])
        let file = try b.parse()
        let mystery = try #require(file.info(named: "mystery"))
        #expect(mystery.dtype == nil)
        #expect(mystery.byteCount == nil)
        #expect(mystery.ggmlTypeName == "unknown ggml type 99")
        #expect(try file.dequantized(named: "plain") == [1.5, -2])
        let error = #expect(throws: CheckpointError.self) { try file.tensor(named: "mystery") }
        guard case let .unsupported(_, field, value) = error else {
            Issue.record("expected unsupported, got \(String(describing: error))")
            return
        }
        #expect(field == "type of tensor 'mystery'")
        #expect(value.contains("99"))
    }
}
