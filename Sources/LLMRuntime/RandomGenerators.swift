/// The xoshiro256** pseudo-random generator (Blackman and Vigna), seeded through
/// splitmix64. Small, fast, deterministic on every platform; each request's sampler owns one,
/// so no random state is shared between requests.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Equatable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Expands `seed` into the 256-bit state with splitmix64 (never all zero).
    public init(seed: UInt64) {
        var mixer = SplitMix64(state: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    /// Starts from an explicit state (for reference test vectors); not all zero.
    init(state0: UInt64, state1: UInt64, state2: UInt64, state3: UInt64) {
        (s0, s1, s2, s3) = (state0, state1, state2, state3)
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, by: 45)
        return result
    }

    /// A uniform double in `[0, 1)` from the top 53 bits of ``next()``.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    @inline(__always)
    private func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}

/// splitmix64 (Steele, Lea, Flood): turns one 64-bit seed into a stream of well-mixed
/// words; used to seed ``Xoshiro256StarStar``.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    /// The generator's whole state; advanced by a fixed odd constant per call.
    public private(set) var state: UInt64

    /// Starts the stream at `state`.
    public init(state: UInt64) { self.state = state }

    /// The next 64 mixed bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
