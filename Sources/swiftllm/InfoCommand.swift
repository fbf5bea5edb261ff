import ArgumentParser
import Foundation
import SwiftLLM

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Print a checkpoint's architecture, config and tensor table; without --model, the supported architectures.")

    @Option(name: .long, help: "A GGUF file or a Hugging Face model folder.")
    var model: String?

    @Flag(name: .long, help: "Also print GGUF metadata (large arrays summarised).")
    var metadata = false

    func run() throws {
        guard let model else {
            print("supported architectures (config.json `architectures`):")
            for name in ModelRegistry.supportedArchitectures { print("  \(name)") }
            return
        }
        let checkpoint = try ModelCheckpoint.open(path: model)
        let architecture = try ModelRegistry.architecture(of: checkpoint.configJSON)
        print("path:         \(checkpoint.path)")
        print("format:       \(checkpoint.format.rawValue)")
        print("architecture: \(architecture)")
        print("supported:    \(ModelRegistry.architectures[architecture] != nil ? "yes" : "no (supported: \(ModelRegistry.supportedArchitectures.joined(separator: ", ")))")")
        print("config:")
        if let object = try? JSONSerialization.jsonObject(with: checkpoint.configJSON),
           let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]) {
            print(String(decoding: pretty, as: UTF8.self))
        }
        if metadata, let gguf = checkpoint.gguf {
            print("metadata:")
            for key in gguf.metadataKeys {
                guard let value = gguf.metadata[key] else { continue }
                print("  \(key) = \(Self.summary(value))")
            }
        }
        let names = checkpoint.weights.tensorNames.sorted(by: Self.naturalOrder)
        print("tensors: \(names.count)")
        var total = 0
        for name in names {
            let t = try checkpoint.weights.tensor(name)
            total += t.elementCount
            print("  \(name.padding(toLength: 52, withPad: " ", startingAt: 0)) \(t.dtype.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) \(t.shape)")
        }
        print(String(format: "parameters: %.2fM", Double(total) / 1e6))
    }

    static func summary(_ value: GGUFValue) -> String {
        if case let .array(_, items) = value, items.count > 8 {
            return "[\(items.count) items: \(items.prefix(4).map { "\($0)" }.joined(separator: ", ")), …]"
        }
        let text = "\(value)"
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    /// Orders "layers.10" after "layers.9".
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        a.compare(b, options: .numeric) == .orderedAscending
    }
}
