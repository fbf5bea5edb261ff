/// A Python iterable that is not a list, kept apart so templates fail where Python fails:
/// generators (from `map`, `select`, `selectattr`, `unique`, `batch`, ...) have no length,
/// cannot be reversed and are not JSON serializable; `dict.items()` views and `range()`
/// have a length but are not JSON serializable either.
public final class JinjaIterator: @unchecked Sendable {
    let items: [JinjaValue]
    /// `generator`, `dict_items`, `range`, ...
    let pythonTypeName: String
    let hasLength: Bool
    let isReversible: Bool
    /// What `str()` prints.
    let repr: String
    /// An error Python would raise on the first iteration (jinja2's `items` filter checks
    /// its argument only then).
    let deferredError: ChatTemplateError?

    init(
        _ items: [JinjaValue], type: String, hasLength: Bool = false, isReversible: Bool = false, repr: String? = nil,
        deferredError: ChatTemplateError? = nil
    ) {
        self.items = items
        self.deferredError = deferredError
        self.pythonTypeName = type
        self.hasLength = hasLength
        self.isReversible = isReversible
        self.repr = repr ?? "<\(type) object>"
    }

    /// A generator, as jinja2's lazy filters return.
    static func generator(_ items: [JinjaValue]) -> JinjaValue {
        .iterator(JinjaIterator(items, type: "generator"))
    }

    /// A `dict.items()`, `dict.keys()` or `dict.values()` view.
    static func dictView(_ items: [JinjaValue], type: String) -> JinjaValue {
        let shown = items.map { item -> String in
            guard type == "dict_items", case .array(let pair) = item, pair.count == 2 else { return item.pythonRepr }
            return "(\(pair[0].pythonRepr), \(pair[1].pythonRepr))"
        }
        return .iterator(
            JinjaIterator(
                items, type: type, hasLength: true, isReversible: true,
                repr: "\(type)([\(shown.joined(separator: ", "))])"))
    }
}
