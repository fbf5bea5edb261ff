/// Calling macros: binding arguments as jinja2 does (positional, then by name, defaults
/// evaluated at call time, missing ones Undefined, extras only into `varargs`/`kwargs`
/// when the body uses them) and rendering the body into a string.
extension JinjaInterpreter {
    func callMacro(_ macro: JinjaMacro, _ arguments: JinjaArguments) throws(ChatTemplateError) -> JinjaValue {
        let definition = macro.definition
        let scope = JinjaScope(parent: macro.scope)
        let parameters = definition.parameters
        var bound = [JinjaValue?](repeating: nil, count: parameters.count)
        var varargs: [JinjaValue] = []
        for (i, value) in arguments.positional.enumerated() {
            if i < parameters.count {
                bound[i] = value
            } else if definition.usesVarargs {
                varargs.append(value)
            } else {
                throw .type("macro '\(definition.name)' takes not more than \(parameters.count) argument(s)")
            }
        }
        var kwargs = JinjaObject()
        var caller: JinjaValue = .missingVariable("caller")
        for (name, value) in arguments.keyword {
            if let i = parameters.firstIndex(of: name) {
                if bound[i] != nil { throw .type("macro '\(definition.name)' got multiple values for argument '\(name)'") }
                bound[i] = value
            } else if name == "caller" && definition.usesCaller {
                caller = value
            } else if definition.usesKwargs {
                kwargs[name] = value
            } else {
                throw .type("macro '\(definition.name)' takes no keyword argument '\(name)'")
            }
        }
        try enterCall()
        defer { leaveCall() }
        for (i, name) in parameters.enumerated() {
            if let value = bound[i] {
                scope.set(name, value)
            } else if let fallback = definition.defaults[name] {
                scope.set(name, try eval(fallback, scope))
            } else {
                scope.set(name, .undefinedBecause("parameter \(JinjaValue.string(name).pythonRepr) was not provided"))
            }
        }
        if definition.usesVarargs { scope.set("varargs", .array(varargs)) }
        if definition.usesKwargs { scope.set("kwargs", .object(kwargs)) }
        if definition.usesCaller { scope.set("caller", caller) }
        let text = try capture { () throws(ChatTemplateError) in _ = try execute(definition.body, in: scope) }
        return .string(text)
    }
}
