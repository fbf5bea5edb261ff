/// One row's sampling settings for ``Backend/sample(logits:params:out:logprobs:)``, on
/// the host. Field meanings and "off" values are those of the engine's `SamplingParams`.
/// Logit bias and min-tokens masking are not part of the device op: rows that need them
/// are sampled on the host (or the caller edits the logits first).
public struct DeviceSamplingRow: Sendable, Equatable {
    /// One token the penalties look at: how often it was generated, and whether the
    /// prompt contains it.
    public struct PenaltyEntry: Sendable, Equatable {
        public var tokenID: Int32
        public var generatedCount: Int32
        public var inPrompt: Bool

        public init(tokenID: Int32, generatedCount: Int32, inPrompt: Bool) {
            self.tokenID = tokenID
            self.generatedCount = generatedCount
            self.inPrompt = inPrompt
        }
    }

    /// Below ``DeviceSamplingBatch/greedyTemperature``: greedy argmax.
    public var temperature: Float
    /// `<= 0` (or at least the number of surviving tokens): off.
    public var topK: Int32
    /// `>= 1`: off.
    public var topP: Float
    /// `0`: off.
    public var minP: Float
    public var repetitionPenalty: Float
    public var presencePenalty: Float
    public var frequencyPenalty: Float
    /// The step's uniform number in `[0, 1)` from the request's own generator (unused
    /// when greedy).
    public var uniform: Double
    /// Prompt and generated tokens; duplicates are merged when the batch is built.
    public var penalties: [PenaltyEntry]

    public init(temperature: Float, topK: Int32 = 0, topP: Float = 1, minP: Float = 0, repetitionPenalty: Float = 1,
                presencePenalty: Float = 0, frequencyPenalty: Float = 0, uniform: Double = 0, penalties: [PenaltyEntry] = []) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.uniform = uniform
        self.penalties = penalties
    }
}

/// Per-row sampling settings of one step as backend tensors, so a device sampler reads
/// them without host round trips. Built by ``upload(_:on:)`` in one allocation and one
/// copy; every tensor is a view of that buffer.
public struct DeviceSamplingBatch: Sendable {
    /// Temperatures below this are greedy (equal to `SamplingParams.greedyTemperatureEpsilon`).
    public static let greedyTemperature: Float = 1e-5

    public var rows: Int
    /// f32 `[rows]`.
    public var temperature: Tensor
    /// i32 `[rows]`.
    public var topK: Tensor
    /// f32 `[rows]`.
    public var topP: Tensor
    /// f32 `[rows]`.
    public var minP: Tensor
    /// f32 `[rows]` each.
    public var repetitionPenalty: Tensor
    public var presencePenalty: Tensor
    public var frequencyPenalty: Tensor
    /// i32 `[rows, 2]`: each row's uniform `Double` as its IEEE-754 bit pattern, low word
    /// first, so a device compares exactly the number the host sampler compares.
    public var uniformBits: Tensor
    /// i32 `[rows + 1]`: row r's penalty entries are `penaltyRowStart[r] ..< penaltyRowStart[r + 1]`.
    public var penaltyRowStart: Tensor
    /// i32 `[entries]`: distinct token ids, ascending within each row.
    public var penaltyTokenIDs: Tensor
    /// i32 `[entries]`: times each token was generated.
    public var penaltyGeneratedCounts: Tensor
    /// i32 `[entries]`: 1 where the prompt contains the token, else 0.
    public var penaltyInPrompt: Tensor

    public init(rows: Int, temperature: Tensor, topK: Tensor, topP: Tensor, minP: Tensor, repetitionPenalty: Tensor,
                presencePenalty: Tensor, frequencyPenalty: Tensor, uniformBits: Tensor, penaltyRowStart: Tensor,
                penaltyTokenIDs: Tensor, penaltyGeneratedCounts: Tensor, penaltyInPrompt: Tensor) {
        self.rows = rows
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.uniformBits = uniformBits
        self.penaltyRowStart = penaltyRowStart
        self.penaltyTokenIDs = penaltyTokenIDs
        self.penaltyGeneratedCounts = penaltyGeneratedCounts
        self.penaltyInPrompt = penaltyInPrompt
    }

    /// Number of penalty entries of all rows.
    public var penaltyEntries: Int { penaltyTokenIDs.elementCount }

    /// Packs `rows` into one 32-bit-word buffer on `backend` (one allocation, one write).
    /// Penalty entries are sorted by id and duplicates merged (counts added, prompt
    /// flags combined), as the device kernels require.
    public static func upload(_ rows: [DeviceSamplingRow], on backend: any Backend) throws -> DeviceSamplingBatch {
        let m = rows.count
        var merged: [[DeviceSamplingRow.PenaltyEntry]] = []
        merged.reserveCapacity(m)
        for row in rows {
            var byID: [Int32: DeviceSamplingRow.PenaltyEntry] = [:]
            for e in row.penalties {
                if var old = byID[e.tokenID] {
                    old.generatedCount &+= e.generatedCount
                    old.inPrompt = old.inPrompt || e.inPrompt
                    byID[e.tokenID] = old
                } else {
                    byID[e.tokenID] = e
                }
            }
            merged.append(byID.values.sorted { $0.tokenID < $1.tokenID })
        }
        let entries = merged.reduce(0) { $0 + $1.count }
        // Layout in words: 7 per-row scalars, 2 uniform words per row, m+1 starts, 3 lists.
        let words = 7 * m + 2 * m + (m + 1) + 3 * entries
        var host = [UInt32](repeating: 0, count: words)
        var start = 0
        for (r, row) in rows.enumerated() {
            host[r] = row.temperature.bitPattern
            host[m + r] = UInt32(bitPattern: row.topK)
            host[2 * m + r] = row.topP.bitPattern
            host[3 * m + r] = row.minP.bitPattern
            host[4 * m + r] = row.repetitionPenalty.bitPattern
            host[5 * m + r] = row.presencePenalty.bitPattern
            host[6 * m + r] = row.frequencyPenalty.bitPattern
            let bits = row.uniform.bitPattern
            host[7 * m + 2 * r] = UInt32(truncatingIfNeeded: bits)
            host[7 * m + 2 * r + 1] = UInt32(truncatingIfNeeded: bits >> 32)
            let startsBase = 9 * m
            host[startsBase + r] = UInt32(start)
            let listBase = 10 * m + 1
            for e in merged[r] {
                host[listBase + start] = UInt32(bitPattern: e.tokenID)
                host[listBase + entries + start] = UInt32(bitPattern: e.generatedCount)
                host[listBase + 2 * entries + start] = e.inPrompt ? 1 : 0
                start += 1
            }
        }
        host[9 * m + m] = UInt32(start)
        let buffer = try backend.allocate(shape: [max(words, 1)], dtype: .i32)
        if words > 0 {
            try host.withUnsafeBytes { try backend.write($0, to: buffer.rows(0..<words)) }
        }
        func view(_ word: Int, _ shape: [Int], _ dtype: DType) -> Tensor {
            Tensor(buffer: buffer.buffer, byteOffset: buffer.byteOffset + 4 * word, shape: shape, dtype: dtype)
        }
        let listBase = 10 * m + 1
        return DeviceSamplingBatch(
            rows: m, temperature: view(0, [m], .f32), topK: view(m, [m], .i32), topP: view(2 * m, [m], .f32),
            minP: view(3 * m, [m], .f32), repetitionPenalty: view(4 * m, [m], .f32),
            presencePenalty: view(5 * m, [m], .f32), frequencyPenalty: view(6 * m, [m], .f32),
            uniformBits: view(7 * m, [m, 2], .i32), penaltyRowStart: view(9 * m, [m + 1], .i32),
            penaltyTokenIDs: view(listBase, [entries], .i32), penaltyGeneratedCounts: view(listBase + entries, [entries], .i32),
            penaltyInPrompt: view(listBase + 2 * entries, [entries], .i32))
    }
}

extension DeviceSamplingBatch {
    /// Throws unless every tensor has the element type and length its field documents.
    public func validateShapes(op: String) throws {
        let scalars: [(String, Tensor, DType)] = [
            ("temperature", temperature, .f32), ("topK", topK, .i32), ("topP", topP, .f32), ("minP", minP, .f32),
            ("repetitionPenalty", repetitionPenalty, .f32), ("presencePenalty", presencePenalty, .f32),
            ("frequencyPenalty", frequencyPenalty, .f32),
        ]
        for (name, t, dtype) in scalars where t.dtype != dtype || t.elementCount != rows {
            throw RuntimeError.shapeMismatch(op: op, expected: "\(name) \(dtype.rawValue) [\(rows)]", got: "\(t)")
        }
        let entries = penaltyTokenIDs.elementCount
        guard uniformBits.dtype == .i32, uniformBits.elementCount == 2 * rows,
              penaltyRowStart.dtype == .i32, penaltyRowStart.elementCount == rows + 1,
              penaltyTokenIDs.dtype == .i32, penaltyGeneratedCounts.dtype == .i32, penaltyInPrompt.dtype == .i32,
              penaltyGeneratedCounts.elementCount == entries, penaltyInPrompt.elementCount == entries else {
            throw RuntimeError.shapeMismatch(op: op, expected: "uniformBits i32 [\(rows), 2], penaltyRowStart i32 [\(rows + 1)], equal i32 penalty lists",
                                             got: "\(uniformBits), \(penaltyRowStart), \(penaltyTokenIDs), \(penaltyGeneratedCounts), \(penaltyInPrompt)")
        }
    }
}
