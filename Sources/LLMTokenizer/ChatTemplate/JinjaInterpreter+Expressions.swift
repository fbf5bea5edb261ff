/// Expression evaluation: names, literals, attribute and item access, calls, filters,
/// tests and operators, with jinja2's handling of Undefined.
extension JinjaInterpreter {
    func eval(_ expr: JinjaExpr, _ scope: JinjaScope) throws(ChatTemplateError) -> JinjaValue {
        do {
            try enter()
            defer { leave() }
            return try evaluate(expr, scope)
        } catch {
            throw error.located(line: expr.line, column: expr.column)
        }
    }

    /// Dispatches on the node kind; each case lives in its own function so that recursion
    /// (macros calling macros) uses little stack per level, in debug builds too.
    private func evaluate(_ expr: JinjaExpr, _ scope: JinjaScope) throws(ChatTemplateError) -> JinjaValue {
        switch expr.kind {
        case .literal(let value): return value
        case .name(let name): return scope.lookup(name) ?? .missingVariable(name)
        case .list(let items): return try evalList(items, scope)
        case .dict(let pairs): return try evalDict(pairs, scope)
        case .attribute(let base, let name): return try evalAttribute(base, name, scope)
        case .item(let base, let index): return try evalItem(base, index, scope)
        case .slice(let base, let start, let stop, let step): return try evalSlice(base, start, stop, step, scope)
        case .call: return try evalCall(expr, scope, caller: nil)
        case .filter(let base, let name, let arguments): return try evalFilter(base, name, arguments, scope)
        case .test(let base, let name, let arguments, let negated):
            return try evalTest(base, name, arguments, negated, scope)
        case .negate(let operand): return try evalUnary(operand, negate: true, scope)
        case .plus(let operand): return try evalUnary(operand, negate: false, scope)
        case .not(let operand): return .bool(!(try eval(operand, scope).isTruthy))
        case .binary(let op, let lhs, let rhs): return try evalBinary(expr, op, lhs, rhs, scope)
        case .compare(let first, let operations): return try evalCompare(first, operations, scope)
        case .and(let lhs, let rhs):
            let l = try eval(lhs, scope)
            return l.isTruthy ? try eval(rhs, scope) : l
        case .or(let lhs, let rhs):
            let l = try eval(lhs, scope)
            return l.isTruthy ? l : try eval(rhs, scope)
        case .conditional(let condition, let then, let otherwise):
            return try evalConditional(expr, condition, then, otherwise, scope)
        }
    }

    private func evalList(_ items: [JinjaExpr], _ scope: JinjaScope) throws(ChatTemplateError) -> JinjaValue {
        var values: [JinjaValue] = []
        values.reserveCapacity(items.count)
        for item in items { values.append(try eval(item, scope)) }
        return .array(values)
    }

    private func evalDict(_ pairs: [(key: JinjaExpr, value: JinjaExpr)], _ scope: JinjaScope) throws(ChatTemplateError)
        -> JinjaValue
    {
        var object = JinjaObject()
        for pair in pairs {
            let key = try eval(pair.key, scope)
            guard let k = JinjaKey(key) else { throw .type("unhashable type: '\(key.pythonTypeName)'") }
            object.set(k, try eval(pair.value, scope))
        }
        return .object(object)
    }

    private func evalAttribute(_ baseExpr: JinjaExpr, _ name: String, _ scope: JinjaScope) throws(ChatTemplateError)
        -> JinjaValue
    {
        let base = try eval(baseExpr, scope)
        if let error = base.undefinedError { throw error }
        return JinjaAccess.attribute(of: base, name)
    }

    private func evalItem(_ baseExpr: JinjaExpr, _ indexExpr: JinjaExpr, _ scope: JinjaScope)
        throws(ChatTemplateError) -> JinjaValue
    {
        let base = try eval(baseExpr, scope)
        if let error = base.undefinedError { throw error }
        return JinjaAccess.item(of: base, try eval(indexExpr, scope))
    }

    private func evalSlice(
        _ baseExpr: JinjaExpr, _ start: JinjaExpr?, _ stop: JinjaExpr?, _ step: JinjaExpr?, _ scope: JinjaScope
    ) throws(ChatTemplateError) -> JinjaValue {
        let base = try eval(baseExpr, scope)
        if let error = base.undefinedError { throw error }
        func optional(_ e: JinjaExpr?) throws(ChatTemplateError) -> JinjaValue? {
            guard let e else { return nil }
            return try eval(e, scope)
        }
        return try JinjaAccess.slice(base, start: try optional(start), stop: try optional(stop), step: try optional(step))
    }

    private func evalFilter(_ baseExpr: JinjaExpr, _ name: String, _ arguments: JinjaExpr.Arguments, _ scope: JinjaScope)
        throws(ChatTemplateError) -> JinjaValue
    {
        let base = try eval(baseExpr, scope)
        // Escaping a Markup leaves it as it is.
        if baseExpr.producesMarkup && (name == "e" || name == "escape") { return base }
        return try JinjaFilters.apply(name, to: base, try evalArguments(arguments, scope), self)
    }

    private func evalTest(
        _ baseExpr: JinjaExpr, _ name: String, _ arguments: JinjaExpr.Arguments, _ negated: Bool, _ scope: JinjaScope
    ) throws(ChatTemplateError) -> JinjaValue {
        let base = try eval(baseExpr, scope)
        let result = try JinjaTests.apply(name, to: base, try evalArguments(arguments, scope), self)
        return .bool(result != negated)
    }

    private func evalUnary(_ operand: JinjaExpr, negate: Bool, _ scope: JinjaScope) throws(ChatTemplateError) -> JinjaValue {
        let value = try eval(operand, scope)
        switch value {
        case .int(let i):
            guard negate else { return value }
            guard i != .min else { throw .value("integer overflow") }
            return .int(-i)
        case .bool(let b): return .int(negate ? -(b ? 1 : 0) : (b ? 1 : 0))
        case .double(let d): return .double(negate ? -d : d)
        case .undefined(let u): throw u.error
        default: throw .type("bad operand type for unary \(negate ? "-" : "+"): '\(value.pythonTypeName)'")
        }
    }

    private func evalBinary(
        _ expr: JinjaExpr, _ op: JinjaExpr.BinaryOp, _ lhs: JinjaExpr, _ rhs: JinjaExpr, _ scope: JinjaScope
    ) throws(ChatTemplateError) -> JinjaValue {
        var l = try eval(lhs, scope)
        var r = try eval(rhs, scope)
        if op != .concat {
            if let error = l.undefinedError ?? r.undefinedError { throw error }
        }
        if op == .add && expr.producesMarkup, case .string(let a) = l, case .string(let b) = r {
            // Markup + str escapes the plain side.
            if !lhs.producesMarkup { l = .string(JinjaFilters.escape(a)) }
            if !rhs.producesMarkup { r = .string(JinjaFilters.escape(b)) }
        }
        return try JinjaArithmetic.apply(op, l, r)
    }

    private func evalCompare(
        _ first: JinjaExpr, _ operations: [(op: JinjaExpr.CompareOp, operand: JinjaExpr)], _ scope: JinjaScope
    ) throws(ChatTemplateError) -> JinjaValue {
        var left = try eval(first, scope)
        for operation in operations {
            let right = try eval(operation.operand, scope)
            guard try compare(left, operation.op, right) else { return .bool(false) }
            left = right
        }
        return .bool(true)
    }

    private func evalConditional(
        _ expr: JinjaExpr, _ condition: JinjaExpr, _ then: JinjaExpr, _ otherwise: JinjaExpr?, _ scope: JinjaScope
    ) throws(ChatTemplateError) -> JinjaValue {
        if try eval(condition, scope).isTruthy { return try eval(then, scope) }
        guard let otherwise else {
            return .undefinedBecause(
                "the inline if-expression on line \(expr.line) evaluated to false and no else section was defined.")
        }
        return try eval(otherwise, scope)
    }

    private func compare(_ l: JinjaValue, _ op: JinjaExpr.CompareOp, _ r: JinjaValue) throws(ChatTemplateError) -> Bool {
        switch op {
        case .equal: return l.pythonEquals(r)
        case .notEqual: return !l.pythonEquals(r)
        case .isIn: return try r.pythonContains(l)
        case .notIn: return !(try r.pythonContains(l))
        case .less, .lessEqual, .greater, .greaterEqual:
            if let error = l.undefinedError ?? r.undefinedError { throw error }
            let order = try l.pythonCompare(r, op: op.rawValue)
            if order == 2 { return false }
            switch op {
            case .less: return order < 0
            case .lessEqual: return order <= 0
            case .greater: return order > 0
            default: return order >= 0
            }
        }
    }

    /// The arguments of a call, filter or test, `*list` and `**dict` spread out.
    func evalArguments(_ arguments: JinjaExpr.Arguments, _ scope: JinjaScope) throws(ChatTemplateError)
        -> JinjaArguments
    {
        var result = JinjaArguments()
        for argument in arguments.items {
            let value = try eval(argument.value, scope)
            if let name = argument.name {
                result.keyword.append((name, value))
            } else {
                result.positional.append(value)
            }
        }
        if let splat = arguments.splat {
            result.positional += try iterate(try eval(splat, scope))
        }
        if let keywordSplat = arguments.keywordSplat {
            guard case .object(let object) = try eval(keywordSplat, scope) else {
                throw .type("argument after ** must be a mapping")
            }
            for entry in object.entries { result.keyword.append((entry.key.text, entry.value)) }
        }
        return result
    }

    /// Evaluates a call expression; `caller` is the body of a `{% call %}` block.
    func evalCall(_ expr: JinjaExpr, _ scope: JinjaScope, caller: JinjaCallable?) throws(ChatTemplateError)
        -> JinjaValue
    {
        guard case .call(let calleeExpr, let argumentExprs) = expr.kind else {
            throw .type("expected a call")
        }
        // Methods of strings, lists and dicts are called directly, without a bound object.
        if case .attribute(let baseExpr, let name) = calleeExpr.kind {
            let base = try eval(baseExpr, scope)
            if let error = base.undefinedError { throw error }
            if JinjaMethods.has(base, name) {
                try JinjaMethods.checkSafe(base, name)
                return try JinjaMethods.call(base, name, try evalArguments(argumentExprs, scope))
            }
            return try call(JinjaAccess.attribute(of: base, name), calleeExpr, argumentExprs, scope, caller)
        }
        return try call(try eval(calleeExpr, scope), calleeExpr, argumentExprs, scope, caller)
    }

    private func call(
        _ callee: JinjaValue, _ calleeExpr: JinjaExpr, _ argumentExprs: JinjaExpr.Arguments, _ scope: JinjaScope,
        _ caller: JinjaCallable?
    ) throws(ChatTemplateError) -> JinjaValue {
        guard case .callable(let function) = callee else {
            if let error = callee.undefinedError { throw error }
            throw .type("'\(callee.pythonTypeName)' object is not callable")
        }
        var arguments = try evalArguments(argumentExprs, scope)
        if let caller { arguments.keyword.append(("caller", .callable(caller))) }
        return try invoke(function, arguments)
    }

    /// Calls a macro, builtin or bound method.
    func invoke(_ function: JinjaCallable, _ arguments: JinjaArguments) throws(ChatTemplateError) -> JinjaValue {
        switch function.kind {
        case .builtin(let body):
            return try body(arguments, self)
        case .macro(let macro):
            return try callMacro(macro, arguments)
        case .loop:
            throw .unsupported("recursive loops are not supported in chat templates")
        }
    }
}
