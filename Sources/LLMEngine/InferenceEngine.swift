import Foundation
import LLMModels
import LLMRuntime
import LLMTokenizer

/// Runs requests on one model: chunked prefill, then one token per step, sampling on
/// the host. This is the single-request loop; the scheduler that batches many
/// requests replaces `generate`'s loop and keeps its pieces (batch builder, block
/// allocator, sampler, stop checker, detokenizer).
public final class InferenceEngine {
    public let model: any CausalLM
    public let tokenizer: Tokenizer
    public let options: EngineOptions
    /// Prompt plus generated tokens one request may reach.
    public let maxModelLength: Int
    public let eosTokenIDs: [Int]
    let cache: PagedKVCache
    var blocks: KVBlockAllocator
    let batchBuilder: ForwardBatchBuilder
    private var logitsBuffer: [Float]
    private let graphs: DecodeGraphs
    /// Device outputs of the sampler: one token id and its logprob.
    private let sampledIDs: Tensor
    private let sampledLogprobs: Tensor

    public init(model: any CausalLM, tokenizer: Tokenizer, eosTokenIDs: [Int], options: EngineOptions) throws {
        let spec = model.spec
        guard options.blockSize > 0, options.blockSize <= 1024 else {
            throw EngineError.invalidOption(field: "blockSize", expected: "1...1024", found: "\(options.blockSize)")
        }
        guard options.maxBatchTokens > 0 else {
            throw EngineError.invalidOption(field: "maxBatchTokens", expected: "a positive count", found: "\(options.maxBatchTokens)")
        }
        let bytesPerToken = PagedKVCache.bytesPerToken(layers: spec.layers, kvHeads: spec.kvHeads, headDim: spec.headDim,
                                                       dtype: model.backend.activationDType)
        let blockCount = options.kvCacheBytes / (bytesPerToken * options.blockSize)
        guard blockCount >= 1 else {
            throw EngineError.invalidOption(field: "kvCacheBytes", expected: "at least \(bytesPerToken * options.blockSize) bytes (one block)",
                                            found: "\(options.kvCacheBytes)")
        }
        var length = min(spec.maxPositions, blockCount * options.blockSize)
        if let cap = options.maxModelLength {
            guard cap > 1 else { throw EngineError.invalidOption(field: "maxModelLength", expected: "at least 2", found: "\(cap)") }
            length = min(length, cap)
        }
        self.model = model
        self.tokenizer = tokenizer
        self.options = options
        self.eosTokenIDs = eosTokenIDs
        maxModelLength = length
        cache = try PagedKVCache(backend: model.backend, layers: spec.layers, numBlocks: blockCount, blockSize: options.blockSize,
                                 kvHeads: spec.kvHeads, headDim: spec.headDim, dtype: model.backend.activationDType)
        blocks = KVBlockAllocator(blockCount: blockCount)
        batchBuilder = try ForwardBatchBuilder(backend: model.backend, maxTokens: options.maxBatchTokens, maxSequences: 1,
                                               maxBlocksPerSequence: (length + options.blockSize - 1) / options.blockSize,
                                               blockSize: options.blockSize)
        logitsBuffer = [Float](repeating: 0, count: spec.vocabSize)
        graphs = DecodeGraphs(enabled: options.recordDecodeSteps)
        sampledIDs = try model.backend.allocate(shape: [1], dtype: .i32)
        sampledLogprobs = try model.backend.allocate(shape: [1], dtype: .f32)
    }

    /// Token ids of a prompt, checked against the vocabulary and the context length.
    public func promptTokens(_ prompt: Prompt) throws -> [Int] {
        let ids: [Int]
        switch prompt {
        case let .text(text): ids = tokenizer.encode(text, addSpecialTokens: true)
        case let .tokens(tokens): ids = tokens
        }
        guard !ids.isEmpty else { throw EngineError.invalidRequest(field: "prompt", reason: "is empty") }
        if let bad = ids.first(where: { $0 < 0 || $0 >= model.spec.vocabSize }) {
            throw EngineError.invalidRequest(field: "prompt", reason: "token id \(bad) is outside the vocabulary 0..<\(model.spec.vocabSize)")
        }
        guard ids.count < maxModelLength else { throw EngineError.promptTooLong(tokens: ids.count, limit: maxModelLength) }
        return ids
    }

    /// Generates for one request, calling `onOutput` after every step.
    public func generate(_ request: GenerationRequest, onOutput: (GenerationOutput) throws -> Void = { _ in }) throws -> GenerationResult {
        do {
            try request.params.validate(vocabSize: model.spec.vocabSize)
        } catch {
            throw EngineError.invalidRequest(field: error.field, reason: error.description)
        }
        let prompt = try promptTokens(request.prompt)
        var params = request.params
        let room = maxModelLength - prompt.count
        params.maxTokens = min(params.maxTokens ?? room, room)
        var sequence = SequenceState(prompt: prompt, params: params, eosTokenIDs: eosTokenIDs, tokenizer: tokenizer)
        defer { blocks.release(sequence.blockTable) }

        let start = DispatchTime.now().uptimeNanoseconds
        var firstTokenAt: UInt64 = 0
        var all = prompt.map(Int32.init)
        var computed = 0
        var result = GenerationResult(promptTokenIDs: prompt, tokenIDs: [], text: "", logprobs: [], finishReason: .length,
                                      timings: GenerationTimings(promptTokens: prompt.count, generatedTokens: 0, prefillSeconds: 0, decodeSeconds: 0))
        while true {
            let chunkEnd = min(all.count, computed + options.maxBatchTokens)
            try reserveBlocks(&sequence, upTo: chunkEnd)
            let chunk = SequenceChunk(tokens: Array(all[computed..<chunkEnd]), startPosition: computed,
                                      blockTable: sequence.blockTable, needsLogits: chunkEnd == all.count)
            let batch = try batchBuilder.build([chunk])
            let logits = try graphs.forward(model, batch, cache: cache)
            computed = chunkEnd
            guard chunk.needsLogits else { continue }
            let output = try sample(logits.rows(0..<1), for: &sequence)
            if firstTokenAt == 0 { firstTokenAt = DispatchTime.now().uptimeNanoseconds }
            result.tokenIDs.append(contentsOf: output.tokenIDs)
            result.text += output.textDelta
            result.logprobs.append(contentsOf: output.logprobs)
            try onOutput(output)
            if let reason = output.finishReason {
                result.finishReason = reason
                break
            }
            all.append(contentsOf: output.tokenIDs.map(Int32.init))
        }
        let end = DispatchTime.now().uptimeNanoseconds
        result.timings.generatedTokens = result.tokenIDs.count
        result.timings.prefillSeconds = Double(firstTokenAt - start) / 1e9
        result.timings.decodeSeconds = Double(end - firstTokenAt) / 1e9
        return result
    }

    /// One token for `sequence` from its logits row: on the device where the backend
    /// prefers it and the request allows it (only the id and its logprob cross the bus),
    /// else on the host.
    private func sample(_ logits: Tensor, for sequence: inout SequenceState) throws -> GenerationOutput {
        let backend = model.backend
        if options.sampleOnDevice ?? backend.samplesOnDevice, sequence.canSampleOnDevice {
            let batch = try DeviceSamplingBatch.upload([sequence.deviceSamplingRow()], on: backend)
            try backend.sample(logits: logits, params: batch, out: sampledIDs, logprobs: sampledLogprobs)
            var id: Int32 = 0, logprob: Float = 0
            try withUnsafeMutableBytes(of: &id) { try backend.read(sampledIDs, into: $0) }
            try withUnsafeMutableBytes(of: &logprob) { try backend.read(sampledLogprobs, into: $0) }
            return sequence.accept(SampledToken(id: Int(id), logprob: logprob))
        }
        try logitsBuffer.withUnsafeMutableBytes { try backend.read(logits, into: $0) }
        return logitsBuffer.withUnsafeMutableBufferPointer { sequence.step(logits: $0) }
    }

    private func reserveBlocks(_ sequence: inout SequenceState, upTo tokens: Int) throws {
        let needed = (tokens + options.blockSize - 1) / options.blockSize - sequence.blockTable.count
        guard needed > 0 else { return }
        guard let new = blocks.allocate(needed) else {
            throw EngineError.promptExceedsCache(tokens: tokens, capacity: blocks.blockCount * options.blockSize)
        }
        sequence.blockTable.append(contentsOf: new)
    }
}
