/// Cumulative histogram of latencies in seconds, in the shape Prometheus exposes: a count
/// per upper bound (each counting every value at or below it), plus the sum and count.
public struct LatencyHistogram: Sendable, Equatable {
    /// Time to first token, as vLLM buckets it.
    public static let timeToFirstTokenBounds: [Double] = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75,
                                                          1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560]
    /// Inter-token latency, as vLLM buckets it.
    public static let interTokenBounds: [Double] = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5,
                                                    7.5, 10, 20, 40, 80]

    public let upperBounds: [Double]
    /// `cumulativeCounts[i]`: values at or below `upperBounds[i]`.
    public private(set) var cumulativeCounts: [Int]
    public private(set) var count = 0
    public private(set) var sum = 0.0

    public init(upperBounds: [Double]) {
        self.upperBounds = upperBounds
        cumulativeCounts = [Int](repeating: 0, count: upperBounds.count)
    }

    public mutating func record(_ seconds: Double) {
        count += 1
        sum += seconds
        for i in upperBounds.indices where seconds <= upperBounds[i] { cumulativeCounts[i] += 1 }
    }

    public var mean: Double { count > 0 ? sum / Double(count) : 0 }
}
