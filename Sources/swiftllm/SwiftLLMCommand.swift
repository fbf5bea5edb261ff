import ArgumentParser

@main
struct SwiftLLMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftllm",
        abstract: "Run large language models: generate text, inspect checkpoints, measure speed.",
        subcommands: [GenerateCommand.self, ChatCommand.self, TokenizeCommand.self, InfoCommand.self, BenchCommand.self, SelfTestCommand.self])
}
