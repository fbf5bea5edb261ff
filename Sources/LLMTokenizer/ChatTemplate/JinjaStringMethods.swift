/// Python's `str` methods, with Python's argument rules and results.
enum JinjaStringMethods {
    static func call(_ s: String, _ name: String, _ arguments: JinjaArguments) throws(ChatTemplateError) -> JinjaValue {
        switch name {
        case "strip", "lstrip", "rstrip":
            let a = try arguments.bind(name, ["chars"])
            let chars = try optionalString(a[0], name)
            return .string(PythonString.strip(s, chars: chars, leading: name != "rstrip", trailing: name != "lstrip"))
        case "split", "rsplit":
            let a = try arguments.bind(name, ["sep", "maxsplit"])
            let sep = try optionalString(a[0], name)
            let maxSplit = try optionalInt(a[1], name) ?? -1
            let parts =
                name == "split"
                ? try PythonString.split(s, sep: sep, maxSplit: maxSplit)
                : try PythonString.rsplit(s, sep: sep, maxSplit: maxSplit)
            return .array(parts.map(JinjaValue.string))
        case "splitlines":
            let a = try arguments.bind(name, ["keepends"])
            return .array(PythonString.splitLines(s, keepEnds: a[0]?.isTruthy ?? false).map(JinjaValue.string))
        case "startswith", "endswith":
            return .bool(try affix(s, name, arguments))
        case "upper": return .string(s.uppercased())
        case "lower", "casefold": return .string(s.lowercased())
        case "title": return .string(PythonString.title(s))
        case "capitalize": return .string(PythonString.capitalize(s))
        case "swapcase":
            return .string(
                s.unicodeScalars.map {
                    $0.properties.isUppercase ? $0.properties.lowercaseMapping : $0.properties.uppercaseMapping
                }.joined())
        case "replace":
            let a = try arguments.bind(name, ["old", "new", "count"])
            guard case .string(let old)? = a[0], case .string(let new)? = a[1] else {
                throw .type("replace() argument must be str")
            }
            return .string(try PythonString.replace(s, old, new, count: try optionalInt(a[2], name) ?? -1))
        case "find", "rfind", "index", "rindex", "count":
            return try search(s, name, arguments)
        case "join":
            let a = try arguments.bind(name, ["iterable"])
            var parts: [String] = []
            let items: [JinjaValue]
            switch a[0] ?? .undefinedValue {
            case .array(let values): items = values
            case .string(let text): items = text.unicodeScalars.map { .string(String($0)) }
            case .object(let o): items = o.entries.map { $0.key.value }
            case let other: throw .type("can only join an iterable, not \(other.pythonTypeName)")
            }
            for (i, item) in items.enumerated() {
                guard case .string(let part) = item else {
                    throw .type("sequence item \(i): expected str instance, \(item.pythonTypeName) found")
                }
                parts.append(part)
            }
            return .string(parts.joined(separator: s))
        case "format":
            return .string(try JinjaStringFormat.format(s, arguments))
        case "isdigit", "isdecimal", "isnumeric":
            return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType != nil })
        case "isalpha": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(\.properties.isAlphabetic))
        case "isalnum":
            return .bool(
                !s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil })
        case "isspace": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(PythonString.isWhitespace))
        case "isupper", "islower":
            let cased = s.unicodeScalars.filter(\.properties.isCased)
            let upper = name == "isupper"
            return .bool(
                !cased.isEmpty && cased.allSatisfy { upper ? !$0.properties.isLowercase : !$0.properties.isUppercase })
        case "istitle": return .bool(!s.isEmpty && PythonString.title(s) == s)
        case "zfill", "center", "ljust", "rjust":
            return .string(try pad(s, name, arguments))
        case "partition", "rpartition":
            let a = try arguments.bind(name, ["sep"])
            guard case .string(let sep)? = a[0], !sep.isEmpty else { throw .value("empty separator") }
            let scalars = Array(s.unicodeScalars)
            let needle = Array(sep.unicodeScalars)
            let at = name == "partition" ? PythonString.find(scalars, needle) : PythonString.rfind(scalars, needle)
            guard let at else { return name == "partition" ? .array([.string(s), "", ""]) : .array(["", "", .string(s)]) }
            return .array([
                .string(PythonString.string(scalars[..<at])), .string(sep),
                .string(PythonString.string(scalars[(at + needle.count)...])),
            ])
        case "removeprefix", "removesuffix":
            let a = try arguments.bind(name, ["affix"])
            guard case .string(let affix)? = a[0] else { throw .type("\(name)() argument must be str") }
            if name == "removeprefix" {
                return .string(s.utf8.starts(with: affix.utf8) ? String(s.utf8.dropFirst(affix.utf8.count)) ?? s : s)
            }
            return .string(s.utf8.reversed().starts(with: affix.utf8.reversed()) ? String(s.utf8.dropLast(affix.utf8.count)) ?? s : s)
        default:
            throw .type("'str' object has no attribute '\(name)'")
        }
    }

    private static func optionalString(_ value: JinjaValue?, _ name: String) throws(ChatTemplateError) -> String? {
        switch value {
        case nil, .some(.none): return nil
        case .some(.string(let s)): return s
        case .some(let v): throw .type("\(name) arg must be None or str, not \(v.pythonTypeName)")
        }
    }

    private static func optionalInt(_ value: JinjaValue?, _ name: String) throws(ChatTemplateError) -> Int? {
        switch value {
        case nil, .some(.none): return nil
        case .some(let v):
            guard let i = v.integerValue else {
                throw .type("'\(v.pythonTypeName)' object cannot be interpreted as an integer")
            }
            return i
        }
    }

    /// `startswith`/`endswith` with a string or a tuple of strings and optional bounds.
    private static func affix(_ s: String, _ name: String, _ arguments: JinjaArguments) throws(ChatTemplateError) -> Bool {
        let a = try arguments.bind(name, ["prefix", "start", "end"])
        let candidates: [JinjaValue]
        switch a[0] {
        case .some(.string): candidates = [a[0] ?? ""]
        case .some(.array(let items)): candidates = items
        case .some(let v):
            throw .type("\(name) first arg must be str or a tuple of str, not \(v.pythonTypeName)")
        case nil: throw .type("\(name)() takes at least 1 argument (0 given)")
        }
        var text = s
        if a[1] != nil || a[2] != nil {
            let scalars = Array(s.unicodeScalars)
            let indices = try JinjaAccess.sliceIndices(scalars.count, a[1], a[2], nil)
            text = PythonString.string(indices.map { scalars[$0] })
        }
        for candidate in candidates {
            guard case .string(let affix) = candidate else {
                throw .type("tuple for \(name) must only contain str, not \(candidate.pythonTypeName)")
            }
            // Comparing UTF-8 bytes compares code points.
            if name == "startswith"
                ? text.utf8.starts(with: affix.utf8) : text.utf8.reversed().starts(with: affix.utf8.reversed())
            {
                return true
            }
        }
        return false
    }

    private static func search(_ s: String, _ name: String, _ arguments: JinjaArguments) throws(ChatTemplateError)
        -> JinjaValue
    {
        let a = try arguments.bind(name, ["sub", "start", "end"])
        guard case .string(let sub)? = a[0] else { throw .type("must be str, not \(a[0]?.pythonTypeName ?? "nothing")") }
        let scalars = Array(s.unicodeScalars)
        let needle = Array(sub.unicodeScalars)
        func bound(_ v: JinjaValue?, _ fallback: Int) throws(ChatTemplateError) -> Int {
            guard let v, let i = try optionalInt(v, name) else { return fallback }
            return i < 0 ? max(0, i + scalars.count) : min(i, scalars.count)
        }
        let start = try bound(a[1], 0)
        let end = try bound(a[2], scalars.count)
        if name == "count" {
            guard start <= end else { return .int(0) }
            return .int(PythonString.count(Array(scalars[start..<end]), needle))
        }
        let reverse = name.hasPrefix("r")
        let found =
            reverse ? PythonString.rfind(scalars, needle, from: start, to: end)
            : PythonString.find(scalars, needle, from: start, to: end)
        if let found { return .int(found) }
        if name == "index" || name == "rindex" { throw .value("substring not found") }
        return .int(-1)
    }

    private static func pad(_ s: String, _ name: String, _ arguments: JinjaArguments) throws(ChatTemplateError) -> String {
        let a = try arguments.bind(name, ["width", "fillchar"])
        guard let width = try optionalInt(a[0], name) else { throw .type("\(name)() takes at least 1 argument") }
        var fill: Unicode.Scalar = name == "zfill" ? "0" : " "
        if case .string(let f)? = a[1] {
            guard f.unicodeScalars.count == 1, let c = f.unicodeScalars.first else {
                throw .type("The fill character must be exactly one character long")
            }
            fill = c
        }
        let length = s.unicodeScalars.count
        guard width > length else { return s }
        try JinjaArithmetic.checkLength(width)
        let total = width - length
        func fillText(_ n: Int) -> String { String(repeating: String(fill), count: n) }
        switch name {
        case "ljust": return s + fillText(total)
        case "rjust": return fillText(total) + s
        case "zfill":
            if s.hasPrefix("-") || s.hasPrefix("+") { return String(s.prefix(1)) + fillText(total) + s.dropFirst() }
            return fillText(total) + s
        default:
            let left = total / 2 + (total & width & 1)
            return fillText(left) + s + fillText(total - left)
        }
    }
}
