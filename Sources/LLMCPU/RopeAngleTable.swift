import CLLMKernels
import Foundation

/// The cos/sin tables of recent rotations. Every layer of a forward rotates the same
/// positions with the same frequencies, so the angles (sin and cos in double) are computed
/// once a step rather than once a layer. Entries match by value (positions, frequencies,
/// scale): a new step or frequencies recomputed for dynamic scaling never read old angles.
/// A few entries cover models whose layers alternate between two sets of frequencies.
final class RopeAngleTable: @unchecked Sendable {
    private struct Entry {
        var positions: [Int32]
        var frequencies: [Float]
        var scale: Float
        /// cos `[tokens, pairs]`, then sin.
        var angles: [Float]
        var lastUse: Int
    }

    private static let capacity = 4
    private let lock = NSLock()
    private var entries: [Entry] = []
    private var clock = 0

    /// Calls `body` with cos and sin `[count, pairs]` of `positions` times `frequencies`
    /// (`pairs` values), scaled by `scale` (nil when there are none).
    func withAngles<R>(positions: UnsafePointer<Int32>, count: Int, frequencies: UnsafePointer<Float>, pairs: Int, scale: Float,
                       _ body: (UnsafePointer<Float>?, UnsafePointer<Float>?) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        clock += 1
        let index = entries.firstIndex { entry in
            entry.scale == scale && entry.positions.count == count && entry.frequencies.count == pairs
                && entry.positions.elementsEqual(UnsafeBufferPointer(start: positions, count: count))
                && entry.frequencies.elementsEqual(UnsafeBufferPointer(start: frequencies, count: pairs))
        } ?? insert(positions: positions, count: count, frequencies: frequencies, pairs: pairs, scale: scale)
        entries[index].lastUse = clock
        return try entries[index].angles.withUnsafeBufferPointer { try body($0.baseAddress, $0.baseAddress.map { $0 + count * pairs }) }
    }

    /// Computes a new entry in place of the least recently used one once full.
    private func insert(positions: UnsafePointer<Int32>, count: Int, frequencies: UnsafePointer<Float>, pairs: Int, scale: Float) -> Int {
        var angles = [Float](repeating: 0, count: 2 * count * pairs)
        angles.withUnsafeMutableBufferPointer {
            llm_rope_angles(positions, Int64(count), frequencies, Int64(2 * pairs), scale, $0.baseAddress, $0.baseAddress.map { $0 + count * pairs })
        }
        let entry = Entry(positions: Array(UnsafeBufferPointer(start: positions, count: count)),
                          frequencies: Array(UnsafeBufferPointer(start: frequencies, count: pairs)), scale: scale, angles: angles, lastUse: clock)
        guard entries.count == Self.capacity, let oldest = entries.indices.min(by: { entries[$0].lastUse < entries[$1].lastUse }) else {
            entries.append(entry)
            return entries.count - 1
        }
        entries[oldest] = entry
        return oldest
    }
}
