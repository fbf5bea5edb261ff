import Foundation

/// Log-softmax pieces over a logits vector, computed without materialising it:
/// the log-normaliser and the top-N entries.
enum LogProbabilities {
    /// `log(sum(exp(logits)))`, with the max subtracted for stability and the sum kept in
    /// double precision. NaN entries are ignored; all `-inf` gives `-inf`.
    static func logSumExp(_ logits: UnsafeBufferPointer<Float>) -> Float {
        var maxValue = -Float.infinity
        for v in logits where v > maxValue { maxValue = v }
        guard maxValue.isFinite else { return maxValue }
        var sum = 0.0
        for v in logits {
            let d = v - maxValue
            if d > -.infinity { sum += Double(exp(d)) }
        }
        return maxValue + Float(log(sum))
    }

    /// The `count` most likely tokens with their log-probabilities, most likely first
    /// (ties by lower id).
    static func top(
        _ count: Int, of logits: UnsafeBufferPointer<Float>, logSumExp lse: Float
    ) -> [TokenLogprob] {
        TopSelection.largest(count, of: logits).map { TokenLogprob(id: $0, logprob: logits[$0] - lse) }
    }
}
