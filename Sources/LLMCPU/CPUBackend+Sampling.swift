import CLLMKernels
import LLMRuntime

extension CPUBackend {
    /// The reference device sampler: the host `Sampler`'s penalties and draw over each row,
    /// with the row's uniform number taken from `params` (see `Backend.sample`).
    public func sample(logits: Tensor, params: DeviceSamplingBatch, out: Tensor, logprobs: Tensor?) throws {
        let (m, vocab) = try OpShapes.sample(logits: logits, params: params, out: out, logprobs: logprobs)
        let starts = try params.penaltyRowStart.int32s("sample")
        let entries = params.penaltyEntries
        guard starts[0] == 0, starts[m] == Int32(entries), (0..<m).allSatisfy({ starts[$0] <= starts[$0 + 1] }) else {
            throw RuntimeError.invalidArgument(op: "sample", reason: "penalty row starts must rise from 0 to \(entries)")
        }
        var args = llm_sample_params(
            rows: Int64(m), vocab: Int64(vocab),
            temperature: try params.temperature.floats("sample"), top_k: try params.topK.int32s("sample"),
            top_p: try params.topP.floats("sample"), min_p: try params.minP.floats("sample"),
            repetition_penalty: try params.repetitionPenalty.floats("sample"),
            presence_penalty: try params.presencePenalty.floats("sample"),
            frequency_penalty: try params.frequencyPenalty.floats("sample"),
            uniform_bits: UnsafePointer(OpaquePointer(try params.uniformBits.int32s("sample"))),
            penalty_row_start: starts, penalty_ids: try params.penaltyTokenIDs.int32s("sample"),
            penalty_counts: try params.penaltyGeneratedCounts.int32s("sample"),
            penalty_in_prompt: try params.penaltyInPrompt.int32s("sample"))
        guard llm_sample(pool, try logits.floats("sample"), &args, try out.int32s("sample"), try logprobs?.floats("sample")) else {
            throw RuntimeError.outOfMemory(requestedBytes: 16 * vocab)
        }
    }
}
