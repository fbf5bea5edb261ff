import SwiftLLM

/// Greedy outputs of requests run together against the same requests run one at a time.
/// Outputs may part only at a near-tie (DESIGN.md section 8): at the first differing
/// step each side's token is among the other's top 5 and within `tolerance` (nats) of the
/// other's chosen token.
struct BatchInvarianceCheck {
    struct Divergence {
        var request: Int
        var step: Int
        var nearTie: Bool
        /// The larger of the two sides' logprob gaps between the two tokens.
        var gap: Float
    }

    var identical = 0
    var divergences: [Divergence] = []

    init(together: [GenerationResult], alone: [GenerationResult], tolerance: Float) {
        for (index, (a, b)) in zip(together, alone).enumerated() {
            guard let step = a.tokenIDs.indices.first(where: { $0 < b.tokenIDs.count && a.tokenIDs[$0] != b.tokenIDs[$0] }) else {
                identical += 1
                continue
            }
            let (ta, tb) = (a.tokenIDs[step], b.tokenIDs[step])
            func gap(_ row: SampledToken, other: Int) -> Float? {
                row.topLogprobs.first { $0.id == other }.map { row.logprob - $0.logprob }
            }
            let gaps = [gap(a.logprobs[step], other: tb), gap(b.logprobs[step], other: ta)]
            let worst = gaps.map { $0 ?? .infinity }.max() ?? .infinity
            divergences.append(Divergence(request: index, step: step, nearTie: worst <= tolerance, gap: worst))
        }
    }

    var passed: Bool { divergences.allSatisfy(\.nearTie) }

    var summary: String {
        var lines = ["batch invariance: \(identical) of \(identical + divergences.count) requests identical"]
        for d in divergences {
            lines.append("  request \(d.request) diverged at step \(d.step): \(d.nearTie ? "near-tie" : "NOT a near-tie"), logprob gap \(d.gap)")
        }
        return lines.joined(separator: "\n")
    }
}
