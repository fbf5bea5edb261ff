import ArgumentParser
import Foundation
import SwiftLLM

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Generate a continuation of a prompt, streamed to the terminal.")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var sampling: SamplingOptions

    @Option(name: .long, help: "The prompt text.")
    var prompt: String

    func run() throws {
        let llm = try modelOptions.load()
        let params = try sampling.params(vocabSize: llm.model.spec.vocabSize)
        let result = try llm.generate(GenerationRequest(prompt: .text(prompt), params: params)) { output in
            Terminal.write(output.textDelta)
            if sampling.logprobs != nil {
                for token in output.logprobs {
                    let top = token.topLogprobs.map { "\($0.id):\(String(format: "%.3f", $0.logprob))" }.joined(separator: " ")
                    Terminal.note("\n[token \(token.id) logprob \(String(format: "%.4f", token.logprob)); top \(top)]")
                }
            }
        }
        Terminal.write("\n")
        let t = result.timings
        Terminal.note(String(format: "prompt: %d tokens, %.1f tokens/s | generated: %d tokens, %.1f tokens/s | finish: %@",
                             t.promptTokens, t.prefillTokensPerSecond, t.generatedTokens, t.decodeTokensPerSecond,
                             result.finishReason.openAIName))
    }
}
