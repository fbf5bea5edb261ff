import Foundation

/// Python `str` operations on code points (`Unicode.Scalar`s): Python indexes, slices,
/// counts and strips strings by code point, not by Swift `Character`.
enum PythonString {
    typealias Scalars = [Unicode.Scalar]

    /// The string made of `scalars`.
    static func string<C: Collection>(_ scalars: C) -> String where C.Element == Unicode.Scalar {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// Python's `str.isspace` for one character (also what `\s` matches in `re`).
    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F,
            0x3000:
            return true
        default:
            return false
        }
    }

    /// Python's line boundaries for `str.splitlines`.
    static func isLineBreak(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x0A...0x0D, 0x1C...0x1E, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// `str.strip(chars)` / `lstrip` / `rstrip`; `chars == nil` strips whitespace.
    static func strip(_ s: String, chars: String?, leading: Bool = true, trailing: Bool = true) -> String {
        let set = chars.map { Set($0.unicodeScalars) }
        let strips: (Unicode.Scalar) -> Bool = { set?.contains($0) ?? isWhitespace($0) }
        let scalars = s.unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        if leading {
            while start < end, strips(scalars[start]) { start = scalars.index(after: start) }
        }
        if trailing {
            while end > start {
                let before = scalars.index(before: end)
                guard strips(scalars[before]) else { break }
                end = before
            }
        }
        if start == scalars.startIndex && end == scalars.endIndex { return s }
        return String(scalars[start..<end])
    }

    /// Whether `needle` occurs in `haystack`, comparing UTF-8 bytes (which is comparing code
    /// points, as Python does; Swift's own `contains` compares characters).
    static func contains(_ haystack: String, _ needle: String) -> Bool {
        var haystack = haystack
        var needle = needle
        haystack.makeContiguousUTF8()
        needle.makeContiguousUTF8()
        return haystack.utf8.withContiguousStorageIfAvailable { h in
            needle.utf8.withContiguousStorageIfAvailable { n in
                guard let first = n.first else { return true }
                guard n.count <= h.count, let hb = h.baseAddress, let nb = n.baseAddress else { return false }
                var i = 0
                let last = h.count - n.count
                while i <= last {
                    if h[i] == first && (n.count == 1 || memcmp(hb + i, nb, n.count) == 0) { return true }
                    i += 1
                }
                return false
            } ?? false
        } ?? false
    }

    /// The first index at or after `from` where `needle` occurs in `haystack`.
    static func find(_ haystack: Scalars, _ needle: Scalars, from: Int = 0, to: Int? = nil) -> Int? {
        let end = min(to ?? haystack.count, haystack.count)
        guard !needle.isEmpty else { return from <= end ? from : nil }
        guard end - needle.count >= from else { return nil }
        let first = needle[0]
        var i = max(0, from)
        while i <= end - needle.count {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// The last index in `from..<to` where `needle` starts and fits.
    static func rfind(_ haystack: Scalars, _ needle: Scalars, from: Int = 0, to: Int? = nil) -> Int? {
        let end = min(to ?? haystack.count, haystack.count)
        var i = end - needle.count
        while i >= max(0, from) {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i -= 1
        }
        return nil
    }

    /// Non-overlapping occurrences of `needle` (Python counts `len + 1` for an empty one).
    static func count(_ haystack: Scalars, _ needle: Scalars) -> Int {
        if needle.isEmpty { return haystack.count + 1 }
        var n = 0
        var i = 0
        while let at = find(haystack, needle, from: i) {
            n += 1
            i = at + needle.count
        }
        return n
    }

    /// `str.split(sep, maxsplit)`; `sep == nil` splits on runs of whitespace.
    static func split(_ s: String, sep: String?, maxSplit: Int = -1) throws(ChatTemplateError) -> [String] {
        let scalars = Array(s.unicodeScalars)
        guard let sep else {
            var parts: [String] = []
            var i = 0
            while i < scalars.count {
                while i < scalars.count && isWhitespace(scalars[i]) { i += 1 }
                guard i < scalars.count else { break }
                if maxSplit >= 0 && parts.count == maxSplit {
                    var end = scalars.count
                    while end > i && isWhitespace(scalars[end - 1]) { end -= 1 }
                    parts.append(string(scalars[i..<end]))
                    break
                }
                let start = i
                while i < scalars.count && !isWhitespace(scalars[i]) { i += 1 }
                parts.append(string(scalars[start..<i]))
            }
            return parts
        }
        let needle = Array(sep.unicodeScalars)
        guard !needle.isEmpty else { throw .value("empty separator") }
        var parts: [String] = []
        var start = 0
        while maxSplit < 0 || parts.count < maxSplit, let at = find(scalars, needle, from: start) {
            parts.append(string(scalars[start..<at]))
            start = at + needle.count
        }
        parts.append(string(scalars[start...]))
        return parts
    }

    /// `str.rsplit(sep, maxsplit)`.
    static func rsplit(_ s: String, sep: String?, maxSplit: Int = -1) throws(ChatTemplateError) -> [String] {
        if maxSplit < 0 { return try split(s, sep: sep) }
        let scalars = Array(s.unicodeScalars)
        guard let sep else {
            var parts: [String] = []
            var i = scalars.count
            while i > 0 {
                while i > 0 && isWhitespace(scalars[i - 1]) { i -= 1 }
                guard i > 0 else { break }
                if parts.count == maxSplit {
                    var start = 0
                    while start < i && isWhitespace(scalars[start]) { start += 1 }
                    parts.append(string(scalars[start..<i]))
                    break
                }
                let end = i
                while i > 0 && !isWhitespace(scalars[i - 1]) { i -= 1 }
                parts.append(string(scalars[i..<end]))
            }
            return parts.reversed()
        }
        let needle = Array(sep.unicodeScalars)
        guard !needle.isEmpty else { throw .value("empty separator") }
        var parts: [String] = []
        var end = scalars.count
        while parts.count < maxSplit, let at = rfind(scalars, needle, to: end) {
            parts.append(string(scalars[(at + needle.count)..<end]))
            end = at
        }
        parts.append(string(scalars[..<end]))
        return parts.reversed()
    }

    /// `str.replace(old, new, count)`.
    static func replace(_ s: String, _ old: String, _ new: String, count limit: Int = -1) throws(ChatTemplateError)
        -> String
    {
        let scalars = Array(s.unicodeScalars)
        let needle = Array(old.unicodeScalars)
        let replacement = Array(new.unicodeScalars)
        var out: Scalars = []
        out.reserveCapacity(scalars.count)
        var done = 0
        if needle.isEmpty {
            for c in scalars {
                if limit < 0 || done < limit {
                    out += replacement
                    done += 1
                }
                out.append(c)
                try JinjaArithmetic.checkLength(out.count)
            }
            if limit < 0 || done < limit { out += replacement }
            return string(out)
        }
        var i = 0
        while limit < 0 || done < limit, let at = find(scalars, needle, from: i) {
            out += scalars[i..<at]
            out += replacement
            i = at + needle.count
            done += 1
            try JinjaArithmetic.checkLength(out.count)
        }
        if done == 0 { return s }
        out += scalars[i...]
        return string(out)
    }

    /// `str.splitlines(keepends)`.
    static func splitLines(_ s: String, keepEnds: Bool = false) -> [String] {
        let scalars = Array(s.unicodeScalars)
        var lines: [String] = []
        var start = 0
        var i = 0
        while i < scalars.count {
            guard isLineBreak(scalars[i]) else {
                i += 1
                continue
            }
            var end = i + 1
            if scalars[i] == "\r" && end < scalars.count && scalars[end] == "\n" { end += 1 }
            lines.append(string(scalars[start..<(keepEnds ? end : i)]))
            start = end
            i = end
        }
        if start < scalars.count { lines.append(string(scalars[start...])) }
        return lines
    }

    /// Python's `str.title`: the first cased letter after an uncased character in title
    /// case, every other letter lower case.
    static func title(_ s: String) -> String {
        var out = ""
        var previousCased = false
        for c in s.unicodeScalars {
            out += previousCased ? c.properties.lowercaseMapping : c.properties.titlecaseMapping
            previousCased = c.properties.isCased
        }
        return out
    }

    /// Python's `str.capitalize`: the first character in title case, the rest lower case.
    static func capitalize(_ s: String) -> String {
        guard let first = s.unicodeScalars.first else { return s }
        return first.properties.titlecaseMapping + String(s.unicodeScalars.dropFirst()).lowercased()
    }
}
