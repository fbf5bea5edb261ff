/// Expressions, by jinja2's precedence: conditional, `or`, `and`, `not`, comparisons and
/// `in`, `+ -`, `~`, `* / // %`, `**`, unary `- +`, then postfix (`.a`, `[i]`, calls),
/// filters and `is` tests.
extension JinjaParser {
    private func node(_ kind: JinjaExpr.Kind, at token: JinjaToken) -> JinjaExpr {
        JinjaExpr(kind, line: token.line, column: token.column)
    }

    /// An expression, or a tuple (`a, b`) when commas separate several; stops at the end of
    /// the tag, `)` or a name in `extraEnd`.
    mutating func parseTuple(withConditional: Bool = true, extraEnd: Set<String> = [], parenthesized: Bool = false)
        throws(ChatTemplateError) -> JinjaExpr
    {
        let start = current
        var items: [JinjaExpr] = []
        var isTuple = false
        while true {
            if !items.isEmpty { try expectOp(",") }
            switch current.kind {
            case .variableEnd, .blockEnd, .eof: break
            case .op(")"): break
            case .name(let n) where extraEnd.contains(n): break
            default:
                items.append(withConditional ? try parseExpression() : try parseOr())
                if current.isOp(",") {
                    isTuple = true
                    continue
                }
            }
            break
        }
        if !isTuple {
            if let first = items.first { return try bounded(first) }
            if !parenthesized { throw fail("Expected an expression, got '\(current.describe)'") }
        }
        return try bounded(node(.list(items), at: start))
    }

    /// Refuses expression trees deeper than `maxDepth`: long operator or filter chains
    /// build deep trees without deep parser recursion, but evaluating them recurses.
    private func bounded(_ expr: JinjaExpr) throws(ChatTemplateError) -> JinjaExpr {
        guard expr.depth <= Self.maxDepth else {
            throw ChatTemplateError(
                kind: .syntax, message: "expression nested too deeply", line: expr.line, column: expr.column)
        }
        return expr
    }

    mutating func parseExpression() throws(ChatTemplateError) -> JinjaExpr {
        var expr = try parseOr()
        while current.isName("if") {
            let token = advance()
            let condition = try parseOr()
            var otherwise: JinjaExpr?
            if skipName("else") {
                otherwise = try nested { (p: inout JinjaParser) throws(ChatTemplateError) in try p.parseExpression() }
            }
            expr = try bounded(node(.conditional(condition: condition, then: expr, otherwise: otherwise), at: token))
        }
        return try bounded(expr)
    }

    mutating func parseOr() throws(ChatTemplateError) -> JinjaExpr {
        var left = try parseAnd()
        while current.isName("or") {
            let token = advance()
            left = try bounded(node(.or(left, try parseAnd()), at: token))
        }
        return left
    }

    private mutating func parseAnd() throws(ChatTemplateError) -> JinjaExpr {
        var left = try parseNot()
        while current.isName("and") {
            let token = advance()
            left = try bounded(node(.and(left, try parseNot()), at: token))
        }
        return left
    }

    private mutating func parseNot() throws(ChatTemplateError) -> JinjaExpr {
        guard current.isName("not") else { return try parseCompare() }
        let token = advance()
        return try nested { (p: inout JinjaParser) throws(ChatTemplateError) in p.node(.not(try p.parseNot()), at: token) }
    }

    private mutating func parseCompare() throws(ChatTemplateError) -> JinjaExpr {
        let first = try parseMath1()
        var operations: [(op: JinjaExpr.CompareOp, operand: JinjaExpr)] = []
        while true {
            if case .op(let o) = current.kind, let op = JinjaExpr.CompareOp(rawValue: o), op != .isIn {
                advance()
                operations.append((op, try parseMath1()))
            } else if skipName("in") {
                operations.append((.isIn, try parseMath1()))
            } else if current.isName("not") && peek().isName("in") {
                index += 2
                operations.append((.notIn, try parseMath1()))
            } else {
                break
            }
        }
        return operations.isEmpty ? first : JinjaExpr(.compare(first, operations), line: first.line, column: first.column)
    }

    private mutating func parseBinary(_ ops: [String], _ operand: (inout JinjaParser) throws(ChatTemplateError) -> JinjaExpr)
        throws(ChatTemplateError) -> JinjaExpr
    {
        var left = try operand(&self)
        while case .op(let o) = current.kind, ops.contains(o), let op = JinjaExpr.BinaryOp(rawValue: o) {
            let token = advance()
            left = try bounded(node(.binary(op, left, try operand(&self)), at: token))
        }
        return left
    }

    private mutating func parseMath1() throws(ChatTemplateError) -> JinjaExpr {
        try parseBinary(["+", "-"]) { (p: inout JinjaParser) throws(ChatTemplateError) in try p.parseConcat() }
    }

    private mutating func parseConcat() throws(ChatTemplateError) -> JinjaExpr {
        try parseBinary(["~"]) { (p: inout JinjaParser) throws(ChatTemplateError) in try p.parseMath2() }
    }

    private mutating func parseMath2() throws(ChatTemplateError) -> JinjaExpr {
        try parseBinary(["*", "/", "//", "%"]) { (p: inout JinjaParser) throws(ChatTemplateError) in try p.parsePow() }
    }

    private mutating func parsePow() throws(ChatTemplateError) -> JinjaExpr {
        try parseBinary(["**"]) { (p: inout JinjaParser) throws(ChatTemplateError) in try p.parseUnary() }
    }

    /// Runs `body` one nesting level deeper, failing past `maxDepth`.
    mutating func nested(_ body: (inout JinjaParser) throws(ChatTemplateError) -> JinjaExpr)
        throws(ChatTemplateError) -> JinjaExpr
    {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxNestingDepth else { throw fail("expression nested too deeply") }
        return try body(&self)
    }

    private mutating func parseUnary(withFilter: Bool = true) throws(ChatTemplateError) -> JinjaExpr {
        try nested { (p: inout JinjaParser) throws(ChatTemplateError) in
            let token = p.current
            var expr: JinjaExpr
            if p.skipOp("-") {
                expr = p.node(.negate(try p.parseUnary(withFilter: false)), at: token)
            } else if p.skipOp("+") {
                expr = p.node(.plus(try p.parseUnary(withFilter: false)), at: token)
            } else {
                expr = try p.parsePrimary()
            }
            expr = try p.parsePostfix(expr)
            return withFilter ? try p.parseFilterExpression(expr) : expr
        }
    }

    private mutating func parsePrimary() throws(ChatTemplateError) -> JinjaExpr {
        let token = current
        switch token.kind {
        case .name(let name):
            advance()
            switch name {
            case "true", "True": return node(.literal(.bool(true)), at: token)
            case "false", "False": return node(.literal(.bool(false)), at: token)
            case "none", "None": return node(.literal(.none), at: token)
            default: return node(.name(name), at: token)
            }
        case .string(var text):
            advance()
            while case .string(let more) = current.kind {
                text += more
                advance()
            }
            return node(.literal(.string(text)), at: token)
        case .integer(let i):
            advance()
            return node(.literal(.int(i)), at: token)
        case .float(let d):
            advance()
            return node(.literal(.double(d)), at: token)
        case .op("("):
            advance()
            let expr = try parseTuple(parenthesized: true)
            try expectOp(")")
            return expr
        case .op("["):
            advance()
            var items: [JinjaExpr] = []
            while !current.isOp("]") {
                if !items.isEmpty { try expectOp(",") }
                if current.isOp("]") { break }
                items.append(try parseExpression())
            }
            try expectOp("]")
            return node(.list(items), at: token)
        case .op("{"):
            advance()
            var pairs: [(key: JinjaExpr, value: JinjaExpr)] = []
            while !current.isOp("}") {
                if !pairs.isEmpty { try expectOp(",") }
                if current.isOp("}") { break }
                let key = try parseExpression()
                try expectOp(":")
                pairs.append((key, try parseExpression()))
            }
            try expectOp("}")
            return node(.dict(pairs), at: token)
        default:
            throw fail("unexpected '\(token.describe)'")
        }
    }

    private mutating func parsePostfix(_ base: JinjaExpr) throws(ChatTemplateError) -> JinjaExpr {
        var expr = base
        while true {
            expr = try bounded(expr)
            let token = current
            if skipOp(".") {
                switch current.kind {
                case .name(let name):
                    advance()
                    expr = node(.attribute(expr, name), at: token)
                case .integer(let i):
                    advance()
                    expr = node(.item(expr, node(.literal(.int(i)), at: token)), at: token)
                default:
                    throw fail("expected name or number")
                }
            } else if skipOp("[") {
                expr = try parseSubscript(expr, at: token)
            } else if current.isOp("(") {
                expr = node(.call(expr, try parseCallArguments()), at: token)
            } else {
                return expr
            }
        }
    }

    private mutating func parseSubscript(_ base: JinjaExpr, at token: JinjaToken) throws(ChatTemplateError)
        -> JinjaExpr
    {
        var start: JinjaExpr?
        if !current.isOp(":") {
            let index = try parseExpression()
            start = index
            if current.isOp(",") {
                var items = [index]
                while skipOp(",") && !current.isOp("]") { items.append(try parseExpression()) }
                try expectOp("]")
                return node(.item(base, node(.list(items), at: token)), at: token)
            }
            if skipOp("]") { return node(.item(base, index), at: token) }
        }
        try expectOp(":")
        let stop = current.isOp("]") || current.isOp(":") ? nil : try parseExpression()
        var step: JinjaExpr?
        if skipOp(":") && !current.isOp("]") { step = try parseExpression() }
        try expectOp("]")
        return node(.slice(base, start: start, stop: stop, step: step), at: token)
    }

    mutating func parseCallArguments() throws(ChatTemplateError) -> JinjaExpr.Arguments {
        try expectOp("(")
        var arguments = JinjaExpr.Arguments()
        var first = true
        while !current.isOp(")") {
            if !first { try expectOp(",") }
            first = false
            if current.isOp(")") { break }
            if skipOp("*") {
                arguments.splat = try parseExpression()
            } else if skipOp("**") {
                arguments.keywordSplat = try parseExpression()
            } else if let name = current.name, peek().isOp("=") {
                index += 2
                arguments.items.append(.init(name: name, value: try parseExpression()))
            } else {
                arguments.items.append(.init(name: nil, value: try parseExpression()))
            }
        }
        try expectOp(")")
        return arguments
    }

    private mutating func parseFilterExpression(_ base: JinjaExpr) throws(ChatTemplateError) -> JinjaExpr {
        var expr = base
        while true {
            expr = try bounded(expr)
            let token = current
            if skipOp("|") {
                let nameToken = current
                let name = try parseFilterName()
                let arguments = current.isOp("(") ? try parseCallArguments() : JinjaExpr.Arguments()
                expr = node(.filter(expr, name: name, arguments), at: nameToken)
            } else if skipName("is") {
                expr = try parseTest(expr, at: token)
            } else if current.isOp("(") {
                expr = node(.call(expr, try parseCallArguments()), at: token)
            } else {
                return expr
            }
        }
    }

    /// A filter name, checked against the filters this interpreter knows.
    mutating func parseFilterName() throws(ChatTemplateError) -> String {
        let token = current
        var name = try expectName()
        while current.isOp("."), let more = peek().name {
            index += 2
            name += "." + more
        }
        guard JinjaFilters.names.contains(name) else {
            if JinjaFilters.unsupportedJinjaFilters.contains(name) {
                throw ChatTemplateError(
                    kind: .unsupported, message: "the '\(name)' filter is not supported in chat templates",
                    line: token.line, column: token.column)
            }
            throw fail("No filter named '\(name)'.", at: token)
        }
        return name
    }

    private mutating func parseTest(_ base: JinjaExpr, at token: JinjaToken) throws(ChatTemplateError) -> JinjaExpr {
        let negated = skipName("not")
        let nameToken = current
        var name = try expectName()
        while current.isOp("."), let more = peek().name {
            index += 2
            name += "." + more
        }
        guard JinjaTests.names.contains(name) else { throw fail("No test named '\(name)'.", at: nameToken) }
        var arguments = JinjaExpr.Arguments()
        if current.isOp("(") {
            arguments = try parseCallArguments()
        } else {
            switch current.kind {
            case .name(let n) where !["else", "or", "and"].contains(n):
                if n == "is" { throw fail("You cannot chain multiple tests with is") }
                fallthrough
            case .string, .integer, .float, .op("["), .op("{"):
                let argument = try parsePostfix(try parsePrimary())
                arguments.items.append(.init(name: nil, value: argument))
            default:
                break
            }
        }
        return node(.test(base, name: name, arguments, negated: negated), at: token)
    }
}
