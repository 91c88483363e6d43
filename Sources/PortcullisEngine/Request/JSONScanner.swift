/// Reads a JSON document (RFC 8259) into named values without building a tree.
///
/// What it yields, in document order:
/// - every object key (a `key` entry) and every scalar: strings, and numbers, `true`, `false`
///   and `null` as their text (a `value` entry). Numbers and literals are kept because numeric
///   checks (`size`, comparisons) read them and they cost nothing to expose;
/// - strings and keys with every escape decoded to UTF-8: `\uXXXX` including surrogate pairs;
///   a lone surrogate becomes U+FFFD (as Go and browsers' `TextEncoder` do) rather than failing
///   the body. Raw bytes ≥ 0x80 are passed through unchecked;
/// - each entry is named by its path: object keys joined by `.`, array indices as decimal
///   (`user.name`, `items.0.id`; a scalar at the top level has an empty name). A key entry's
///   name is the path the key opens (`{"user":{"name":1}}` gives keys `user` and `user.name`).
///   A key containing `.` makes the path ambiguous (`{"a.b":1}` and `{"a":{"b":1}}` are both
///   `a.b`); both are inspected, so this only matters to `body.arg:NAME`.
///
/// Strict: anything RFC 8259 does not allow (trailing commas, comments, single quotes, a BOM,
/// control characters in strings, leading zeros, text after the value) fails the document, and
/// so does nesting deeper than the depth limit. An empty body is no document at all, not an error.
public enum JSONScanner {
    /// How a scan ended.
    public enum Outcome: Sendable, Equatable {
        /// The whole document was read (or the scalar limit stopped it).
        case complete
        /// The input ended inside the document: malformed, unless the body was truncated.
        case incomplete
        /// Not JSON.
        case malformed
        /// Objects and arrays nested deeper than the limit.
        case tooDeep
    }

    /// What a scan found.
    public struct Result: Sendable {
        /// Keys and scalars in document order (`body.json`).
        public var all: [TargetValue] = []
        /// Scalars only, in document order (`body.args` for JSON bodies).
        public var scalars: [TargetValue] = []
        public var outcome: Outcome = .complete
        /// More than the scalar limit were present; the rest was not read.
        public var overflow = false
    }

    /// Scans `input`, keeping at most `maxScalars` scalars and following at most `maxDepth` levels.
    /// Numbers, literals and strings without escapes are slices of `input` (its storage, not
    /// copies); strings with escapes are decoded into arrays of their own.
    public static func scan(_ input: [UInt8], maxDepth: Int, maxScalars: Int) -> Result {
        input.withUnsafeBufferPointer { buffer in
            var scanner = Scanner(source: input, input: buffer, maxDepth: maxDepth, maxScalars: maxScalars)
            scanner.run()
            return scanner.result
        }
    }
}

private struct Frame {
    var isObject: Bool
    var index: Int
    /// Length of the path before this container's members were appended.
    var pathLength: Int
}

private enum Stop: Error {
    case incomplete
    case malformed
    case tooDeep
    case overflow
}

private struct Scanner {
    /// The document, whose slices the undecoded values are; `input` is its bytes, which the scan
    /// reads (an array: its indices are `input`'s offsets).
    let source: [UInt8]
    let input: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    let maxScalars: Int
    var i = 0
    var path: [UInt8] = []
    var stack: [Frame] = []
    var result = JSONScanner.Result()
    /// Where strings with escapes are decoded.
    var scratch: [UInt8] = []

    init(source: [UInt8], input: UnsafeBufferPointer<UInt8>, maxDepth: Int, maxScalars: Int) {
        self.source = source
        self.input = input
        self.maxDepth = maxDepth
        self.maxScalars = maxScalars
    }

    mutating func run() {
        skipWhitespace()
        if i == input.count { return }
        do throws(Stop) {
            try document()
        } catch {
            switch error {
            case .incomplete: result.outcome = .incomplete
            case .malformed: result.outcome = .malformed
            case .tooDeep: result.outcome = .tooDeep
            case .overflow: result.overflow = true
            }
        }
    }

    private mutating func document() throws(Stop) {
        // Each turn reads one value at `i`, then climbs out of every container it completes.
        while true {
            try readValue()
            while true {
                guard var frame = stack.last else {
                    skipWhitespace()
                    if i != input.count { throw .malformed }
                    return
                }
                skipWhitespace()
                let b = try peek()
                if b == UInt8(ascii: ",") {
                    i += 1
                    frame.index += 1
                    stack[stack.count - 1] = frame
                    if frame.isObject {
                        try readKey(frame)
                    } else {
                        setIndexPath(frame)
                    }
                    break
                } else if b == (frame.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i += 1
                    path.removeSubrange(frame.pathLength...)
                    stack.removeLast()
                } else {
                    throw .malformed
                }
            }
        }
    }

    /// Reads a value; for a non-empty container, enters it and positions at its first member.
    /// On return from an empty container or a scalar, the caller continues after it.
    private mutating func readValue() throws(Stop) {
        while true {
            skipWhitespace()
            let b = try peek()
            switch b {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = b == UInt8(ascii: "{")
                if stack.count >= maxDepth { throw .tooDeep }
                i += 1
                let frame = Frame(isObject: isObject, index: 0, pathLength: path.count)
                skipWhitespace()
                let next = try peek()
                if next == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i += 1
                    return
                }
                stack.append(frame)
                if isObject {
                    try readKey(frame)
                } else {
                    setIndexPath(frame)
                }
                // Loop to read the first member's value.
            case UInt8(ascii: "\""):
                try emitScalar(try string())
                return
            case UInt8(ascii: "t"):
                try literal("true")
                return
            case UInt8(ascii: "f"):
                try literal("false")
                return
            case UInt8(ascii: "n"):
                try literal("null")
                return
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try number()
                return
            default:
                throw .malformed
            }
        }
    }

    /// Reads `"key":` and sets the path to the member's path.
    private mutating func readKey(_ frame: Frame) throws(Stop) {
        skipWhitespace()
        guard try peek() == UInt8(ascii: "\"") else { throw .malformed }
        let key = try string()
        path.removeSubrange(frame.pathLength...)
        if frame.pathLength > 0 { path.append(UInt8(ascii: ".")) }
        path.append(contentsOf: key)
        result.all.append(TargetValue(name: path[...], value: key))
        skipWhitespace()
        guard try peek() == UInt8(ascii: ":") else { throw .malformed }
        i += 1
    }

    private mutating func setIndexPath(_ frame: Frame) {
        path.removeSubrange(frame.pathLength...)
        if frame.pathLength > 0 { path.append(UInt8(ascii: ".")) }
        appendDecimal(frame.index, to: &path)
    }

    private mutating func emitScalar(_ value: ArraySlice<UInt8>) throws(Stop) {
        if result.scalars.count == maxScalars { throw .overflow }
        let entry = TargetValue(name: path[...], value: value)
        result.all.append(entry)
        result.scalars.append(entry)
    }

    private func peek() throws(Stop) -> UInt8 {
        guard i < input.count else { throw .incomplete }
        return input[i]
    }

    private mutating func skipWhitespace() {
        while i < input.count {
            switch input[i] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): i += 1
            default: return
            }
        }
    }

    private mutating func literal(_ word: StaticString) throws(Stop) {
        let start = i
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for expected in w {
            guard i < input.count else { throw .incomplete }
            guard input[i] == expected else { throw .malformed }
            i += 1
        }
        try emitScalar(source[start..<i])
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func number() throws(Stop) {
        let start = i
        if input[i] == UInt8(ascii: "-") { i += 1 }
        let first = try peek()
        if first == UInt8(ascii: "0") {
            i += 1
        } else if isDigit(first) {
            while i < input.count, isDigit(input[i]) { i += 1 }
        } else {
            throw .malformed
        }
        if i < input.count, input[i] == UInt8(ascii: ".") {
            i += 1
            guard isDigit(try peek()) else { throw .malformed }
            while i < input.count, isDigit(input[i]) { i += 1 }
        }
        if i < input.count, input[i] == UInt8(ascii: "e") || input[i] == UInt8(ascii: "E") {
            i += 1
            let sign = try peek()
            if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { i += 1 }
            guard isDigit(try peek()) else { throw .malformed }
            while i < input.count, isDigit(input[i]) { i += 1 }
        }
        // A number runs to the end of the input only at the top level; inside a container the
        // input was cut, and `1` may have been `12`.
        if i == input.count, !stack.isEmpty { throw .incomplete }
        try emitScalar(source[start..<i])
    }

    @inline(__always)
    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// Reads a string at `i` (on its opening quote): a slice of `source` when it holds no escape,
    /// else its bytes with escapes decoded (in `scratch`).
    private mutating func string() throws(Stop) -> ArraySlice<UInt8> {
        i += 1
        let start = i
        // Most strings hold no escape: they are their bytes in the document.
        while i < input.count {
            let b = input[i]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 { break }
            i += 1
        }
        if try peek() == UInt8(ascii: "\"") {
            i += 1
            return source[start..<i - 1]
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<i]))
        while true {
            // Copy the run up to the next quote, backslash or control character in one go.
            let runStart = i
            while i < input.count {
                let b = input[i]
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 { break }
                i += 1
            }
            if i > runStart { scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<i])) }
            let b = try peek()
            if b == UInt8(ascii: "\"") {
                i += 1
                // A copy of exactly its size: a value sharing `scratch` would make the next
                // `removeAll(keepingCapacity:)` allocate scratch's whole capacity again, so one
                // long string followed by many short escaped ones would cost its length each.
                return scratch.withUnsafeBufferPointer { Array($0) }[...]
            }
            if b < 0x20 { throw .malformed }
            i += 1
            let e = try peek()
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(e)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                let unit = try hex4()
                if unit >= 0xD800 && unit <= 0xDBFF {
                    // A high surrogate counts only when a low one follows as the next escape.
                    if i + 1 < input.count, input[i] == UInt8(ascii: "\\"), input[i + 1] == UInt8(ascii: "u") {
                        let save = i
                        i += 2
                        let low = try hex4()
                        if low >= 0xDC00 && low <= 0xDFFF {
                            appendScalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                        } else {
                            appendScalar(0xFFFD)
                            i = save
                        }
                    } else {
                        appendScalar(0xFFFD)
                    }
                } else if unit >= 0xDC00 && unit <= 0xDFFF {
                    appendScalar(0xFFFD)
                } else {
                    appendScalar(unit)
                }
            default:
                throw .malformed
            }
        }
    }

    private mutating func hex4() throws(Stop) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let d = URLEncodedArguments.hexValue(try peek()) else { throw .malformed }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }

    private mutating func appendScalar(_ v: UInt32) {
        switch v {
        case 0..<0x80:
            scratch.append(UInt8(v))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | v >> 6))
            scratch.append(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | v >> 12))
            scratch.append(UInt8(0x80 | v >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | v & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | v >> 18))
            scratch.append(UInt8(0x80 | v >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | v >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | v & 0x3F))
        }
    }

    private func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        appendDecimal(value / 10, to: &out)
        out.append(UInt8(ascii: "0") + UInt8(value % 10))
    }
}
