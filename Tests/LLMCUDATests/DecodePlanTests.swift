import LLMRuntime
import Testing
@testable import LLMCUDA

/// The decode attention launch shape: it must cover every key of the context bucket
/// (recorded steps replay it for any context in the bucket), fill the GPU on short
/// contexts and fit its shared memory.
@Suite("Decode attention plan")
struct DecodePlanTests {
    /// What one block may have on sm_90 (cuDeviceGetAttribute's opt-in maximum).
    static let hopperSharedBytes = 227 * 1024
    static func shape(context: Int, tokens: Int = 1, queryHeads: Int = 32, kvHeads: Int = 8, headDim: Int = 128, window: Int = 0)
        -> AttentionKernels.Shape
    {
        AttentionKernels.Shape(tokens: tokens, sequences: tokens, maxContext: context, queryHeads: queryHeads, kvHeads: kvHeads,
                               headDim: headDim, blockSize: 16, cacheBlocks: 1024, maxBlocksPerSequence: 64, scale: 0.1,
                               window: window, softcap: 0)
    }

    @Test("every context of a bucket gets the same plan, and its partitions cover the bucket")
    func bucketStable() {
        let bucket = AttentionMetadata.contextBucketTokens
        for start in [1, bucket + 1, 7 * bucket + 1] {
            let first = AttentionKernels.decodePlan(Self.shape(context: start), multiprocessors: 132, sharedMemoryPerBlock: Self.hopperSharedBytes)
            let last = AttentionKernels.decodePlan(Self.shape(context: start + bucket - 1), multiprocessors: 132, sharedMemoryPerBlock: Self.hopperSharedBytes)
            #expect(first == last)
            #expect(first.partition * first.splits >= start + bucket - 1)
        }
    }

    @Test("short contexts are split until the grid has two blocks per SM; long ones use up to 1024-key partitions")
    func gridFill() {
        let short = AttentionKernels.decodePlan(Self.shape(context: 300), multiprocessors: 132, sharedMemoryPerBlock: Self.hopperSharedBytes)
        #expect(short.partition == 64)  // 8 kv heads x 8 partitions of 64 keys over the 512-key bucket
        #expect(short.splits == 8)
        let long = AttentionKernels.decodePlan(Self.shape(context: 32768), multiprocessors: 132, sharedMemoryPerBlock: Self.hopperSharedBytes)
        #expect(long.partition == 512)  // 8 kv heads x 32 partitions of 1024 keys would be 256 blocks
        #expect(long.splits == 64)
        // A batch of 64 sequences already fills the GPU at a short context.
        let batch = AttentionKernels.decodePlan(Self.shape(context: 300, tokens: 64), multiprocessors: 132, sharedMemoryPerBlock: Self.hopperSharedBytes)
        #expect(batch.partition == 1024)
        #expect(batch.splits == 1)
    }

    @Test("a sliding window bounds the keys a plan covers")
    func window() {
        let plan = AttentionKernels.decodePlan(Self.shape(context: 100_000, window: 4096), multiprocessors: 132, sharedMemoryPerBlock: Self.hopperSharedBytes)
        #expect(plan.partition * plan.splits >= 4096)
        #expect(plan.partition * (plan.splits - 1) < 4096)
    }

    @Test("shared memory holds Q, two stages of K and V tiles per warp and max/sum; groups past 16 heads take chunks")
    func sharedMemory() {
        let plan = AttentionKernels.decodePlan(Self.shape(context: 300), multiprocessors: 132, sharedMemoryPerBlock: Self.hopperSharedBytes)
        #expect(plan.headChunk == 4)
        #expect(plan.sharedBytes == 2 * (16 * 128 + 4 * 4 * 16 * 128) + 4 * 4 * 16 * 2)  // 4 warps
        let wide = AttentionKernels.decodePlan(Self.shape(context: 100_000, queryHeads: 64, kvHeads: 2), multiprocessors: 132, sharedMemoryPerBlock: Self.hopperSharedBytes)
        #expect(wide.headChunk == 16)
        #expect(wide.chunks == 2)
        #expect(wide.partition == 1024)
        // Head size 256: four warps where a block may have 227 KiB (sm_90), two within the
        // 99 KiB of sm_86/sm_89.
        let gemma = AttentionKernels.decodePlan(Self.shape(context: 300, queryHeads: 16, headDim: 256), multiprocessors: 132,
                                                sharedMemoryPerBlock: Self.hopperSharedBytes)
        #expect(gemma.warps == 4)
        #expect(gemma.sharedBytes == 2 * (16 * 256 + 4 * 4 * 16 * 256) + 4 * 4 * 16 * 2)
        let narrow = AttentionKernels.decodePlan(Self.shape(context: 300, queryHeads: 16, headDim: 256), multiprocessors: 84,
                                                 sharedMemoryPerBlock: 99 * 1024)
        #expect(narrow.warps == 2)
        #expect(narrow.sharedBytes == 2 * (16 * 256 + 2 * 4 * 16 * 256) + 4 * 2 * 16 * 2)
        #expect(narrow.sharedBytes <= 99 * 1024)
        // Smaller heads take four warps within 99 KiB.
        #expect(AttentionKernels.decodePlan(Self.shape(context: 300), multiprocessors: 84, sharedMemoryPerBlock: 99 * 1024).warps == 4)
    }
}

@Suite("Attention over an e4m3 cache")
struct E4M3AttentionLaunchTests {
    @Test("An e4m3 cache selects its own family and entry points; other mixed types are refused")
    func naming() throws {
        #expect(try AttentionKernels.kernels(query: .bf16, cache: .bf16) == ("attention", "bf16", "bf16"))
        #expect(try AttentionKernels.kernels(query: .f16, cache: .f8_e4m3) == ("attention_e4m3", "f16", "f16_e4m3"))
        #expect(throws: RuntimeError.self) { try AttentionKernels.kernels(query: .bf16, cache: .f16) }
        #expect(throws: RuntimeError.self) { try AttentionKernels.kernels(query: .f32, cache: .f8_e4m3) }
    }

    @Test("Prefill adds the loaded byte tiles to its shared memory and stays within 99 KiB")
    func prefillSharedMemory() {
        #expect(AttentionKernels.prefillSharedBytes(headDim: 128, e4m3Cache: false) == (64 + 128) * 128 * 2 + 64)
        #expect(AttentionKernels.prefillSharedBytes(headDim: 128, e4m3Cache: true) == (64 + 128) * 128 * 2 + 128 * 128 + 64)
        for d in AttentionKernels.headDims {
            #expect(AttentionKernels.prefillSharedBytes(headDim: d, e4m3Cache: true) <= 99 * 1024, "head size \(d)")
        }
    }
}
