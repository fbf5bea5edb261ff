import Foundation
import LLMCheckpoint
import LLMRuntime
import Testing

/// Random truncations and byte flips of every fixture: each mutated file must either
/// parse (and then read and convert every tensor) or throw a `CheckpointError`. A crash
/// fails the whole test run. Seeded, so failures reproduce.
@Suite struct FuzzTests {
    static let ggufFixtures = ["all_types.gguf", "llama_permuted.gguf", "qwen3_meta.gguf"]
    static let safetensorsFixtures = [
        "st_single/model.safetensors", "llama_hf.safetensors", "st_sharded/model-00001-of-00002.safetensors",
    ]
    /// Per fixture and kind; SWIFTLLM_FUZZ_ITERATIONS raises it for a longer local run.
    static let iterations = ProcessInfo.processInfo.environment["SWIFTLLM_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 320

    enum Outcome: Equatable { case parsed, rejected }

    /// Parses `bytes` and exercises everything readable; returns whether it parsed.
    static func exercise(_ bytes: [UInt8], gguf: Bool) -> Outcome? {
        do {
            let mapped = MappedFile(copying: bytes, path: "fuzz")
            if gguf {
                let file = try GGUFFile(file: mapped)
                for info in file.tensors where info.dtype != nil {
                    _ = try? file.dequantized(named: info.name)
                }
                _ = try? file.huggingFaceConfigJSON()
                if let source = try? GGUFWeightSource(file) {
                    for name in source.tensorNames { _ = try? source.dequantized(name) }
                }
            } else {
                let file = try SafetensorsFile(file: mapped)
                for info in file.tensors { _ = try? file.dequantized(named: info.name) }
            }
            return .parsed
        } catch is CheckpointError {
            return .rejected
        } catch {
            Issue.record("non-CheckpointError thrown: \(error)")
            return nil
        }
    }

    @Test(arguments: ggufFixtures + safetensorsFixtures)
    func truncations(fixture: String) throws {
        let original = try Fixture.bytes(fixture)
        let gguf = fixture.hasSuffix(".gguf")
        #expect(Self.exercise(original, gguf: gguf) == .parsed)
        var rng = SplitMix64(state: 0x5EED_0001 &+ UInt64(fixture.utf8.count))
        var rejected = 0
        for iteration in 0..<Self.iterations {
            // Every length of the first 64 bytes, then random cut points.
            let length = iteration < 64 ? iteration : Int.random(in: 0..<original.count, using: &rng)
            if Self.exercise(Array(original[0..<length]), gguf: gguf) == .rejected { rejected += 1 }
        }
        // Any cut short of the last tensor's data must be rejected.
        #expect(rejected > Self.iterations / 2, "\(fixture): only \(rejected) truncations rejected")
    }

    @Test(arguments: ggufFixtures + safetensorsFixtures)
    func byteFlips(fixture: String) throws {
        let original = try Fixture.bytes(fixture)
        let gguf = fixture.hasSuffix(".gguf")
        let headerEnd: Int
        if gguf {
            headerEnd = try GGUFFile(path: Fixture.path(fixture)).dataOffset
        } else {
            headerEnd = try SafetensorsFile(path: Fixture.path(fixture)).dataOffset
        }
        var rng = SplitMix64(state: 0xF11B_0002 &+ UInt64(fixture.utf8.count))
        var outcomes: [Outcome: Int] = [:]
        for _ in 0..<Self.iterations {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                // Mostly hit the header, where parsing decisions are made.
                let limit = Bool.random(using: &rng) || headerEnd >= bytes.count ? headerEnd : bytes.count
                let position = Int.random(in: 0..<limit, using: &rng)
                if Bool.random(using: &rng) {
                    bytes[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
                } else {
                    bytes[position] = [0x00, 0xFF, 0x7F, 0x80, UInt8.random(in: 0...255, using: &rng)].randomElement(using: &rng) ?? 0
                }
            }
            if let outcome = Self.exercise(bytes, gguf: gguf) { outcomes[outcome, default: 0] += 1 }
        }
        #expect(outcomes.values.reduce(0, +) == Self.iterations)
        #expect((outcomes[.rejected] ?? 0) > 0, "\(fixture): no flip was rejected")
    }
}
