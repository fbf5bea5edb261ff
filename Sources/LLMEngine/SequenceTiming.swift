import Foundation

/// When a completion arrived, was first scheduled, and produced each token, on one
/// monotonic clock (seconds).
struct SequenceTiming {
    let arrival: Double
    var firstScheduled: Double?
    var firstToken: Double?
    var lastToken: Double?
    var interTokenSeconds: [Double] = []

    init(arrival: Double) {
        self.arrival = arrival
    }

    /// Submission to the first token, once there is one.
    var timeToFirstToken: Double? { firstToken.map { $0 - arrival } }

    mutating func recordScheduled(at time: Double) {
        if firstScheduled == nil { firstScheduled = time }
    }

    mutating func recordToken(at time: Double) {
        if let lastToken { interTokenSeconds.append(time - lastToken) } else { firstToken = time }
        lastToken = time
    }

    func summary(promptTokens: Int, generatedTokens: Int) -> GenerationTimings {
        let first = firstToken ?? arrival
        return GenerationTimings(promptTokens: promptTokens, generatedTokens: generatedTokens, prefillSeconds: first - arrival,
                                 decodeSeconds: (lastToken ?? first) - first, queuedSeconds: (firstScheduled ?? arrival) - arrival,
                                 interTokenSeconds: interTokenSeconds)
    }
}

/// The engine's monotonic clock, in seconds from an arbitrary origin.
public enum EngineClock {
    public static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
