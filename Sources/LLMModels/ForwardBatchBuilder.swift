import LLMRuntime

/// Turns the scheduler's grant into a `ForwardBatch` in device buffers allocated once
/// for the largest batch; each step writes only the used prefix.
///
/// The block table's row length follows the step's longest table, rounded up to a
/// context bucket, rather than the longest context the engine allows: a step of short
/// sequences writes and uploads a small table. Within one bucket the layout is fixed,
/// so a recorded decode step replays against it.
public final class ForwardBatchBuilder {
    public let backend: any Backend
    public let maxTokens: Int
    public let maxSequences: Int
    public let maxBlocksPerSequence: Int
    public let blockSize: Int
    private let tokenIDs, positions, slotMapping, queryStart, blockTable, logitRows: Tensor

    public init(backend: any Backend, maxTokens: Int, maxSequences: Int, maxBlocksPerSequence: Int, blockSize: Int) throws {
        self.backend = backend
        self.maxTokens = maxTokens
        self.maxSequences = maxSequences
        self.maxBlocksPerSequence = maxBlocksPerSequence
        self.blockSize = blockSize
        tokenIDs = try backend.allocate(shape: [maxTokens], dtype: .i32)
        positions = try backend.allocate(shape: [maxTokens], dtype: .i32)
        slotMapping = try backend.allocate(shape: [maxTokens], dtype: .i32)
        queryStart = try backend.allocate(shape: [maxSequences + 1], dtype: .i32)
        blockTable = try backend.allocate(shape: [maxSequences, maxBlocksPerSequence], dtype: .i32)
        logitRows = try backend.allocate(shape: [maxSequences], dtype: .i32)
    }

    public func build(_ chunks: [SequenceChunk]) throws -> ForwardBatch {
        let total = chunks.reduce(0) { $0 + $1.tokens.count }
        guard total <= maxTokens, total > 0 else { throw ModelError.batchTooLarge(field: "tokens", limit: maxTokens, requested: total) }
        guard chunks.count <= maxSequences else { throw ModelError.batchTooLarge(field: "sequences", limit: maxSequences, requested: chunks.count) }
        var ids = [Int32](), pos = [Int32](), slots = [Int32](), starts: [Int32] = [0], rows = [Int32]()
        ids.reserveCapacity(total); pos.reserveCapacity(total); slots.reserveCapacity(total)
        let widest = chunks.reduce(0) { max($0, $1.blockTable.count) }
        let bucketBlocks = max(1, AttentionMetadata.contextBucketTokens / blockSize)
        let stride = min(maxBlocksPerSequence, (widest + bucketBlocks - 1) / bucketBlocks * bucketBlocks)
        var table = [Int32](repeating: 0, count: chunks.count * stride)
        var longest = 0
        for (s, chunk) in chunks.enumerated() {
            let end = chunk.startPosition + chunk.tokens.count
            guard chunk.blockTable.count * blockSize >= end, chunk.blockTable.count <= maxBlocksPerSequence else {
                throw ModelError.batchTooLarge(field: "blocks of sequence \(s)", limit: maxBlocksPerSequence, requested: (end + blockSize - 1) / blockSize)
            }
            for (i, token) in chunk.tokens.enumerated() {
                let p = chunk.startPosition + i
                ids.append(token)
                pos.append(Int32(p))
                slots.append(chunk.blockTable[p / blockSize] * Int32(blockSize) + Int32(p % blockSize))
            }
            if chunk.needsLogits { rows.append(Int32(ids.count - 1)) }
            starts.append(Int32(ids.count))
            table.replaceSubrange(s * stride ..< s * stride + chunk.blockTable.count, with: chunk.blockTable)
            longest = max(longest, end)
        }
        let n = total, m = rows.count
        try ids.withUnsafeBytes { try backend.write($0, to: tokenIDs.rows(0..<n)) }
        try pos.withUnsafeBytes { try backend.write($0, to: positions.rows(0..<n)) }
        try slots.withUnsafeBytes { try backend.write($0, to: slotMapping.rows(0..<n)) }
        try starts.withUnsafeBytes { try backend.write($0, to: queryStart.rows(0..<(chunks.count + 1))) }
        let tableView = Tensor(buffer: blockTable.buffer, byteOffset: blockTable.byteOffset, shape: [chunks.count, stride], dtype: .i32)
        try table.withUnsafeBytes { try backend.write($0, to: tableView) }
        if m > 0 { try rows.withUnsafeBytes { try backend.write($0, to: logitRows.rows(0..<m)) } }
        let metadata = AttentionMetadata(
            positions: positions.rows(0..<n), slotMapping: slotMapping.rows(0..<n),
            queryStart: queryStart.rows(0..<(chunks.count + 1)), blockTable: tableView,
            numTokens: n, numSequences: chunks.count, maxContextLength: longest,
            leadingDecodeSequences: chunks.prefix { $0.tokens.count == 1 }.count)
        return ForwardBatch(tokenIDs: tokenIDs.rows(0..<n), attention: metadata, logitRows: logitRows.rows(0..<m), numLogitRows: m)
    }
}
