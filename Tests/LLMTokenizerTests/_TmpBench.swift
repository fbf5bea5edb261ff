import Foundation
import LLMTokenizer
import Testing

@Test func tmpBench() throws {
    let clock = ContinuousClock()
    var t0 = clock.now
    let llama = try Tokenizer(directory: Assets.llama3Folder.path)
    print("BENCH load llama3", clock.now - t0)
    t0 = clock.now
    let smol = try Tokenizer(ggufPath: Assets.smolLM2Path)
    print("BENCH load smollm2", clock.now - t0)
    t0 = clock.now
    let qwen = try Tokenizer(directory: Assets.qwen3Folder.path)
    print("BENCH load qwen3", clock.now - t0)
    var text = ""
    for s in Corpus.shared.strings { text += s; if text.utf8.count > 10_000 { break } }
    print("BENCH text bytes", text.utf8.count)
    for (name, tok) in [("llama3", llama), ("smollm2", smol), ("qwen3", qwen)] {
        _ = tok.encode(text)
        t0 = clock.now
        var n = 0
        for _ in 0..<20 { n += tok.encode(text).count }
        print("BENCH encode 10KB \(name)", (clock.now - t0) / 20, "tokens", n / 20)
        let ids = tok.encode(text)
        t0 = clock.now
        for _ in 0..<20 { _ = tok.decode(ids) }
        print("BENCH decode \(name)", (clock.now - t0) / 20)
    }
}
