import Foundation
@testable import LLMEngine
@testable import LLMRuntime

/// Deterministic pseudo-random logits for tests.
func makeLogits(count: Int, seed: UInt64, scale: Float = 4) -> [Float] {
    var rng = SplitMix64(state: seed)
    return (0..<count).map { _ in (Float(rng.next() >> 40) / Float(1 << 24) - 0.5) * 2 * scale }
}

/// Double-precision log-softmax, the test oracle.
func referenceLogSoftmax(_ logits: [Float]) -> [Double] {
    let m = Double(logits.max()!)
    let lse = m + log(logits.reduce(0.0) { $0 + exp(Double($1) - m) })
    return logits.map { Double($0) - lse }
}

/// Double-precision softmax of `logits / temperature`.
func referenceSoftmax(_ logits: [Float], temperature: Double = 1) -> [Double] {
    let scaled = logits.map { Double($0) / temperature }
    let m = scaled.max()!
    let e = scaled.map { exp($0 - m) }
    let z = e.reduce(0, +)
    return e.map { $0 / z }
}

/// The set of tokens `Sampler.draw` can return, found by sweeping the uniform over
/// `steps` evenly spaced values in [0, 1); also returns how often each was hit.
func sweepDraw(logits: [Float], params: SamplingParams, steps: Int = 10_000) -> [Int: Int] {
    var hits: [Int: Int] = [:]
    var scratch = [Float](repeating: 0, count: logits.count)
    logits.withUnsafeBufferPointer { l in
        scratch.withUnsafeMutableBufferPointer { s in
            for step in 0..<steps {
                let u = (Double(step) + 0.5) / Double(steps)
                hits[Sampler.draw(logits: l, probabilities: s, params: params, uniform: u), default: 0] += 1
            }
        }
    }
    return hits
}

/// Log-probabilities as logits: softmax of the result gives back `probabilities`.
func logitsFor(probabilities: [Double]) -> [Float] { probabilities.map { Float(log($0)) } }

/// An empty-history context that allows EOS.
let freeContext = SamplingContext(tokenCounts: TokenCounts(), eosAllowed: true)
