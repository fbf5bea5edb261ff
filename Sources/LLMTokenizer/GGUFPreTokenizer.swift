/// llama.cpp's pre-tokenizer presets, chosen by `tokenizer.ggml.pre`. Each is a list of
/// regexes applied one after the other, every match kept as its own piece.
struct GGUFPreTokenizer {
    var steps: [PreTokenizerStep]
    /// Emit a word that is a whole vocabulary token without merging (llama.cpp's Llama 3 presets).
    var ignoreMerges = false
    /// Add BOS when the file has no `tokenizer.ggml.add_bos_token`.
    var addBOSByDefault = false

    static let supportedNames = [
        "default", "gpt-2", "llama-bpe", "llama3", "qwen2", "smollm", "starcoder", "falcon", "deepseek-llm",
        "deepseek-coder", "deepseek-v3",
        "(and llama.cpp's aliases of these)",
    ]

    private static func isolated(_ pattern: SplitPattern) -> PreTokenizerStep {
        .split(pattern, .isolated, invert: false)
    }

    /// The preset for a `tokenizer.ggml.pre` value, nil when it is not implemented.
    init?(name: String?) {
        let gpt2 = Self.isolated(.gpt2)
        let llama3 = Self.isolated(.llama3(maxDigits: 3, foldLongS: false))
        switch name {
        case nil, "default":
            steps = [
                Self.isolated(.punctuationRun(includeBacktick: false)), gpt2, Self.isolated(.numberRun),
                Self.isolated(.threeASCIIDigits),
            ]
        case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v1-en", "jina-v2-es", "jina-v2-de",
            "jina-v2-code", "roberta-bpe", "mpt", "olmo", "jais":
            steps = [gpt2]
        case "llama3", "llama-v3", "llama-bpe", "falcon3":
            steps = [llama3]
            ignoreMerges = true
            addBOSByDefault = true
        case "dbrx", "smaug-bpe":
            steps = [llama3]
        case "qwen2", "stablelm2", "megrez":
            steps = [Self.isolated(.llama3(maxDigits: 1, foldLongS: false))]
        case "smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva-7b":
            steps = [Self.isolated(.number), gpt2]
        case "deepseek-llm":
            steps = SplitPattern.deepSeekLLMSteps.map(Self.isolated)
        case "deepseek-coder":
            steps = SplitPattern.deepSeekCoderSteps.map(Self.isolated)
        case "deepseek-v3":
            steps = SplitPattern.deepSeekV3Steps.map(Self.isolated)
        case "falcon":
            steps = [Self.isolated(.punctuationRun(includeBacktick: true)), gpt2, Self.isolated(.threeASCIIDigits)]
        default:
            return nil
        }
    }
}
