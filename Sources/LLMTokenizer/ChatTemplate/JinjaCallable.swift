/// Something a template can call: a macro it defined, a `caller` of a call block, a
/// global function (`range`, `namespace`, `raise_exception`, ...) or a method bound to a
/// value (`message.get`). Values of this kind exist only while a template renders.
public final class JinjaCallable: @unchecked Sendable {
    typealias Builtin = (JinjaArguments, JinjaInterpreter) throws(ChatTemplateError) -> JinjaValue

    enum Kind {
        case macro(JinjaMacro)
        case builtin(Builtin)
        /// The `loop` variable of a for loop: attributes, plus `loop.cycle(...)`.
        case loop(JinjaLoop)
    }

    /// The name used in error messages.
    let name: String
    let kind: Kind

    init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    init(name: String, builtin: @escaping Builtin) {
        self.name = name
        self.kind = .builtin(builtin)
    }

    var pythonTypeName: String {
        switch kind {
        case .macro: return "Macro"
        case .builtin: return "builtin_function_or_method"
        case .loop: return "LoopContext"
        }
    }
}

/// A macro (or a call block's `caller`) with the scope it was defined in, which it reads
/// free variables from when called.
final class JinjaMacro {
    let definition: JinjaMacroDefinition
    let scope: JinjaScope

    init(definition: JinjaMacroDefinition, scope: JinjaScope) {
        self.definition = definition
        self.scope = scope
    }
}

/// The state behind a for loop's `loop` variable.
struct JinjaLoop {
    /// The items the loop runs over (after its `if` filter).
    let items: [JinjaValue]
    let index0: Int

    /// `loop.index`, `loop.first`, `loop.previtem`, ...; `nil` for unknown names.
    func attribute(_ name: String) -> JinjaValue? {
        let length = items.count
        switch name {
        case "index": return .int(index0 + 1)
        case "index0": return .int(index0)
        case "revindex": return .int(length - index0)
        case "revindex0": return .int(length - index0 - 1)
        case "first": return .bool(index0 == 0)
        case "last": return .bool(index0 == length - 1)
        case "length": return .int(length)
        case "depth": return .int(1)
        case "depth0": return .int(0)
        case "previtem": return index0 > 0 ? items[index0 - 1] : .undefinedBecause("there is no previous item")
        case "nextitem": return index0 + 1 < length ? items[index0 + 1] : .undefinedBecause("there is no next item")
        case "cycle":
            let index = index0
            return .callable(
                JinjaCallable(name: "cycle") { (arguments, _) throws(ChatTemplateError) -> JinjaValue in
                    guard !arguments.positional.isEmpty else { throw .type("no items for cycling given") }
                    return arguments.positional[index % arguments.positional.count]
                })
        default: return nil
        }
    }
}

/// The mutable object `namespace()` makes; `{% set ns.attr = value %}` assigns into it,
/// which is how templates carry state out of loops.
public final class JinjaNamespace: @unchecked Sendable {
    var attributes: JinjaObject

    init(attributes: JinjaObject) {
        self.attributes = attributes
    }
}

/// The arguments of a call: positional values and keyword values in call order.
struct JinjaArguments {
    var positional: [JinjaValue] = []
    var keyword: [(name: String, value: JinjaValue)] = []

    init(positional: [JinjaValue] = [], keyword: [(name: String, value: JinjaValue)] = []) {
        self.positional = positional
        self.keyword = keyword
    }

    /// The keyword argument `name`, if given.
    func keywordValue(_ name: String) -> JinjaValue? {
        keyword.last { $0.name == name }?.value
    }

    /// Binds the arguments to `parameters` the way Python does for a function
    /// `function(parameters...)`: positional first, then by name. Extra positional values
    /// and unknown keywords are errors; unbound parameters are `nil`.
    func bind(_ function: String, _ parameters: [String]) throws(ChatTemplateError) -> [JinjaValue?] {
        if positional.count > parameters.count {
            throw .type(
                "\(function)() takes at most \(parameters.count) argument(s) (\(positional.count) given)")
        }
        var bound: [JinjaValue?] = positional.map { $0 }
        bound += Array(repeating: nil, count: parameters.count - positional.count)
        for (name, value) in keyword {
            guard let i = parameters.firstIndex(of: name) else {
                throw .type("\(function)() got an unexpected keyword argument '\(name)'")
            }
            if i < positional.count {
                throw .type("\(function)() got multiple values for argument '\(name)'")
            }
            bound[i] = value
        }
        return bound
    }
}
