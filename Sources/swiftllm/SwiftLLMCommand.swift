import ArgumentParser

@main
struct SwiftLLMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftllm",
        abstract: "Run large language models: generate text, serve an OpenAI-compatible API, inspect checkpoints, measure speed.",
        subcommands: [GenerateCommand.self, ChatCommand.self, ServeCommand.self, TokenizeCommand.self, InfoCommand.self, BenchCommand.self, SelfTestCommand.self])
}
