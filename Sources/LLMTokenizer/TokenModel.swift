/// The model stage of a tokenizer: what turns one pre-tokenized word into ids.
enum TokenModel: Sendable {
    /// HF BPE (byte-level or character-level with byte fallback).
    case bpe(BPEModel)
    /// llama.cpp's SentencePiece BPE (GGUF "llama" vocabularies).
    case sentencePiece(SentencePieceModel)

    /// Token text to id.
    var vocab: Vocabulary {
        switch self {
        case let .bpe(model): return model.vocab
        case let .sentencePiece(model): return model.vocab
        }
    }
}
