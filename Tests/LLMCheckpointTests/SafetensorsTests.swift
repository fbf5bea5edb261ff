import Foundation
import LLMCheckpoint
import LLMRuntime
import Testing

@Suite struct SafetensorsTests {
    private func parseError(_ bytes: [UInt8]) -> CheckpointError? {
        #expect(throws: CheckpointError.self) { try SafetensorsFile(file: MappedFile(copying: bytes, path: "built.safetensors")) }
    }

    @Test func singleFile() throws {
        let file = try SafetensorsFile(path: Fixture.path("st_single/model.safetensors"))
        #expect(file.metadata == ["format": "pt", "note": "fixture"])
        #expect(Set(file.tensorNames) == ["a.f32", "b.f16", "c.bf16", "d.i64", "e.f8"])
        let a = try file.tensor(named: "a.f32")
        #expect(a.shape == [3, 4])
        #expect(a.dtype == .f32)
        #expect(a.owner === file.file)
        #expect(try file.dequantized(named: "a.f32") == (0..<12).map { Float($0) * 0.5 - 3 })
        #expect(try file.tensor(named: "b.f16").shape == [2, 3])
        #expect(try file.dequantized(named: "b.f16") == (0..<6).map { Float($0) * 0.25 - 0.5 })
        #expect(try file.tensor(named: "c.bf16").dtype == .bf16)
        #expect(try file.dequantized(named: "c.bf16") == [1, -2.5, 0.15625, 65536])
        #expect(try file.tensor(named: "e.f8").dtype == .f8_e4m3)
        #expect(try file.dequantized(named: "e.f8") == [0.5, -1, 448, 0])
        let i64 = try #require(file.info(named: "d.i64"))
        #expect(i64.dtype == nil)
        #expect(i64.dtypeName == "I64")
        #expect(i64.shape == [2])
        #expect(i64.byteCount == 16)
        #expect(throws: CheckpointError.unsupported(file: file.path, field: "dtype of tensor 'd.i64'", value: "I64")) {
            try file.tensor(named: "d.i64")
        }
    }

    @Test func sharded() throws {
        let checkpoint = try SafetensorsCheckpoint(directory: Fixture.path("st_sharded"))
        #expect(checkpoint.files.count == 2)
        #expect(checkpoint.tensorNames == [
            "lm_head.weight", "model.embed_tokens.weight", "model.layers.0.missing.weight", "model.norm.weight",
        ])
        let source = SafetensorsWeightSource(checkpoint)
        #expect(try source.dequantized("model.embed_tokens.weight") == (0..<8).map(Float.init))
        #expect(try source.tensor("model.embed_tokens.weight").shape == [4, 2])
        #expect(try source.dequantized("model.norm.weight") == [1, 2])
        #expect(try source.tensor("lm_head.weight").dtype == .f16)
        #expect(try source.dequantized("lm_head.weight") == (0..<8).map { Float($0) - 4 })
        #expect(checkpoint.file(containing: "lm_head.weight")?.path.hasSuffix("model-00002-of-00002.safetensors") == true)
    }

    @Test func shardedReportsWhereAMissingTensorWasExpected() throws {
        let directory = Fixture.path("st_sharded")
        let source = try SafetensorsWeightSource(path: directory)
        #expect(throws: CheckpointError.missingTensor(
            file: directory + "/model-00002-of-00002.safetensors", name: "model.layers.0.missing.weight")) {
            try source.tensor("model.layers.0.missing.weight")
        }
        #expect(throws: CheckpointError.missingTensor(file: directory + "/model.safetensors.index.json", name: "nope")) {
            try source.tensor("nope")
        }
    }

    @Test func folderWithoutWeights() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = #expect(throws: CheckpointError.self) { try SafetensorsCheckpoint(directory: directory.path) }
        guard case let .missingFile(path, expected) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(path == directory.path + "/model.safetensors")
        #expect(expected.contains("model.safetensors.index.json"))

        // Two unrelated files and no index: ambiguous, so still an error.
        let shard = try Fixture.bytes("st_sharded/model-00002-of-00002.safetensors")
        try Data(shard).write(to: directory.appendingPathComponent("a.safetensors"))
        try Data(shard).write(to: directory.appendingPathComponent("b.safetensors"))
        let ambiguous = #expect(throws: CheckpointError.self) { try SafetensorsCheckpoint(directory: directory.path) }
        #expect(ambiguous?.description.contains("found 2 other .safetensors files") == true)
    }

    @Test func folderWithOneDifferentlyNamedFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(Fixture.bytes("st_sharded/model-00002-of-00002.safetensors"))
            .write(to: directory.appendingPathComponent("weights.safetensors"))
        let checkpoint = try SafetensorsCheckpoint(directory: directory.path)
        #expect(checkpoint.tensorNames == ["lm_head.weight"])
    }

    @Test func misalignedDataIsCopiedToAlignedMemory() throws {
        let header = #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} "#  // 57 bytes: data at 65
        let bytes = safetensorsBytes(header: header, data: floatBytes([1.25, -3]))
        let file = try SafetensorsFile(file: MappedFile(copying: bytes, path: "odd.safetensors"))
        #expect(file.dataOffset % 4 != 0)
        let tensor = try file.tensor(named: "x")
        #expect(Int(bitPattern: tensor.data) % 4 == 0)
        #expect(try file.dequantized(named: "x") == [1.25, -3])
    }

    @Test func headerLengthPastEndOfFile() {
        let bytes = safetensorsBytes(header: "{}", data: [], declaredLength: 1 << 40)
        #expect(parseError(bytes) == .truncated(file: "built.safetensors", field: "JSON header", offset: 8, needed: 1 << 40, fileSize: 10))
        #expect(parseError([1, 0, 0]) == .truncated(file: "built.safetensors", field: "header length", offset: 0, needed: 8, fileSize: 3))
    }

    @Test func headerNotJSON() {
        guard case let .malformed(_, field, _, _) = parseError(safetensorsBytes(header: "not json at all", data: [])) else {
            Issue.record("accepted")
            return
        }
        #expect(field == "JSON header")
        guard case let .malformed(_, arrayField, _, _) = parseError(safetensorsBytes(header: "[1, 2]", data: [])) else {
            Issue.record("accepted")
            return
        }
        #expect(arrayField == "JSON header")
        let invalid = Array(#"{"a": ""#.utf8) + [0xFF] + Array(#""}"#.utf8)
        var bytes: [UInt8] = [UInt8(invalid.count), 0, 0, 0, 0, 0, 0, 0]
        bytes += invalid
        guard case let .malformed(_, _, expected, _) = parseError(bytes) else {
            Issue.record("accepted")
            return
        }
        #expect(expected == "UTF-8 text")
    }

    @Test func unknownDType() {
        let header = #"{"w":{"dtype":"Q9","shape":[2],"data_offsets":[0,2]}}"#
        #expect(parseError(safetensorsBytes(header: header, data: [0, 0])) ==
            .unsupported(file: "built.safetensors", field: "dtype of tensor 'w'", value: "'Q9'"))
    }

    @Test func offsetsMismatchingShape() {
        let header = #"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}"#
        #expect(parseError(safetensorsBytes(header: header, data: [UInt8](repeating: 0, count: 24))) ==
            .malformed(file: "built.safetensors", field: "data_offsets of tensor 'w'", expected: "24 bytes for F32 [2, 3]", found: "20 bytes [0, 20]"))
        let reversed = #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}"#
        guard case let .malformed(_, field, _, _) = parseError(safetensorsBytes(header: reversed, data: [UInt8](repeating: 0, count: 8))) else {
            Issue.record("accepted")
            return
        }
        #expect(field == "data_offsets of tensor 'w'")
        let negative = #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#
        guard case let .malformed(_, shapeField, _, _) = parseError(safetensorsBytes(header: negative, data: [0, 0, 0, 0])) else {
            Issue.record("accepted")
            return
        }
        #expect(shapeField == "shape of tensor 'w'")
    }

    @Test func overlappingTensors() throws {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        #expect(parseError(safetensorsBytes(header: header, data: [UInt8](repeating: 0, count: 12))) ==
            .malformed(file: "built.safetensors", field: "data_offsets of tensor 'b'",
                       expected: "a range after tensor 'a', which ends at 8", found: "[4, 12]"))
        // End to end, with an empty tensor between, is fine.
        let adjacent = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"e":{"dtype":"F32","shape":[0],"data_offsets":[8,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        let file = try SafetensorsFile(file: MappedFile(copying: safetensorsBytes(header: adjacent, data: [UInt8](repeating: 0, count: 12)), path: "built.safetensors"))
        #expect(file.tensors.map(\.name) == ["a", "b", "e"])
    }

    @Test func offsetsPastEndOfFile() {
        let header = #"{"w":{"dtype":"BF16","shape":[4],"data_offsets":[0,8]}}"#
        guard case let .truncated(_, field, _, needed, _) = parseError(safetensorsBytes(header: header, data: [0, 0])) else {
            Issue.record("accepted")
            return
        }
        #expect(field == "data of tensor 'w'")
        #expect(needed == 8)
    }

    @Test func badMetadataAndEntries() {
        let metadata = #"{"__metadata__":{"format":1}}"#
        guard case let .malformed(_, field, _, _) = parseError(safetensorsBytes(header: metadata, data: [])) else {
            Issue.record("accepted")
            return
        }
        #expect(field == "__metadata__")
        let entry = #"{"w":[1,2]}"#
        guard case let .malformed(_, entryField, _, _) = parseError(safetensorsBytes(header: entry, data: [])) else {
            Issue.record("accepted")
            return
        }
        #expect(entryField == "entry of tensor 'w'")
    }
}
