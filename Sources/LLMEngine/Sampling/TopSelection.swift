/// Partial selection of the largest entries of a vector, without sorting all of it:
/// a bounded min-heap for small `k` (O(n log k)), a full sort only when `k` is a large
/// share of the candidates. Order of the result: larger key first, ties by lower index.
enum TopSelection {
    /// Indices of the `k` largest `keys[i]`, best first. NaN keys are never selected; when
    /// `weights` is given, indices whose weight is not positive are skipped too.
    static func largest(
        _ k: Int, of keys: UnsafeBufferPointer<Float>, skippingZeroWeightsIn weights: UnsafeBufferPointer<Float>? = nil
    ) -> [Int] {
        let n = keys.count
        guard k > 0, n > 0 else { return [] }
        if k >= n / 4 { return sortedCandidates(keys: keys, weights: weights, limit: k) }

        var heapKeys = [Float](repeating: 0, count: k)
        var heapIDs = [Int](repeating: 0, count: k)
        var count = 0
        heapKeys.withUnsafeMutableBufferPointer { hk in
            heapIDs.withUnsafeMutableBufferPointer { hi in
                for i in 0..<n {
                    let key = keys[i]
                    if key.isNaN { continue }
                    if let weights, !(weights[i] > 0) { continue }
                    if count < k {
                        hk[count] = key
                        hi[count] = i
                        siftUp(count, hk, hi)
                        count += 1
                    } else if key > hk[0] {
                        // Indices arrive in increasing order, so an equal key loses the tie.
                        hk[0] = key
                        hi[0] = i
                        siftDown(0, count, hk, hi)
                    }
                }
            }
        }
        var pairs = (0..<count).map { (key: heapKeys[$0], id: heapIDs[$0]) }
        pairs.sort { $0.key > $1.key || ($0.key == $1.key && $0.id < $1.id) }
        return pairs.map(\.id)
    }

    private static func sortedCandidates(
        keys: UnsafeBufferPointer<Float>, weights: UnsafeBufferPointer<Float>?, limit: Int
    ) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(keys.count)
        for i in 0..<keys.count where !keys[i].isNaN {
            if let weights, !(weights[i] > 0) { continue }
            ids.append(i)
        }
        ids.sort { keys[$0] > keys[$1] || (keys[$0] == keys[$1] && $0 < $1) }
        if ids.count > limit { ids.removeSubrange(limit...) }
        return ids
    }

    /// Heap order: the root is the worst entry (smallest key, then highest index).
    @inline(__always)
    private static func worse(
        _ a: Int, _ b: Int, _ keys: UnsafeMutableBufferPointer<Float>, _ ids: UnsafeMutableBufferPointer<Int>
    ) -> Bool {
        keys[a] < keys[b] || (keys[a] == keys[b] && ids[a] > ids[b])
    }

    private static func siftUp(
        _ start: Int, _ keys: UnsafeMutableBufferPointer<Float>, _ ids: UnsafeMutableBufferPointer<Int>
    ) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard worse(child, parent, keys, ids) else { return }
            keys.swapAt(child, parent)
            ids.swapAt(child, parent)
            child = parent
        }
    }

    private static func siftDown(
        _ start: Int, _ count: Int, _ keys: UnsafeMutableBufferPointer<Float>, _ ids: UnsafeMutableBufferPointer<Int>
    ) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            if left >= count { return }
            var worst = left
            let right = left + 1
            if right < count && worse(right, left, keys, ids) { worst = right }
            guard worse(worst, parent, keys, ids) else { return }
            keys.swapAt(worst, parent)
            ids.swapAt(worst, parent)
            parent = worst
        }
    }
}
