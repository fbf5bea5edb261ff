import Foundation

/// One case of ``BackendSelfTest``: an op on one input shape, compared with the reference.
public struct SelfTestRow: Sendable, Equatable {
    /// The Backend op ("attention", "rmsNorm", ...).
    public var op: String
    /// What this case varies: shapes, flags.
    public var name: String
    /// max |candidate - reference| / max |reference| over the case's outputs (for
    /// `sample`: the largest logprob difference, absolute).
    public var maxRelativeError: Float
    /// The largest error that passes (see ``BackendSelfTest`` for the reasoning).
    public var tolerance: Float
    /// Whether the candidate produced a NaN (or infinity) where the reference is finite.
    public var hasNaN: Bool
    public var passed: Bool
    /// Why it failed beyond the error (an op threw, token ids differ), or nil.
    public var note: String?

    public init(op: String, name: String, maxRelativeError: Float, tolerance: Float, hasNaN: Bool, passed: Bool, note: String? = nil) {
        self.op = op
        self.name = name
        self.maxRelativeError = maxRelativeError
        self.tolerance = tolerance
        self.hasNaN = hasNaN
        self.passed = passed
        self.note = note
    }

    /// A failed row for a case whose op threw.
    static func failure(op: String, name: String, error: Error) -> SelfTestRow {
        SelfTestRow(op: op, name: name, maxRelativeError: .infinity, tolerance: 0, hasNaN: false, passed: false, note: "\(error)")
    }

    /// The rows as a fixed-width table, one line per case, failures marked.
    public static func table(_ rows: [SelfTestRow]) -> String {
        let opWidth = max(2, rows.map(\.op.count).max() ?? 0)
        let nameWidth = max(4, rows.map(\.name.count).max() ?? 0)
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        func number(_ v: Float) -> String {
            if v.isNaN { return "nan" }
            if v.isInfinite { return "inf" }
            return v == 0 ? "0" : String(format: "%.2e", Double(v))
        }
        var lines = ["\(pad("op", opWidth))  \(pad("case", nameWidth))  \(pad("max rel err", 12))  \(pad("tolerance", 10))  nan  result"]
        for r in rows {
            var line = "\(pad(r.op, opWidth))  \(pad(r.name, nameWidth))  \(pad(number(r.maxRelativeError), 12))  "
            line += "\(pad(number(r.tolerance), 10))  \(r.hasNaN ? "yes" : "no ")  \(r.passed ? "pass" : "FAIL")"
            if let note = r.note { line += "  \(note)" }
            lines.append(line)
        }
        let failed = rows.filter { !$0.passed }.count
        lines.append("\(rows.count - failed)/\(rows.count) cases passed")
        return lines.joined(separator: "\n")
    }
}
