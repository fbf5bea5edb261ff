import Foundation

/// Runs a parsed template: walks the statements, writes text to `output` and keeps the
/// bounds that make rendering always finish (macro recursion depth, total loop
/// iterations and macro calls, output size). One interpreter renders one template once.
final class JinjaInterpreter {
    /// Deepest value a namespace attribute may hold.
    static let maxValueDepth = 256

    let now: Date
    let limits: ChatTemplateLimits
    var output = ""
    private var callDepth = 0
    private var steps = 0
    /// Statements and expressions under evaluation right now.
    private var nesting = 0

    init(now: Date, limits: ChatTemplateLimits) {
        self.now = now
        self.limits = limits
    }

    /// Enters one level of statement or expression evaluation; pair with `leave()`.
    func enter() throws(ChatTemplateError) {
        nesting += 1
        if nesting > limits.maxNesting {
            nesting -= 1
            throw .limit("template nested too deeply (more than \(limits.maxNesting) levels of evaluation)")
        }
    }

    func leave() {
        nesting -= 1
    }

    enum Flow {
        case normal, breakLoop, continueLoop
    }

    // MARK: Statements

    func execute(_ body: [JinjaStatement], in scope: JinjaScope) throws(ChatTemplateError) -> Flow {
        for statement in body {
            let flow = try execute(statement, in: scope)
            if case .normal = flow { continue }
            return flow
        }
        return .normal
    }

    /// Runs one statement; like `evaluate`, the bigger cases live in their own functions
    /// to keep the stack used per nesting level small.
    private func execute(_ statement: JinjaStatement, in scope: JinjaScope) throws(ChatTemplateError) -> Flow {
        do {
            try enter()
            defer { leave() }
            switch statement.kind {
            case .text(let text): output += text
            case .output(let expr): write(try eval(expr, scope))
            case .ifChain(let branches, let otherwise): return try executeIf(branches, otherwise, scope)
            case .forLoop(let target, let iterable, let filter, let body, let otherwise):
                return try runLoop(target, iterable, filter, body, otherwise, scope)
            case .set(let target, let expr): try assign(target, try eval(expr, scope), in: scope)
            case .setBlock(let target, let filters, let body): try executeSetBlock(target, filters, body, scope)
            case .macro(let definition):
                let macro = JinjaMacro(definition: definition, scope: scope)
                scope.set(definition.name, .callable(JinjaCallable(name: definition.name, kind: .macro(macro))))
            case .callBlock(let call, let callerDefinition):
                let caller = JinjaCallable(
                    name: "caller", kind: .macro(JinjaMacro(definition: callerDefinition, scope: scope)))
                write(try evalCall(call, scope, caller: caller))
            case .filterBlock(let filters, let body):
                let text = try capture { () throws(ChatTemplateError) in _ = try execute(body, in: scope) }
                write(try applyFilters(filters, to: .string(text), scope))
            case .with(let assignments, let body): return try executeWith(assignments, body, scope)
            case .generation(let body): return try execute(body, in: scope)
            case .breakLoop: return .breakLoop
            case .continueLoop: return .continueLoop
            }
        } catch {
            throw error.located(line: statement.line, column: statement.column)
        }
        return .normal
    }

    private func executeIf(
        _ branches: [(condition: JinjaExpr, body: [JinjaStatement])], _ otherwise: [JinjaStatement], _ scope: JinjaScope
    ) throws(ChatTemplateError) -> Flow {
        for branch in branches where try eval(branch.condition, scope).isTruthy {
            return try execute(branch.body, in: scope)
        }
        return try execute(otherwise, in: scope)
    }

    private func executeSetBlock(
        _ target: JinjaTarget, _ filters: [JinjaFilterCall], _ body: [JinjaStatement], _ scope: JinjaScope
    ) throws(ChatTemplateError) {
        let text = try capture { () throws(ChatTemplateError) in _ = try execute(body, in: scope) }
        try assign(target, try applyFilters(filters, to: .string(text), scope), in: scope)
    }

    private func executeWith(_ assignments: [(JinjaTarget, JinjaExpr)], _ body: [JinjaStatement], _ scope: JinjaScope)
        throws(ChatTemplateError) -> Flow
    {
        let inner = JinjaScope(parent: scope)
        for (target, expr) in assignments { try assign(target, try eval(expr, scope), in: inner) }
        return try execute(body, in: inner)
    }

    /// Appends `str(value)` to the output.
    func write(_ value: JinjaValue) {
        if case .string(let s) = value {
            output += s
        } else {
            output += value.pythonString
        }
    }

    /// Runs `body` with a fresh output buffer and returns what it wrote.
    func capture(_ body: () throws(ChatTemplateError) -> Void) throws(ChatTemplateError) -> String {
        var saved = ""
        swap(&saved, &output)
        defer { swap(&saved, &output) }
        try body()
        return output
    }

    /// Counts one loop iteration or macro call against the rendering's bounds.
    func step() throws(ChatTemplateError) {
        steps += 1
        if steps > limits.maxSteps {
            throw .limit("rendering took more than \(limits.maxSteps) loop iterations and macro calls")
        }
        if output.utf8.count > limits.maxOutputBytes {
            throw .limit("rendered text is longer than \(limits.maxOutputBytes) bytes")
        }
    }

    /// Enters a macro call, failing past the recursion bound; pair with `leaveCall()`.
    func enterCall() throws(ChatTemplateError) {
        try step()
        callDepth += 1
        if callDepth > limits.maxMacroDepth {
            callDepth -= 1
            throw .limit("maximum recursion depth exceeded (macros nested more than \(limits.maxMacroDepth) deep)")
        }
    }

    func leaveCall() {
        callDepth -= 1
    }

    private func applyFilters(_ filters: [JinjaFilterCall], to value: JinjaValue, _ scope: JinjaScope)
        throws(ChatTemplateError) -> JinjaValue
    {
        var result = value
        for filter in filters {
            do {
                let arguments = try evalArguments(filter.arguments, scope)
                result = try JinjaFilters.apply(filter.name, to: result, arguments, self)
            } catch {
                throw error.located(line: filter.line, column: filter.column)
            }
        }
        return result
    }

    // MARK: Loops and assignment

    private func runLoop(
        _ target: JinjaTarget, _ iterable: JinjaExpr, _ filter: JinjaExpr?, _ body: [JinjaStatement],
        _ otherwise: [JinjaStatement], _ scope: JinjaScope
    ) throws(ChatTemplateError) -> Flow {
        var items = try iterate(try eval(iterable, scope))
        if let filter {
            var kept: [JinjaValue] = []
            for item in items {
                let filterScope = JinjaScope(parent: scope)
                try assign(target, item, in: filterScope)
                if try eval(filter, filterScope).isTruthy { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty { return try execute(otherwise, in: scope) }
        for index in items.indices {
            try step()
            let iterationScope = JinjaScope(parent: scope)
            try assign(target, items[index], in: iterationScope)
            iterationScope.set("loop", .callable(JinjaCallable(name: "loop", kind: .loop(JinjaLoop(items: items, index0: index)))))
            if case .breakLoop = try execute(body, in: iterationScope) { break }
        }
        return .normal
    }

    /// The items of an iterable value, as Python's `iter()` gives them: list elements,
    /// dict keys, the characters of a string; Undefined is empty.
    func iterate(_ value: JinjaValue) throws(ChatTemplateError) -> [JinjaValue] {
        switch value {
        case .array(let items): return items
        case .object(let object): return object.entries.map { $0.key.value }
        case .string(let s): return s.unicodeScalars.map { .string(String($0)) }
        case .undefined: return []
        case .iterator(let it):
            if let error = it.deferredError { throw error }
            return it.items
        default: throw .type("'\(value.pythonTypeName)' object is not iterable")
        }
    }

    func assign(_ target: JinjaTarget, _ value: JinjaValue, in scope: JinjaScope) throws(ChatTemplateError) {
        switch target {
        case .name(let name):
            scope.set(name, value)
        case .tuple(let targets):
            let items: [JinjaValue]
            do {
                items = try iterate(value)
            } catch {
                throw .type("cannot unpack non-iterable \(value.pythonTypeName) object")
            }
            if items.count > targets.count { throw .value("too many values to unpack (expected \(targets.count))") }
            if items.count < targets.count {
                throw .value("not enough values to unpack (expected \(targets.count), got \(items.count))")
            }
            for (t, item) in zip(targets, items) { try assign(t, item, in: scope) }
        case .namespaceAttribute(let name, let attribute):
            guard case .namespace(let namespace) = scope.lookup(name) ?? .undefinedValue else {
                throw ChatTemplateError(kind: .type, message: "cannot assign attribute on non-namespace object")
            }
            try JinjaGlobals.checkNamespaceName(attribute)
            // Namespaces are the only values that outlive a loop iteration, so they are where
            // a template could grow a value deeper and deeper; keep that bounded.
            var budget = 10_000
            if value.nestingExceeds(Self.maxValueDepth, budget: &budget) {
                throw .limit("value nested more than \(Self.maxValueDepth) levels deep")
            }
            namespace.attributes[attribute] = value
        }
    }
}
