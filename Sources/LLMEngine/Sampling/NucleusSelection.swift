/// Top-p (nucleus) truncation for broad distributions, in expected linear time: a
/// quickselect that partitions by rank and tracks probability mass, instead of sorting
/// the vocabulary. Ranks are by logit, larger first, ties by lower id, the same order
/// ``TopSelection`` uses.
enum NucleusSelection {
    /// Zeroes `weights` of every token outside the nucleus: the smallest most-likely-first
    /// prefix of the positive-weight tokens whose weight reaches `mass` (a fraction of
    /// their total). A token is kept while the weight ranked before it is below the
    /// threshold, so at least one token survives.
    /// - Returns: the kept weight and the highest kept id, or `nil` with no positive weight.
    static func truncate(
        logits: UnsafeBufferPointer<Float>, weights s: UnsafeMutableBufferPointer<Float>, mass: Double
    ) -> (keptWeight: Double, lastKeptID: Int)? {
        var ids: [Int] = []
        ids.reserveCapacity(s.count)
        var total = 0.0
        for i in 0..<s.count where s[i] > 0 {
            ids.append(i)
            total += Double(s[i])
        }
        guard !ids.isEmpty else { return nil }
        let threshold = mass * total

        @inline(__always) func better(_ a: Int, _ b: Int) -> Bool {
            logits[a] > logits[b] || (logits[a] == logits[b] && a < b)
        }

        var lo = 0  // ids[..<lo] are kept
        var hi = ids.count  // ids[hi...] are dropped
        var kept = 0.0  // weight of ids[..<lo]
        ids.withUnsafeMutableBufferPointer { ix in
            while lo < hi && kept < threshold {
                // Median of three as pivot, parked at the end of the range.
                let mid = lo + (hi - lo) / 2
                let last = hi - 1
                if better(ix[mid], ix[lo]) { ix.swapAt(mid, lo) }
                if better(ix[last], ix[lo]) { ix.swapAt(last, lo) }
                if better(ix[mid], ix[last]) { ix.swapAt(mid, last) }
                let pivot = ix[last]

                var store = lo
                var betterWeight = 0.0
                for j in lo..<last where better(ix[j], pivot) {
                    betterWeight += Double(s[ix[j]])
                    ix.swapAt(store, j)
                    store += 1
                }
                ix.swapAt(store, last)
                if kept + betterWeight >= threshold {
                    hi = store  // the pivot and everything ranked below it are out
                } else {
                    kept += betterWeight + Double(s[pivot])
                    lo = store + 1
                }
            }
        }
        for id in ids[lo...] { s[id] = 0 }
        return (kept, ids[..<lo].max() ?? ids[0])
    }
}
