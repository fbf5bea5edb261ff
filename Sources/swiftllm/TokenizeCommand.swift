import ArgumentParser
import Foundation
import SwiftLLM

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize", abstract: "Print the token ids of a text (or measure encoding speed with --bench).")

    @Option(name: .long, help: "A GGUF file or a Hugging Face folder with tokenizer.json.")
    var model: String

    @Argument(help: "The text to tokenize (or use --file).")
    var text: String?

    @Option(name: .long, help: "Read the text from this file.")
    var file: String?

    @Flag(name: .long, help: "Add the tokenizer's special tokens (BOS/EOS) as the model's template says.")
    var addSpecialTokens = false

    @Flag(name: .long, help: "Also print each token's text.")
    var verbose = false

    @Flag(name: .long, help: "Encode the file line by line on one thread and print {bytes, seconds, tokens} as JSON.")
    var bench = false

    func validate() throws {
        guard (text == nil) != (file == nil) else { throw ValidationError("give either TEXT or --file") }
        if bench && file == nil { throw ValidationError("--bench needs --file") }
    }

    func run() throws {
        let tokenizer = try Tokenizer.forModel(at: model)
        let input: String
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            input = String(decoding: data, as: UTF8.self)
        } else {
            input = text ?? ""
        }
        if bench {
            let lines = input.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) + "\n" }
            let start = DispatchTime.now().uptimeNanoseconds
            var tokens = 0
            for line in lines { tokens += tokenizer.encode(line, addSpecialTokens: false).count }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            print("{\"bytes\":\(input.utf8.count),\"seconds\":\(seconds),\"tokens\":\(tokens)}")
            return
        }
        let ids = tokenizer.encode(input, addSpecialTokens: addSpecialTokens)
        if verbose {
            for id in ids { print("\(id)\t\(String(reflecting: tokenizer.decode([id])))") }
        } else {
            print(ids.map(String.init).joined(separator: " "))
        }
    }
}
