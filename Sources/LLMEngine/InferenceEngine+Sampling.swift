import LLMRuntime

extension InferenceEngine {
    /// Enqueues the backend's `sample` op for the rows of `logits` (row r belongs to
    /// sequence `rows[r]`) whose requests allow it, where the backend prefers it; only
    /// ids and logprobs will cross the bus. Returns which rows it took.
    func enqueueSampling(_ logits: Tensor, rows: [Int]) throws -> [Bool] {
        let backend = model.backend
        let deviceSampling = options.sampleOnDevice ?? backend.samplesOnDevice
        let onDevice = rows.map { deviceSampling && sequences[$0]!.canSampleOnDevice }
        guard onDevice.contains(true) else { return onDevice }
        // Host rows ride along as greedy rows (no random number drawn) and are ignored.
        var settings = [DeviceSamplingRow]()
        settings.reserveCapacity(rows.count)
        for (r, sequence) in rows.enumerated() {
            settings.append(onDevice[r] ? sequences[sequence]!.deviceSamplingRow() : DeviceSamplingRow(temperature: 0))
        }
        let batch = try DeviceSamplingBatch.upload(settings, on: backend)
        let m = rows.count
        try backend.sample(logits: logits, params: batch, out: sampledIDs.rows(0..<m), logprobs: sampledLogprobs.rows(0..<m))
        return onDevice
    }

    /// One token per row: the device sampler's (waiting for the device), or sampled here
    /// from the row's logits with the request's own parameters. Nil for rows whose
    /// completion is gone since the step was enqueued.
    func readTokens(_ logits: Tensor, rows: [Int], onDevice: [Bool]) throws -> [SampledToken?] {
        let backend = model.backend
        let m = rows.count
        var ids = [Int32](repeating: 0, count: m), logprobs = [Float](repeating: 0, count: m)
        if onDevice.contains(true) {
            try ids.withUnsafeMutableBytes { try backend.read(sampledIDs.rows(0..<m), into: $0) }
            try logprobs.withUnsafeMutableBytes { try backend.read(sampledLogprobs.rows(0..<m), into: $0) }
        }
        var tokens = [SampledToken?]()
        tokens.reserveCapacity(m)
        for (r, sequence) in rows.enumerated() {
            guard let state = sequences[sequence] else {
                tokens.append(nil)
                continue
            }
            if onDevice[r] {
                tokens.append(SampledToken(id: Int(ids[r]), logprob: logprobs[r]))
            } else if let row = try backend.hostFloats(logits.rows(r..<(r + 1))) {
                // The sampler edits its row (penalties): this step's logits are not read again.
                tokens.append(state.sample(logits: row))
            } else {
                try hostLogits.withUnsafeMutableBytes { try backend.read(logits.rows(r..<(r + 1)), into: $0) }
                tokens.append(hostLogits.withUnsafeMutableBufferPointer { state.sample(logits: $0) })
            }
        }
        return tokens
    }
}
