/// Finds the variable names a piece of template reads, which tells whether a macro
/// uses `varargs`, `kwargs` or `caller` (jinja2 accepts extra arguments only then).
enum JinjaNameScan {
    static func referencedNames(in body: [JinjaStatement]) -> Set<String> {
        var names: Set<String> = []
        for statement in body { scan(statement, into: &names) }
        return names
    }

    private static func scan(_ statement: JinjaStatement, into names: inout Set<String>) {
        switch statement.kind {
        case .text, .breakLoop, .continueLoop: break
        case .output(let e): scan(e, into: &names)
        case .ifChain(let branches, let otherwise):
            for branch in branches {
                scan(branch.condition, into: &names)
                for s in branch.body { scan(s, into: &names) }
            }
            for s in otherwise { scan(s, into: &names) }
        case .forLoop(_, let iterable, let filter, let body, let otherwise):
            scan(iterable, into: &names)
            if let filter { scan(filter, into: &names) }
            for s in body + otherwise { scan(s, into: &names) }
        case .set(let target, let value):
            if case .namespaceAttribute(let ns, _) = target { names.insert(ns) }
            scan(value, into: &names)
        case .setBlock(_, let filters, let body):
            for f in filters { scan(f.arguments, into: &names) }
            for s in body { scan(s, into: &names) }
        case .macro(let definition):
            for d in definition.defaults.values { scan(d, into: &names) }
            for s in definition.body { scan(s, into: &names) }
        case .callBlock(let call, let caller):
            scan(call, into: &names)
            for s in caller.body { scan(s, into: &names) }
        case .filterBlock(let filters, let body):
            for f in filters { scan(f.arguments, into: &names) }
            for s in body { scan(s, into: &names) }
        case .with(let assignments, let body):
            for (_, e) in assignments { scan(e, into: &names) }
            for s in body { scan(s, into: &names) }
        case .generation(let body):
            for s in body { scan(s, into: &names) }
        }
    }

    private static func scan(_ arguments: JinjaExpr.Arguments, into names: inout Set<String>) {
        for a in arguments.items { scan(a.value, into: &names) }
        if let s = arguments.splat { scan(s, into: &names) }
        if let s = arguments.keywordSplat { scan(s, into: &names) }
    }

    private static func scan(_ expr: JinjaExpr, into names: inout Set<String>) {
        switch expr.kind {
        case .literal: break
        case .name(let n): names.insert(n)
        case .list(let items): for i in items { scan(i, into: &names) }
        case .dict(let pairs):
            for p in pairs {
                scan(p.key, into: &names)
                scan(p.value, into: &names)
            }
        case .attribute(let base, _): scan(base, into: &names)
        case .item(let base, let index):
            scan(base, into: &names)
            scan(index, into: &names)
        case .slice(let base, let start, let stop, let step):
            for e in [base, start, stop, step].compactMap({ $0 }) { scan(e, into: &names) }
        case .call(let callee, let arguments):
            scan(callee, into: &names)
            scan(arguments, into: &names)
        case .filter(let base, _, let arguments), .test(let base, _, let arguments, _):
            scan(base, into: &names)
            scan(arguments, into: &names)
        case .negate(let e), .plus(let e), .not(let e): scan(e, into: &names)
        case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b):
            scan(a, into: &names)
            scan(b, into: &names)
        case .compare(let first, let operations):
            scan(first, into: &names)
            for o in operations { scan(o.operand, into: &names) }
        case .conditional(let condition, let then, let otherwise):
            scan(condition, into: &names)
            scan(then, into: &names)
            if let otherwise { scan(otherwise, into: &names) }
        }
    }
}
