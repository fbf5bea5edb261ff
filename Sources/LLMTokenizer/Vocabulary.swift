/// Token text to id, compared byte for byte. (Swift's `String` equality is canonical
/// equivalence, under which distinct tokens such as "ά" U+03AC and "ά" U+1F71 would be one
/// key; tokenizers tell them apart.)
struct Vocabulary: Sendable, Sequence {
    /// A token text that hashes and compares its UTF-8 bytes.
    struct Key: Hashable, Sendable {
        let text: String

        static func == (lhs: Key, rhs: Key) -> Bool { lhs.text.utf8.elementsEqual(rhs.text.utf8) }

        func hash(into hasher: inout Hasher) {
            var text = text
            text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }

    private var ids: [Key: Int] = [:]

    init() {}

    /// Entries in order; a later duplicate replaces an earlier one.
    init(_ entries: some Sequence<(String, Int)>) {
        for (token, id) in entries { ids[Key(text: token)] = id }
    }

    var count: Int { ids.count }
    var values: Dictionary<Key, Int>.Values { ids.values }

    mutating func reserveCapacity(_ capacity: Int) { ids.reserveCapacity(capacity) }

    subscript(_ token: String) -> Int? {
        get { ids[Key(text: token)] }
        set { ids[Key(text: token)] = newValue }
    }

    func makeIterator() -> some IteratorProtocol<(key: String, value: Int)> {
        ids.lazy.map { (key: $0.key.text, value: $0.value) }.makeIterator()
    }
}
