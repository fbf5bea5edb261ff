import LLMRuntime

extension InferenceEngine {
    /// One token for each row of `logits` (row r belongs to sequence `rows[r]`), each
    /// with its request's own parameters. Rows go to the backend's `sample` op where the
    /// backend prefers it and the request allows it (only ids and logprobs cross the
    /// bus); the others are read back and sampled on the host. A token's time is taken
    /// once it is on the host: the forward and the sampler run asynchronously on a GPU.
    /// Its time goes to ``StepPhaseSeconds``: until the ids are on the host to `sample`,
    /// accepting them (stop checks, detokenizing) to `finish`.
    func sample(_ logits: Tensor, rows: [Int]) throws -> [GenerationOutput] {
        let start = EngineClock.now()
        let backend = model.backend
        let m = rows.count
        let deviceSampling = options.sampleOnDevice ?? backend.samplesOnDevice
        let onDevice = rows.map { deviceSampling && sequences[$0]!.canSampleOnDevice }
        var ids = [Int32](repeating: 0, count: m), logprobs = [Float](repeating: 0, count: m)
        if onDevice.contains(true) {
            // Host rows ride along as greedy rows (no random number drawn) and are ignored.
            var settings = [DeviceSamplingRow]()
            settings.reserveCapacity(m)
            for (r, sequence) in rows.enumerated() {
                settings.append(onDevice[r] ? sequences[sequence]!.deviceSamplingRow() : DeviceSamplingRow(temperature: 0))
            }
            let batch = try DeviceSamplingBatch.upload(settings, on: backend)
            try backend.sample(logits: logits, params: batch, out: sampledIDs.rows(0..<m), logprobs: sampledLogprobs.rows(0..<m))
            try ids.withUnsafeMutableBytes { try backend.read(sampledIDs.rows(0..<m), into: $0) }
            try logprobs.withUnsafeMutableBytes { try backend.read(sampledLogprobs.rows(0..<m), into: $0) }
        }
        let sampledAt = EngineClock.now()
        counters.stepPhases.sample += sampledAt - start
        defer { counters.stepPhases.finish += EngineClock.now() - sampledAt }
        var outputs = [GenerationOutput]()
        outputs.reserveCapacity(m)
        for (r, sequence) in rows.enumerated() {
            if onDevice[r] {
                outputs.append(sequences[sequence]!.accept(SampledToken(id: Int(ids[r]), logprob: logprobs[r]), at: sampledAt))
            } else {
                try hostLogits.withUnsafeMutableBytes { try backend.read(logits.rows(r..<(r + 1)), into: $0) }
                let readAt = EngineClock.now()
                outputs.append(hostLogits.withUnsafeMutableBufferPointer { sequences[sequence]!.step(logits: $0, at: readAt) })
            }
        }
        return outputs
    }
}
