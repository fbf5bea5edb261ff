/// What jinja2's `Undefined` remembers about where it came from, so that using it later
/// raises the same message jinja2 does (`'dict object' has no attribute 'content'`), even
/// after it was stored in a variable.
public struct JinjaUndefined: Sendable {
    indirect enum Reason: Sendable {
        case unknown
        /// A variable that was never set.
        case variable(String)
        /// A missing attribute or string key of `owner`.
        case attribute(owner: JinjaValue, name: String)
        /// A missing element (a non-string index) of `owner`.
        case element(owner: JinjaValue, index: JinjaValue)
        /// jinja2's own hint, such as "No first item, sequence was empty."
        case text(String)
    }

    let reason: Reason

    /// An Undefined with no history.
    public init() {
        reason = .unknown
    }

    init(_ reason: Reason) {
        self.reason = reason
    }

    /// The message jinja2 raises when this Undefined is used where a value is needed.
    public var message: String {
        switch reason {
        case .unknown: return "undefined value"
        case .variable(let name): return "'\(name)' is undefined"
        case .attribute(let owner, let name):
            return "'\(owner.objectTypeRepr)' has no attribute \(JinjaValue.string(name).pythonRepr)"
        case .element(let owner, let index): return "\(owner.objectTypeRepr) has no element \(index.pythonRepr)"
        case .text(let text): return text
        }
    }

    var error: ChatTemplateError { .undefined(message) }
}

extension JinjaValue {
    /// An Undefined with no history (what a missing variable of the caller's is).
    public static let undefinedValue = JinjaValue.undefined(JinjaUndefined())

    static func missingVariable(_ name: String) -> JinjaValue { .undefined(JinjaUndefined(.variable(name))) }

    static func missingAttribute(_ owner: JinjaValue, _ name: String) -> JinjaValue {
        .undefined(JinjaUndefined(.attribute(owner: owner, name: name)))
    }

    /// The miss of `owner[index]`: string keys read as attributes, as jinja2 words it.
    static func missingItem(_ owner: JinjaValue, _ index: JinjaValue) -> JinjaValue {
        if case .string(let name) = index { return missingAttribute(owner, name) }
        return .undefined(JinjaUndefined(.element(owner: owner, index: index)))
    }

    static func undefinedBecause(_ text: String) -> JinjaValue { .undefined(JinjaUndefined(.text(text))) }

    /// The error for using this value where jinja2 needs a defined one, if it is Undefined.
    var undefinedError: ChatTemplateError? {
        if case .undefined(let u) = self { return u.error }
        return nil
    }
}
