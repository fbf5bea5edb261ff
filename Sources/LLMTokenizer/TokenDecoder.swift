/// One step of an HF `decoder` pipeline.
enum DecoderStep: Sendable, Equatable {
    /// Byte-level alphabet back to bytes; joins the tokens.
    case byteLevel
    /// Every occurrence of the pattern replaced, token by token.
    case replace(TextPattern, [Unicode.Scalar])
    /// `<0xNN>` tokens become the byte; a run of them that is not valid UTF-8 becomes one
    /// U+FFFD per token.
    case byteFallback
    /// `<0xNN>` tokens become the byte, decoded with the text around them (llama.cpp).
    case byteTokens
    /// Joins the tokens.
    case fuse
    /// Removes up to `start` leading and `stop` trailing `content` characters (of each token,
    /// or of the whole text once the tokens are joined).
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    /// `replacement` becomes a space; the first token loses it instead unless `prepend` is never.
    case metaspace(replacement: Unicode.Scalar, prepend: PrependScheme)
}

/// Turns ids back into bytes the way the tokenizer's decoder pipeline does, precomputed per
/// token so that text can also be produced one token at a time (streaming). Steps that act
/// on the joined text (a `Strip` after `Fuse`) apply at the start and end of the output.
struct TokenDecoder: Sendable {
    /// Bytes of each id in the middle of a text: `bytes[offsets[id]..<offsets[id + 1]]`.
    private let bytes: [UInt8]
    private let offsets: [Int]
    /// Ids whose bytes come from a `<0xNN>` token (for ByteFallback's invalid-run rule).
    private let byteTokens: Set<Int>
    /// The bytes of ids that differ when the id is the first token (Metaspace).
    private let firstBytes: [Int: [UInt8]]
    /// Characters stripped from the start and end of the whole text.
    private let leadingStrip: (content: [UInt8], count: Int)
    private let trailingStrip: (content: [UInt8], count: Int)
    /// Put between tokens (HF joins tokens with a space when there is no decoder).
    private let separator: [UInt8]

    /// Streaming state: where in the output the next token lands.
    struct State: Sendable {
        var tokens = 0
        var leadingLeft: Int
        var wroteText = false
    }

    /// A decoder for `tokens` (token text by id, nil for gaps); `steps` nil means no decoder.
    /// Ids in `rawText` decode as their plain UTF-8 text (llama.cpp's added tokens).
    init(steps: [DecoderStep]?, tokens: [String?], rawText: Set<Int> = []) {
        var bytes: [UInt8] = []
        var offsets = [0]
        offsets.reserveCapacity(tokens.count + 1)
        var byteTokens: Set<Int> = []
        var firstBytes: [Int: [UInt8]] = [:]
        var leading: (content: [UInt8], count: Int) = ([], 0)
        var trailing: (content: [UInt8], count: Int) = ([], 0)
        var fused = false
        for step in steps ?? [] {
            switch step {
            case .byteLevel, .fuse: fused = true
            case let .strip(content, start, stop) where fused:
                leading = (Self.utf8(content), leading.count + start)
                trailing = (Self.utf8(content), trailing.count + stop)
            default: break
            }
        }
        let hasFirstRule = steps?.contains { if case .metaspace(_, let p) = $0 { return p != .never } else { return false } } ?? false
        for (id, token) in tokens.enumerated() {
            if let token, rawText.contains(id) {
                bytes.append(contentsOf: token.utf8)
            } else if let token {
                let (piece, isByte) = Self.render(token, steps: steps ?? [], first: false)
                bytes.append(contentsOf: piece)
                if isByte { byteTokens.insert(id) }
                if hasFirstRule {
                    let first = Self.render(token, steps: steps ?? [], first: true).bytes
                    if first != piece { firstBytes[id] = first }
                }
            }
            offsets.append(bytes.count)
        }
        self.bytes = bytes
        self.offsets = offsets
        self.byteTokens = byteTokens
        self.firstBytes = firstBytes
        leadingStrip = leading
        trailingStrip = trailing
        separator = steps == nil ? [0x20] : []
    }

    /// A fresh streaming state.
    func makeState() -> State { State(leadingLeft: leadingStrip.count) }

    /// Whether `id` is a `<0xNN>` byte token.
    func isByteToken(_ id: Int) -> Bool { byteTokens.contains(id) }

    /// Appends the bytes of `id` (a valid id) at the position `state` describes.
    func append(_ id: Int, state: inout State, to output: inout [UInt8]) {
        if state.tokens > 0 { output.append(contentsOf: separator) }
        let start = output.count
        if state.tokens == 0, let first = firstBytes[id] {
            output.append(contentsOf: first)
        } else {
            output.append(contentsOf: bytes[offsets[id]..<offsets[id + 1]])
        }
        state.tokens += 1
        guard !state.wroteText else { return }
        var cut = start
        let content = leadingStrip.content
        while state.leadingLeft > 0, !content.isEmpty, output.count - cut >= content.count,
            output[cut..<(cut + content.count)].elementsEqual(content)
        {
            cut += content.count
            state.leadingLeft -= 1
        }
        output.removeSubrange(start..<cut)
        if output.count > start { state.wroteText = true }
    }

    /// Removes the trailing characters the pipeline strips from the end of the text.
    func finish(_ output: inout [UInt8]) {
        let content = trailingStrip.content
        var left = trailingStrip.count
        while left > 0, !content.isEmpty, output.count >= content.count, output.suffix(content.count).elementsEqual(content) {
            output.removeLast(content.count)
            left -= 1
        }
    }

    /// The bytes of one token after the per-token steps, and whether it is a byte token.
    private static func render(_ token: String, steps: [DecoderStep], first: Bool) -> (bytes: [UInt8], isByte: Bool) {
        var piece = Array(token.utf8)
        var isByte = false
        var fused = false
        for step in steps {
            switch step {
            case .byteLevel:
                piece = ByteLevelAlphabet.bytes(of: String(decoding: piece, as: UTF8.self)) ?? piece
                fused = true
            case .fuse:
                fused = true
            case let .replace(pattern, content):
                piece = pattern.replacingAll(inUTF8: piece, with: content)
            case .byteFallback, .byteTokens:
                if !isByte, let byte = ByteFallback.byte(ofTokenName: String(decoding: piece, as: UTF8.self)) {
                    piece = [byte]
                    isByte = step == .byteFallback
                }
            case let .strip(content, start, stop):
                guard !fused else { continue }
                var scalars = Array(String(decoding: piece, as: UTF8.self).unicodeScalars)
                var low = 0
                while low < min(start, scalars.count), scalars[low] == content { low += 1 }
                var high = scalars.count
                while scalars.count - high < stop, high > low, scalars[high - 1] == content { high -= 1 }
                scalars = Array(scalars[low..<high])
                piece = Array(String(String.UnicodeScalarView(scalars)).utf8)
            case let .metaspace(replacement, prepend):
                let drop = first && prepend != .never
                let scalars = String(decoding: piece, as: UTF8.self).unicodeScalars.compactMap { scalar -> Unicode.Scalar? in
                    scalar == replacement ? (drop ? nil : " ") : scalar
                }
                piece = Array(String(String.UnicodeScalarView(scalars)).utf8)
            }
        }
        return (piece, isByte)
    }

    private static func utf8(_ scalar: Unicode.Scalar) -> [UInt8] {
        var result: [UInt8] = []
        UTF8.encode(scalar) { result.append($0) }
        return result
    }
}
