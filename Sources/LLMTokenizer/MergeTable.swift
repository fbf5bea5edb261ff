/// Open-addressing hash table from a token-id pair to its merge: the merge's rank (its
/// position in the merges list, lower merges first) and the id of the merged token.
struct MergeTable: Sendable {
    private var keys: [UInt64]
    private var values: [UInt64]
    private let mask: Int
    private let shift: UInt64
    private(set) var count = 0

    private static let empty = UInt64.max

    /// A table with room for `capacity` merges at a load factor of at most one half.
    init(capacity: Int) {
        var size = 16
        var bits: UInt64 = 4
        while size < capacity * 2 {
            size <<= 1
            bits += 1
        }
        shift = 64 - bits
        keys = [UInt64](repeating: Self.empty, count: size)
        values = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always)
    private func slot(for key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Adds a merge; when the pair is already present, `replace` decides which one stays
    /// (HF keeps the last duplicate, llama.cpp the first).
    mutating func insert(left: Int32, right: Int32, rank: Int32, merged: Int32, replace: Bool) {
        let k = Self.key(left, right)
        var i = slot(for: k)
        while keys[i] != Self.empty {
            if keys[i] == k {
                if replace { values[i] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: merged)) }
                return
            }
            i = (i + 1) & mask
        }
        keys[i] = k
        values[i] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: merged))
        count += 1
    }

    /// The (rank, merged id) of the pair, nil when the pair never merges.
    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> (rank: Int32, merged: Int32)? {
        let k = Self.key(left, right)
        var i = slot(for: k)
        while true {
            let stored = keys[i]
            if stored == k {
                let v = values[i]
                return (Int32(truncatingIfNeeded: v >> 32), Int32(truncatingIfNeeded: v))
            }
            if stored == Self.empty { return nil }
            i = (i + 1) & mask
        }
    }
}
