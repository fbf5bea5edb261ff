/// Content hash of one full KV cache block: the hash of its parent block (the block
/// before it in the sequence), its token ids and an extra key (an adapter id, for one).
/// Chaining through the parent makes the hash name the whole prefix, not just one block.
///
/// The value is stable across processes and machines (no per-process seed), so a router
/// or a second engine instance can compute the same hashes for prefix-aware routing and
/// KV transfer. A hash only finds a candidate block; ``BlockPool`` verifies the block's
/// stored tokens and parent before reusing it, so a collision can never return wrong KV.
public struct BlockHash: Hashable, Sendable, CustomStringConvertible {
    public let value: UInt64

    public init(value: UInt64) {
        self.value = value
    }

    /// The hash of a block with `tokens` after `parent` (nil for the first block).
    public init(parent: BlockHash?, tokens: ArraySlice<Int32>, extraKey: Int?) {
        var h = Self.mix(parent?.value ?? 0x9E37_79B9_7F4A_7C15)
        h = Self.mix(h ^ UInt64(bitPattern: Int64(extraKey ?? -1)))
        for token in tokens {
            h = Self.mix(h ^ UInt64(UInt32(bitPattern: token)))
        }
        value = Self.mix(h ^ UInt64(tokens.count))
    }

    public var description: String { String(value, radix: 16) }

    /// SplitMix64's finaliser: every input bit affects every output bit.
    private static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
