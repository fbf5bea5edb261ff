/// An expression of the template, with the line and column it starts at.
final class JinjaExpr {
    enum BinaryOp: String {
        case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//", modulo = "%"
        case power = "**", concat = "~"
    }

    enum CompareOp: String {
        case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
        case isIn = "in", notIn = "not in"
    }

    struct Argument {
        /// `nil` for a positional argument.
        let name: String?
        let value: JinjaExpr
    }

    struct Arguments {
        var items: [Argument] = []
        /// `*expr` and `**expr` arguments.
        var splat: JinjaExpr?
        var keywordSplat: JinjaExpr?
    }

    enum Kind {
        case literal(JinjaValue)
        case name(String)
        case list([JinjaExpr])
        case dict([(key: JinjaExpr, value: JinjaExpr)])
        /// `a.b`.
        case attribute(JinjaExpr, String)
        /// `a[b]`.
        case item(JinjaExpr, JinjaExpr)
        /// `a[start:stop:step]`.
        case slice(JinjaExpr, start: JinjaExpr?, stop: JinjaExpr?, step: JinjaExpr?)
        case call(JinjaExpr, Arguments)
        case filter(JinjaExpr, name: String, Arguments)
        case test(JinjaExpr, name: String, Arguments, negated: Bool)
        case negate(JinjaExpr)
        case plus(JinjaExpr)
        case not(JinjaExpr)
        case binary(BinaryOp, JinjaExpr, JinjaExpr)
        /// `a < b <= c`: each comparison against the previous operand.
        case compare(JinjaExpr, [(op: CompareOp, operand: JinjaExpr)])
        case and(JinjaExpr, JinjaExpr)
        case or(JinjaExpr, JinjaExpr)
        /// `a if condition else b` (`b` absent: Undefined).
        case conditional(condition: JinjaExpr, then: JinjaExpr, otherwise: JinjaExpr?)
    }

    let kind: Kind
    let line: Int
    let column: Int
    /// Whether the value is markupsafe's `Markup` (made by `|safe` or `|escape`): adding a
    /// plain string to it HTML-escapes that string, as jinja2 does. Tracked per expression,
    /// not per value, which covers how templates use it (`'text'|safe + value`).
    let producesMarkup: Bool
    /// The height of the tree under this node, which bounds how deep evaluating it recurses.
    let depth: Int

    /// Filters that keep a `Markup` a `Markup`.
    private static let markupPreservingFilters: Set<String> = [
        "trim", "upper", "lower", "capitalize", "title", "string", "indent", "center",
    ]

    init(_ kind: Kind, line: Int, column: Int) {
        self.kind = kind
        self.line = line
        self.column = column
        depth = 1 + Self.children(of: kind).reduce(0) { max($0, $1.depth) }
        switch kind {
        case .filter(let base, let name, _):
            producesMarkup =
                ["safe", "e", "escape"].contains(name)
                || (Self.markupPreservingFilters.contains(name) && base.producesMarkup)
        case .binary(let op, let lhs, let rhs):
            producesMarkup = (op == .add || op == .multiply) && (lhs.producesMarkup || rhs.producesMarkup)
        default:
            producesMarkup = false
        }
    }

    private static func children(of kind: Kind) -> [JinjaExpr] {
        func of(_ arguments: Arguments) -> [JinjaExpr] {
            arguments.items.map(\.value) + [arguments.splat, arguments.keywordSplat].compactMap { $0 }
        }
        switch kind {
        case .literal, .name: return []
        case .list(let items): return items
        case .dict(let pairs): return pairs.flatMap { [$0.key, $0.value] }
        case .attribute(let base, _): return [base]
        case .item(let base, let index): return [base, index]
        case .slice(let base, let start, let stop, let step): return [base] + [start, stop, step].compactMap { $0 }
        case .call(let callee, let arguments): return [callee] + of(arguments)
        case .filter(let base, _, let arguments), .test(let base, _, let arguments, _): return [base] + of(arguments)
        case .negate(let e), .plus(let e), .not(let e): return [e]
        case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b): return [a, b]
        case .compare(let first, let operations): return [first] + operations.map(\.operand)
        case .conditional(let condition, let then, let otherwise): return [condition, then] + [otherwise].compactMap { $0 }
        }
    }
}

/// Where `{% set %}` and `{% for %}` put values: a name, a tuple of targets to unpack
/// into, or an attribute of a namespace.
indirect enum JinjaTarget {
    case name(String)
    case tuple([JinjaTarget])
    case namespaceAttribute(String, String)
}

/// A filter applied by `{% filter %}` or `{% set x | filter %}`.
struct JinjaFilterCall {
    let name: String
    let arguments: JinjaExpr.Arguments
    let line: Int
    let column: Int
}

/// A `{% macro %}` (or the body of a `{% call %}` block, which becomes `caller`).
struct JinjaMacroDefinition {
    let name: String
    let parameters: [String]
    /// Default values for the last parameters, by parameter name.
    let defaults: [String: JinjaExpr]
    let body: [JinjaStatement]
    /// Whether the body mentions `varargs`, `kwargs` or `caller`; jinja2 only accepts
    /// extra arguments (and a caller) when it does.
    let usesVarargs: Bool
    let usesKwargs: Bool
    let usesCaller: Bool
}

/// A statement of the template, with the line and column of its tag.
struct JinjaStatement {
    indirect enum Kind {
        case text(String)
        case output(JinjaExpr)
        case ifChain([(condition: JinjaExpr, body: [JinjaStatement])], otherwise: [JinjaStatement])
        case forLoop(
            target: JinjaTarget, iterable: JinjaExpr, filter: JinjaExpr?, body: [JinjaStatement],
            otherwise: [JinjaStatement])
        case set(JinjaTarget, JinjaExpr)
        case setBlock(JinjaTarget, filters: [JinjaFilterCall], body: [JinjaStatement])
        case macro(JinjaMacroDefinition)
        case callBlock(call: JinjaExpr, caller: JinjaMacroDefinition)
        case filterBlock(filters: [JinjaFilterCall], body: [JinjaStatement])
        case with(assignments: [(JinjaTarget, JinjaExpr)], body: [JinjaStatement])
        /// transformers' `{% generation %}`: renders its body unchanged.
        case generation([JinjaStatement])
        case breakLoop
        case continueLoop
    }

    let kind: Kind
    let line: Int
    let column: Int
}
