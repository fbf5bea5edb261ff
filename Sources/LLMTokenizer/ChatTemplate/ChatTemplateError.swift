/// An error from parsing or rendering a chat template. It names the template, the line
/// (and column) where it happened and what went wrong; `message` alone is what jinja2
/// would say (for `raise_exception`, exactly the template's message).
public struct ChatTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: String, Sendable {
        /// The template text is not valid Jinja (found when the template is parsed).
        case syntax
        /// A template used an undefined value in a way that needs a value (jinja2's
        /// `UndefinedError`).
        case undefined
        /// An operation got a value of the wrong type (Python's `TypeError`).
        case type
        /// An operation got a value it cannot handle (Python's `ValueError`,
        /// `ZeroDivisionError`, ...).
        case value
        /// The template called `raise_exception(message)`.
        case raised
        /// The template did something the sandbox forbids (transformers renders in jinja2's
        /// immutable sandbox: no `list.append`, no underscore attributes on namespaces).
        case security
        /// Rendering exceeded a bound: recursion depth, loop iterations or output size.
        case limit
        /// Valid Jinja that this interpreter does not implement.
        case unsupported
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// The message, as jinja2 or Python would word it where they would raise too.
    public var message: String
    /// The template's name, as given to `ChatTemplate(source:name:)`.
    public var templateName: String
    /// The 1-based line in the template, when known.
    public var line: Int?
    /// The 1-based column in that line, when known.
    public var column: Int?

    /// An error with no location yet; the interpreter fills in where it happened.
    public init(kind: Kind, message: String, templateName: String = "", line: Int? = nil, column: Int? = nil) {
        self.kind = kind
        self.message = message
        self.templateName = templateName
        self.line = line
        self.column = column
    }

    /// "chat template 'NAME', line L, column C: MESSAGE".
    public var description: String {
        var text = "chat template '\(templateName)'"
        if let line {
            text += ", line \(line)"
            if let column { text += ", column \(column)" }
        }
        return text + ": " + message
    }

    /// The error with `line`/`column` set unless it already has a location.
    func located(line: Int, column: Int) -> ChatTemplateError {
        guard self.line == nil else { return self }
        var copy = self
        copy.line = line
        copy.column = column
        return copy
    }

    static func syntax(_ message: String) -> ChatTemplateError { .init(kind: .syntax, message: message) }
    static func undefined(_ message: String) -> ChatTemplateError { .init(kind: .undefined, message: message) }
    static func type(_ message: String) -> ChatTemplateError { .init(kind: .type, message: message) }
    static func value(_ message: String) -> ChatTemplateError { .init(kind: .value, message: message) }
    static func security(_ message: String) -> ChatTemplateError { .init(kind: .security, message: message) }
    static func limit(_ message: String) -> ChatTemplateError { .init(kind: .limit, message: message) }
    static func unsupported(_ message: String) -> ChatTemplateError { .init(kind: .unsupported, message: message) }
}
