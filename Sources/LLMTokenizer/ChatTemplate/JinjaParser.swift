/// Builds the statement tree of a template from its tokens, following jinja2's grammar
/// (with the `loopcontrols` extension and transformers' `{% generation %}` tag). Unknown
/// tags, filters and tests are reported here, at parse time, as jinja2 reports them when
/// it compiles a template.
struct JinjaParser {
    var tokens: [JinjaToken]
    var index = 0
    /// How many `for` bodies enclose the current position (for `break`/`continue`).
    var loopDepth = 0
    /// Current expression nesting (parentheses, brackets, unary operators), bounded so a
    /// hostile template cannot exhaust the stack: each level costs the parser a couple
    /// dozen stack frames.
    var depth = 0
    static let maxNestingDepth = 48
    /// Deepest expression tree (long operator and filter chains), which evaluating recurses.
    static let maxDepth = 100
    /// Current block nesting (`if` in `for` in `macro` ...), bounded likewise.
    var blockDepth = 0
    static let maxBlockDepth = 100

    /// Parses a whole template.
    static func parse(_ source: String) throws(ChatTemplateError) -> [JinjaStatement] {
        var parser = JinjaParser(tokens: try JinjaLexer.tokenize(source))
        let (body, _) = try parser.parseBody(until: [], block: nil)
        return body
    }

    init(tokens: [JinjaToken]) {
        self.tokens = tokens
    }

    // MARK: Token helpers

    var current: JinjaToken { tokens[index] }

    func peek(_ offset: Int = 1) -> JinjaToken {
        tokens[min(index + offset, tokens.count - 1)]
    }

    @discardableResult
    mutating func advance() -> JinjaToken {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func fail(_ message: String, at token: JinjaToken? = nil) -> ChatTemplateError {
        let token = token ?? current
        return ChatTemplateError(kind: .syntax, message: message, line: token.line, column: token.column)
    }

    mutating func skipName(_ name: String) -> Bool {
        guard current.isName(name) else { return false }
        advance()
        return true
    }

    mutating func skipOp(_ op: String) -> Bool {
        guard current.isOp(op) else { return false }
        advance()
        return true
    }

    mutating func expectOp(_ op: String) throws(ChatTemplateError) {
        guard skipOp(op) else { throw fail("expected token '\(op)', got '\(current.describe)'") }
    }

    mutating func expectName() throws(ChatTemplateError) -> String {
        guard let name = current.name else { throw fail("expected token 'name', got '\(current.describe)'") }
        advance()
        return name
    }

    mutating func expectBlockEnd() throws(ChatTemplateError) {
        guard case .blockEnd = current.kind else {
            throw fail("expected token 'end of statement block', got '\(current.describe)'")
        }
        advance()
    }

    // MARK: Statements

    /// Parses statements until a block tag named in `endTags`; returns them and that tag
    /// name, leaving the position just after the tag name.
    mutating func parseBody(until endTags: Set<String>, block: String?) throws(ChatTemplateError) -> (
        [JinjaStatement], String
    ) {
        var body: [JinjaStatement] = []
        while true {
            let token = current
            switch token.kind {
            case .data(let text):
                advance()
                body.append(JinjaStatement(kind: .text(text), line: token.line, column: token.column))
            case .variableBegin:
                advance()
                let expr = try parseTuple()
                guard case .variableEnd = current.kind else {
                    throw fail("expected token 'end of print statement', got '\(current.describe)'")
                }
                advance()
                body.append(JinjaStatement(kind: .output(expr), line: token.line, column: token.column))
            case .blockBegin:
                advance()
                guard let name = current.name else { throw fail("tag name expected") }
                if endTags.contains(name) {
                    advance()
                    return (body, name)
                }
                body.append(try parseStatement(name, begin: token))
            case .eof:
                guard let block else { return (body, "") }
                let expected = endTags.sorted().map { "'\($0)'" }.joined(separator: " or ")
                throw fail(
                    "Unexpected end of template. Jinja was looking for the following tags: \(expected). "
                        + "The innermost block that needs to be closed is '\(block)'.")
            default:
                throw fail("unexpected '\(token.describe)'")
            }
        }
    }

    private mutating func parseStatement(_ name: String, begin: JinjaToken) throws(ChatTemplateError)
        -> JinjaStatement
    {
        let nameToken = advance()
        blockDepth += 1
        defer { blockDepth -= 1 }
        guard blockDepth <= Self.maxBlockDepth else { throw fail("blocks nested too deeply", at: nameToken) }
        let kind: JinjaStatement.Kind
        switch name {
        case "if": kind = try parseIf()
        case "for": kind = try parseFor()
        case "set": kind = try parseSet()
        case "macro": kind = try parseMacro()
        case "call": kind = try parseCallBlock()
        case "filter":
            let filters = try parseFilterChain(first: true)
            try expectBlockEnd()
            kind = .filterBlock(filters: filters, body: try parseClosedBody("endfilter", block: "filter"))
        case "with": kind = try parseWith()
        case "print":
            let expr = try parseTuple()
            try expectBlockEnd()
            kind = .output(expr)
        case "generation":
            try expectBlockEnd()
            kind = .generation(try parseClosedBody("endgeneration", block: "generation"))
        case "break", "continue":
            guard loopDepth > 0 else { throw fail("Unexpected \(name) outside of a loop.", at: nameToken) }
            try expectBlockEnd()
            kind = name == "break" ? .breakLoop : .continueLoop
        case "block", "extends", "include", "import", "from", "autoescape", "do":
            throw ChatTemplateError(
                kind: .unsupported, message: "the '\(name)' tag is not supported in chat templates",
                line: nameToken.line, column: nameToken.column)
        default:
            throw fail("Encountered unknown tag '\(name)'.", at: nameToken)
        }
        return JinjaStatement(kind: kind, line: begin.line, column: begin.column)
    }

    /// The body up to `{% end %}` (which takes no arguments).
    private mutating func parseClosedBody(_ end: String, block: String) throws(ChatTemplateError) -> [JinjaStatement] {
        let (body, _) = try parseBody(until: [end], block: block)
        try expectBlockEnd()
        return body
    }

    private mutating func parseIf() throws(ChatTemplateError) -> JinjaStatement.Kind {
        var branches: [(condition: JinjaExpr, body: [JinjaStatement])] = []
        var condition = try parseTuple(withConditional: false)
        while true {
            try expectBlockEnd()
            let (body, end) = try parseBody(until: ["elif", "else", "endif"], block: "if")
            branches.append((condition, body))
            switch end {
            case "elif":
                condition = try parseTuple(withConditional: false)
            case "else":
                try expectBlockEnd()
                return .ifChain(branches, otherwise: try parseClosedBody("endif", block: "if"))
            default:
                try expectBlockEnd()
                return .ifChain(branches, otherwise: [])
            }
        }
    }

    private mutating func parseFor() throws(ChatTemplateError) -> JinjaStatement.Kind {
        let target = try parseAssignTarget(extraEnd: ["in"])
        guard skipName("in") else { throw fail("expected token 'in', got '\(current.describe)'") }
        let iterable = try parseTuple(withConditional: false, extraEnd: ["recursive"])
        let filter = skipName("if") ? try parseExpression() : nil
        if current.isName("recursive") {
            throw ChatTemplateError(
                kind: .unsupported, message: "recursive for loops are not supported in chat templates",
                line: current.line, column: current.column)
        }
        try expectBlockEnd()
        loopDepth += 1
        let (body, end) = try parseBody(until: ["endfor", "else"], block: "for")
        loopDepth -= 1
        try expectBlockEnd()
        let otherwise = end == "else" ? try parseClosedBody("endfor", block: "for") : []
        return .forLoop(target: target, iterable: iterable, filter: filter, body: body, otherwise: otherwise)
    }

    private mutating func parseSet() throws(ChatTemplateError) -> JinjaStatement.Kind {
        let target = try parseAssignTarget(allowNamespace: true)
        if skipOp("=") {
            let value = try parseTuple()
            try expectBlockEnd()
            return .set(target, value)
        }
        let filters = current.isOp("|") ? try parseFilterChain(first: false) : []
        try expectBlockEnd()
        return .setBlock(target, filters: filters, body: try parseClosedBody("endset", block: "set"))
    }

    private mutating func parseWith() throws(ChatTemplateError) -> JinjaStatement.Kind {
        var assignments: [(JinjaTarget, JinjaExpr)] = []
        while !(current.kind == .blockEnd) {
            if !assignments.isEmpty { try expectOp(",") }
            let target = try parseAssignTarget()
            try expectOp("=")
            assignments.append((target, try parseExpression()))
        }
        try expectBlockEnd()
        return .with(assignments: assignments, body: try parseClosedBody("endwith", block: "with"))
    }

    private mutating func parseMacro() throws(ChatTemplateError) -> JinjaStatement.Kind {
        let name = try expectName()
        guard current.isOp("(") else { throw fail("expected token '(', got '\(current.describe)'") }
        return .macro(try parseMacroBody(name: name, parameters: try parseSignature(), end: "endmacro"))
    }

    private mutating func parseCallBlock() throws(ChatTemplateError) -> JinjaStatement.Kind {
        var parameters: ([String], [String: JinjaExpr]) = ([], [:])
        if current.isOp("(") { parameters = try parseSignature() }
        let call = try parseExpression()
        guard case .call = call.kind else { throw fail("expected call", at: tokens[index - 1]) }
        let caller = try parseMacroBody(name: "caller", parameters: parameters, end: "endcall")
        return .callBlock(call: call, caller: caller)
    }

    private mutating func parseMacroBody(name: String, parameters: ([String], [String: JinjaExpr]), end: String)
        throws(ChatTemplateError) -> JinjaMacroDefinition
    {
        try expectBlockEnd()
        let savedLoopDepth = loopDepth
        loopDepth = 0
        let body = try parseClosedBody(end, block: end == "endcall" ? "call" : "macro")
        loopDepth = savedLoopDepth
        let names = JinjaNameScan.referencedNames(in: body)
        return JinjaMacroDefinition(
            name: name, parameters: parameters.0, defaults: parameters.1, body: body,
            usesVarargs: names.contains("varargs"), usesKwargs: names.contains("kwargs"),
            usesCaller: names.contains("caller"))
    }

    /// `(a, b, c=default)`: parameter names and the defaults of the trailing ones.
    private mutating func parseSignature() throws(ChatTemplateError) -> ([String], [String: JinjaExpr]) {
        try expectOp("(")
        var names: [String] = []
        var defaults: [String: JinjaExpr] = [:]
        while !current.isOp(")") {
            if !names.isEmpty { try expectOp(",") }
            if current.isOp(")") { break }
            let nameToken = current
            let name = try expectName()
            if skipOp("=") {
                defaults[name] = try parseExpression()
            } else if !defaults.isEmpty {
                throw fail("non-default argument follows default argument", at: nameToken)
            }
            names.append(name)
        }
        try expectOp(")")
        return (names, defaults)
    }

    /// `name|f(args)|g` after `{% filter` (no leading bar) or `{% set x` (leading bar).
    private mutating func parseFilterChain(first: Bool) throws(ChatTemplateError) -> [JinjaFilterCall] {
        var filters: [JinjaFilterCall] = []
        var needsBar = !first
        while needsBar ? current.isOp("|") : true {
            if needsBar { advance() }
            needsBar = true
            let token = current
            let name = try parseFilterName()
            let arguments = current.isOp("(") ? try parseCallArguments() : JinjaExpr.Arguments()
            filters.append(JinjaFilterCall(name: name, arguments: arguments, line: token.line, column: token.column))
        }
        return filters
    }

    /// `{% set %}`/`{% for %}` targets: a name, `a, b`, `(a, b)` or `ns.attr`.
    mutating func parseAssignTarget(allowNamespace: Bool = false, extraEnd: Set<String> = [], level: Int = 0)
        throws(ChatTemplateError) -> JinjaTarget
    {
        guard level < Self.maxDepth else { throw fail("assignment target nested too deeply") }
        if allowNamespace, let name = current.name, peek().isOp("."), let attribute = peek(2).name {
            index += 3
            return .namespaceAttribute(name, attribute)
        }
        var items: [JinjaTarget] = []
        var isTuple = false
        while true {
            if !items.isEmpty { try expectOp(",") }
            if current.kind == .blockEnd || current.isOp("=") || current.isOp(")")
                || (current.name.map(extraEnd.contains) ?? false)
            {
                break
            }
            if skipOp("(") {
                items.append(try parseAssignTarget(extraEnd: extraEnd, level: level + 1))
                try expectOp(")")
            } else {
                let token = current
                guard let name = current.name else { throw fail("can't assign to '\(token.describe)'") }
                if ["true", "false", "none", "True", "False", "None"].contains(name) {
                    throw fail("can't assign to 'const'", at: token)
                }
                advance()
                items.append(.name(name))
            }
            guard current.isOp(",") else { break }
            isTuple = true
        }
        guard let first = items.first else { throw fail("expected an assignment target, got '\(current.describe)'") }
        return isTuple ? .tuple(items) : first
    }
}
