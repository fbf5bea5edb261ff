import Foundation
import SwiftLLM
import Testing

/// The real SmolLM2-135M-Instruct Q4_1 GGUF against transformers, which dequantises the
/// same weights and computes in f32.
@Suite("SmolLM2 GGUF against transformers")
struct SmolLM2Tests {
    struct Reference: Decodable {
        struct Prompt: Decodable {
            var name: String
            var prompt_ids: [Int]
            var last_position_top: [[Double]]
            var greedy_ids: [Int]
            /// Per step: chosen logit, runner-up id, runner-up logit.
            var greedy_steps: [[Double]]
        }
        var prompts: [Prompt]
        var logits_last_shape: [Int]
    }

    static func reference() throws -> Reference {
        let url = Fixtures.models.appendingPathComponent("smollm2/reference.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    /// Exact mode multiplies the dequantised weights in f32, as transformers does, so
    /// only summation order differs: 1e-4 of the logit range. Fast mode quantises
    /// activations to 8 bits per block, as llama.cpp does; llama.cpp's own logits for
    /// these prompts differ from transformers' by up to 2.5% of the range. Ours differ by
    /// 1.6–4.1%: rounding to 8 bits amplifies last-bit f32 differences (reordering the
    /// attention sums alone moved chat_germany from 3.9% to 4.1%), so 5% is the bound.
    @Test("Last-position logits", arguments: [true, false])
    func lastLogits(exact: Bool) throws {
        let reference = try Self.reference()
        let expected = try Fixtures.floats(Fixtures.models.appendingPathComponent("smollm2/logits_last.f32"))
        let vocab = reference.logits_last_shape[1]
        let harness = try ModelHarness(path: Fixtures.smolLM2, backend: CPUBackend(options: .init(threads: 2, exactMatmul: exact)), maxTokens: 128)
        for (i, prompt) in reference.prompts.prefix(reference.logits_last_shape[0]).enumerated() {
            let got = try harness.logits(prompt.prompt_ids, start: 0)
            let want = Array(expected[i * vocab ..< (i + 1) * vocab])
            let range = want.max()! - want.min()!
            let diff = zip(got, want).map { abs($0 - $1) }.max()!
            #expect(diff <= (exact ? 1e-4 : 5e-2) * range, "\(prompt.name): max diff \(diff) of range \(range)")
            #expect(got.argmax == want.argmax, "\(prompt.name)")
        }
    }

    /// Exact mode follows its own greedy path, which must equal transformers' up to
    /// near-ties (each side's token is the other's runner-up within 1e-3 relative logit).
    @Test("Greedy continuations agree up to near-ties (exact mode)")
    func greedy() throws {
        let reference = try Self.reference()
        let harness = try ModelHarness(path: Fixtures.smolLM2, backend: CPUBackend(options: .init(threads: 2, exactMatmul: true)), maxTokens: 128)
        var diverged = [String]()
        for prompt in reference.prompts {
            var row = try harness.logits(prompt.prompt_ids, start: 0)
            for (step, want) in prompt.greedy_ids.enumerated() {
                let ours = row.argmax
                if ours != want {
                    // A divergence is legitimate only at a near-tie, seen from both sides.
                    let info = prompt.greedy_steps[step]
                    let refChosen = Float(info[0])
                    // The reference logit of our token: recorded when it was the runner-up, or
                    // among the top 20 kept for the last prompt position.
                    var refOurs: Float? = Int(info[1]) == ours ? Float(info[2]) : nil
                    if step == 0, let entry = prompt.last_position_top.first(where: { Int($0[0]) == ours }) { refOurs = Float(entry[1]) }
                    let ourSecond = row.indices.filter { $0 != ours }.max { row[$0] < row[$1] }!
                    func gap(_ top: Float, _ other: Float) -> Float { (top - other) / abs(top) }
                    let refGap = refOurs.map { gap(refChosen, $0) } ?? .infinity
                    let ourGap = gap(row[ours], row[want])
                    let limit: Float = 1e-3
                    #expect(ourSecond == want && ourGap <= limit && refGap <= limit,
                            "\(prompt.name) step \(step): ours \(ours) vs \(want), reference gap \(refGap), our gap \(ourGap)")
                    diverged.append("\(prompt.name)@\(step)")
                    break
                }
                row = try harness.logits([ours], start: prompt.prompt_ids.count + step)
            }
        }
        print("SmolLM2 greedy (exact) diverged at near-ties: \(diverged)")
    }

    /// Fast mode (8-bit activations, as llama.cpp computes) is fed transformers' greedy
    /// tokens step by step, so every step is compared on the same context: the reference
    /// token must be within 1 logit of our best (the error bound of 8-bit activations:
    /// llama.cpp's own logits differ from transformers' by up to 0.87 on these prompts),
    /// and our best must be the reference token at nearly every step.
    @Test("Fast mode stays within the 8-bit error bound along the reference path")
    func teacherForcedFast() throws {
        let reference = try Self.reference()
        let harness = try ModelHarness(path: Fixtures.smolLM2, backend: CPUBackend(options: .init(threads: 2)), maxTokens: 128)
        var agree = 0, steps = 0
        for prompt in reference.prompts {
            var row = try harness.logits(prompt.prompt_ids, start: 0)
            for (step, want) in prompt.greedy_ids.enumerated() {
                let ours = row.argmax
                #expect(row[ours] - row[want] <= 1, "\(prompt.name) step \(step): reference token \(want) is \(row[ours] - row[want]) below our best \(ours)")
                agree += ours == want ? 1 : 0
                steps += 1
                row = try harness.logits([want], start: prompt.prompt_ids.count + step)
            }
        }
        #expect(Double(agree) >= 0.9 * Double(steps), "top-1 agreement \(agree)/\(steps)")
        print("SmolLM2 fast mode top-1 agreement with transformers: \(agree)/\(steps)")
    }
}
