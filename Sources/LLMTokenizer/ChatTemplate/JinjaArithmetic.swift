import Foundation

/// Python's binary operators on template values: `int` arithmetic stays integral (with
/// floor division and a modulo that takes the divisor's sign), `/` always gives a float,
/// `+` joins strings and lists, `*` repeats them, `~` joins the `str()` of both sides.
/// Errors carry Python's messages.
enum JinjaArithmetic {
    /// Strings and lists longer than this (built by `*`, `+`, `~`, padding, ...) are refused,
    /// so a template cannot exhaust memory without looping.
    static let maxSequenceLength = 1 << 26

    /// Refuses a result length (or repeat count) beyond `maxSequenceLength`.
    static func checkLength(_ count: Int) throws(ChatTemplateError) {
        guard count <= maxSequenceLength else {
            throw .limit("result longer than \(maxSequenceLength) characters or items")
        }
    }

    static func apply(_ op: JinjaExpr.BinaryOp, _ l: JinjaValue, _ r: JinjaValue) throws(ChatTemplateError)
        -> JinjaValue
    {
        switch op {
        case .concat:
            let (a, b) = (l.pythonString, r.pythonString)
            try checkLength(a.utf8.count + b.utf8.count)
            return .string(a + b)
        case .add: return try add(l, r)
        case .subtract:
            return try numeric(op, l, r, int: { $0.subtractingReportingOverflow($1) }, double: { $0 - $1 })
        case .multiply: return try multiply(l, r)
        case .divide:
            guard let a = l.numericDouble, let b = r.numericDouble else { throw unsupported(op, l, r) }
            guard b != 0 else { throw .value("division by zero") }
            return .double(a / b)
        case .floorDivide: return try floorDivide(l, r)
        case .modulo: return try modulo(l, r)
        case .power: return try power(l, r)
        }
    }

    private static func unsupported(_ op: JinjaExpr.BinaryOp, _ l: JinjaValue, _ r: JinjaValue) -> ChatTemplateError {
        .type("unsupported operand type(s) for \(op.rawValue): '\(l.pythonTypeName)' and '\(r.pythonTypeName)'")
    }

    private static func overflow() -> ChatTemplateError {
        .value("integer overflow (results beyond 64 bits are not supported)")
    }

    private static func numeric(
        _ op: JinjaExpr.BinaryOp, _ l: JinjaValue, _ r: JinjaValue,
        int: (Int, Int) -> (partialValue: Int, overflow: Bool), double: (Double, Double) -> Double
    ) throws(ChatTemplateError) -> JinjaValue {
        if let a = l.integerValue, let b = r.integerValue {
            let (value, overflowed) = int(a, b)
            if overflowed { throw overflow() }
            return .int(value)
        }
        guard let a = l.numericDouble, let b = r.numericDouble else { throw unsupported(op, l, r) }
        return .double(double(a, b))
    }

    private static func add(_ l: JinjaValue, _ r: JinjaValue) throws(ChatTemplateError) -> JinjaValue {
        switch (l, r) {
        case (.string(let a), .string(let b)):
            try checkLength(a.utf8.count + b.utf8.count)
            return .string(a + b)
        case (.array(let a), .array(let b)):
            try checkLength(a.count + b.count)
            return .array(a + b)
        case (.string, _): throw .type("can only concatenate str (not \"\(r.pythonTypeName)\") to str")
        case (.array, _): throw .type("can only concatenate list (not \"\(r.pythonTypeName)\") to list")
        default:
            return try numeric(.add, l, r, int: { $0.addingReportingOverflow($1) }, double: { $0 + $1 })
        }
    }

    private static func repeated(_ value: JinjaValue, _ times: Int) throws(ChatTemplateError) -> JinjaValue {
        let n = max(0, times)
        switch value {
        case .string(let s):
            let (length, overflow) = s.utf8.count.multipliedReportingOverflow(by: n)
            try checkLength(overflow ? .max : length)
            return .string(String(repeating: s, count: n))
        case .array(let a):
            let (length, overflow) = a.count.multipliedReportingOverflow(by: n)
            try checkLength(overflow ? .max : length)
            var result: [JinjaValue] = []
            for _ in 0..<n { result += a }
            return .array(result)
        default:
            return value
        }
    }

    private static func multiply(_ l: JinjaValue, _ r: JinjaValue) throws(ChatTemplateError) -> JinjaValue {
        switch (l, r) {
        case (.string, _), (.array, _):
            guard let n = r.integerValue else {
                throw .type("can't multiply sequence by non-int of type '\(r.pythonTypeName)'")
            }
            return try repeated(l, n)
        case (_, .string), (_, .array):
            guard let n = l.integerValue else {
                throw .type("can't multiply sequence by non-int of type '\(l.pythonTypeName)'")
            }
            return try repeated(r, n)
        default:
            return try numeric(.multiply, l, r, int: { $0.multipliedReportingOverflow(by: $1) }, double: { $0 * $1 })
        }
    }

    private static func floorDivide(_ l: JinjaValue, _ r: JinjaValue) throws(ChatTemplateError) -> JinjaValue {
        if let a = l.integerValue, let b = r.integerValue {
            guard b != 0 else { throw .value("integer division or modulo by zero") }
            if a == .min && b == -1 { throw overflow() }
            let q = a / b
            return .int((a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q)
        }
        guard let a = l.numericDouble, let b = r.numericDouble else { throw unsupported(.floorDivide, l, r) }
        guard b != 0 else { throw .value("float floor division by zero") }
        return .double(floatDivMod(a, b).0)
    }

    private static func modulo(_ l: JinjaValue, _ r: JinjaValue) throws(ChatTemplateError) -> JinjaValue {
        if case .string(let format) = l { return .string(try JinjaPercentFormat.format(format, r)) }
        if let a = l.integerValue, let b = r.integerValue {
            guard b != 0 else { throw .value("integer modulo by zero") }
            if b == -1 { return .int(0) }
            let m = a % b
            return .int(m != 0 && (m < 0) != (b < 0) ? m + b : m)
        }
        guard let a = l.numericDouble, let b = r.numericDouble else { throw unsupported(.modulo, l, r) }
        guard b != 0 else { throw .value("float modulo") }
        return .double(floatDivMod(a, b).1)
    }

    /// Python's `float.__divmod__`.
    private static func floatDivMod(_ a: Double, _ b: Double) -> (Double, Double) {
        var mod = fmod(a, b)
        var div = (a - mod) / b
        if mod != 0 {
            if (b < 0) != (mod < 0) {
                mod += b
                div -= 1
            }
        } else {
            mod = copysign(0, b)
        }
        var floorDiv: Double
        if div != 0 {
            floorDiv = div.rounded(.down)
            if div - floorDiv > 0.5 { floorDiv += 1 }
        } else {
            floorDiv = copysign(0, a / b)
        }
        return (floorDiv, mod)
    }

    private static func power(_ l: JinjaValue, _ r: JinjaValue) throws(ChatTemplateError) -> JinjaValue {
        if let base = l.integerValue, let exponent = r.integerValue, exponent >= 0 {
            var result = 1
            var factor = base
            var e = exponent
            while e > 0 {
                if e & 1 == 1 {
                    let (value, overflowed) = result.multipliedReportingOverflow(by: factor)
                    if overflowed { throw overflow() }
                    result = value
                }
                e >>= 1
                if e > 0 {
                    let (square, overflowed) = factor.multipliedReportingOverflow(by: factor)
                    if overflowed { throw overflow() }
                    factor = square
                }
            }
            return .int(result)
        }
        guard let a = l.numericDouble, let b = r.numericDouble else { throw unsupported(.power, l, r) }
        if a == 0 && b < 0 { throw .value("0.0 cannot be raised to a negative power") }
        return .double(pow(a, b))
    }
}
