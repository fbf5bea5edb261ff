import Foundation
import SwiftLLM
import Testing

/// Cancelling a stream's consumer aborts its request and frees its blocks; shutting the
/// engine down finishes or cancels what is in flight.
@Suite("Cancellation and shutdown")
struct CancellationTests {
    /// Long enough that no request can finish before its consumer cancels it.
    static let endless = SamplingParams(temperature: 0, maxTokens: 8000, ignoreEOS: true)

    static func llm() throws -> LLM {
        try TinyEngine.llm(engine: EngineOptions(blockSize: 4, kvCacheBytes: 32 << 20), maxPositions: 8192)
    }

    /// Waits (briefly) until the engine has nothing left to run.
    func settled(_ llm: LLM) async throws -> EngineMetrics {
        for _ in 0..<500 {
            let m = llm.metrics()
            if m.runningSequences == 0 && m.waitingSequences == 0 && m.kvBlocksUsed == 0 { return m }
            try await Task.sleep(nanoseconds: 2_000_000)
        }
        return llm.metrics()
    }

    @Test("Cancelling consumers frees every block while other requests carry on")
    func cancelFreesBlocks() async throws {
        let llm = try Self.llm()
        let survivor = Task { [llm] in
            try llm.generate([.tokens(Array(0..<20))], params: SamplingParams(temperature: 0, maxTokens: 40, ignoreEOS: true))
        }
        var tasks = [Task<Int, Error>]()
        for i in 0..<6 {
            tasks.append(Task { [llm] in
                var count = 0
                for try await _ in llm.stream(GenerationRequest(prompt: .tokens(Array(i..<(i + 30))), params: Self.endless)) {
                    count += 1
                    if count == 3 + i { break }
                }
                return count
            })
        }
        for (i, task) in tasks.enumerated() { #expect(try await task.value == 3 + i) }
        #expect(try await survivor.value.first?.tokenIDs.count == 40)
        let metrics = try await settled(llm)
        #expect(metrics.kvBlocksUsed == 0)
        #expect(metrics.abortedSequences == 6)
    }

    @Test("Cancelling the consuming task stops the stream")
    func cancelTask() async throws {
        let llm = try Self.llm()
        let task = Task { [llm] in
            var count = 0
            for try await _ in llm.stream(GenerationRequest(prompt: .tokens([1, 2, 3]), params: Self.endless)) { count += 1 }
            return count
        }
        try await Task.sleep(nanoseconds: 20_000_000)
        task.cancel()
        _ = try? await task.value
        #expect(try await settled(llm).kvBlocksUsed == 0)
    }

    @Test("Shutdown finishes in-flight work by default, then rejects new requests")
    func shutdownFinishes() async throws {
        let llm = try Self.llm()
        let stream = llm.stream(GenerationRequest(prompt: .tokens([5, 6, 7]), params: SamplingParams(temperature: 0, maxTokens: 30, ignoreEOS: true)))
        llm.shutdown()
        var tokens = 0
        for try await output in stream { tokens += output.tokenIDs.count }
        #expect(tokens == 30)
        #expect(throws: EngineError.stopped) { try llm.generate(GenerationRequest(prompt: .tokens([1]), params: .greedy)) }
    }

    @Test("Shutdown can cancel in-flight work instead")
    func shutdownCancels() async throws {
        let llm = try Self.llm()
        let stream = llm.stream(GenerationRequest(prompt: .tokens([5, 6, 7]), params: Self.endless))
        llm.shutdown(.cancelInFlight)
        await #expect(throws: EngineError.stopped) {
            for try await _ in stream {}
        }
    }
}
