import ArgumentParser
import Foundation
import SwiftLLM

/// An interactive terminal chat: the model's chat template, streamed replies, the whole
/// conversation kept; `/reset` starts over, Ctrl-D (end of input) exits.
struct ChatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chat", abstract: "Chat with a model in the terminal.")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var sampling: SamplingOptions

    @Option(name: .long, help: "A system prompt for the conversation.")
    var system: String?

    @Option(name: .long, help: "Template variable NAME=JSON (repeatable), e.g. enable_thinking=false.")
    var templateVariable: [String] = []

    func run() throws {
        let llm = try modelOptions.load()
        let variables = try parseVariables()
        let params = try sampling.params(vocabSize: llm.model.spec.vocabSize)
        let interactive = isatty(STDIN_FILENO) == 1
        var history = [ChatMessage]()
        func reset() {
            history = system.map { [ChatMessage(role: "system", $0)] } ?? []
        }
        reset()
        if interactive { Terminal.note("Type a message; /reset starts over; Ctrl-D exits.") }
        while true {
            if interactive { Terminal.write("\n> ") }
            guard let line = readLine(strippingNewline: true) else { break }
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            if text == "/reset" {
                reset()
                Terminal.note("(conversation cleared)")
                continue
            }
            history.append(ChatMessage(role: "user", text))
            let prompt = try llm.chatPrompt(history.map(\.jinjaValue), templateVariables: variables)
            let result = try llm.generate(GenerationRequest(prompt: prompt, params: params)) { output in
                Terminal.write(output.textDelta)
            }
            Terminal.write("\n")
            history.append(ChatMessage(role: "assistant", result.text))
        }
        if interactive { Terminal.write("\n") }
    }

    func parseVariables() throws -> [String: JinjaValue] {
        var result = [String: JinjaValue]()
        for item in templateVariable {
            guard let eq = item.firstIndex(of: "=") else { throw ValidationError("--template-variable wants NAME=JSON, got '\(item)'") }
            let name = String(item[..<eq]), json = String(item[item.index(after: eq)...])
            do {
                result[name] = try JinjaValue(jsonString: json)
            } catch {
                throw ValidationError("--template-variable \(name): '\(json)' is not JSON (\(error))")
            }
        }
        return result
    }
}
