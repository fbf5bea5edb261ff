/// The routing settings a mixture-of-experts config shares across architectures, checked
/// once: `experts` per layer, `topK` of them per token, each `ff` wide.
struct MoESettings: Equatable, Sendable {
    var experts: Int
    var topK: Int
    var ff: Int
    var normalize: Bool

    init(experts: Int, topK: Int, ff: Int, normalize: Bool, keys: (experts: String, topK: String, ff: String)) throws {
        guard experts >= 1, experts <= 1024 else {
            throw ModelError.invalidConfig(field: keys.experts, expected: "1...1024 experts", found: "\(experts)")
        }
        guard topK >= 1, topK <= experts else {
            throw ModelError.invalidConfig(field: keys.topK, expected: "1...\(experts) (\(keys.experts))", found: "\(topK)")
        }
        guard ff >= 1 else { throw ModelError.invalidConfig(field: keys.ff, expected: "a positive size", found: "\(ff)") }
        (self.experts, self.topK, self.ff, self.normalize) = (experts, topK, ff, normalize)
    }
}
