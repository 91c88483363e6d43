import PortcullisHTTP

/// Reads a `multipart/form-data` body (RFC 7578, framing from RFC 2046 5.1) into named values.
///
/// Each part gives one value: its Content-Disposition `name` and its content, raw (no
/// Content-Transfer-Encoding or charset handling: RFC 7578 4.7 deprecates them). A file part
/// (one with a `filename` parameter) gives its content under `NAME` and, as a second value, its
/// file name under `NAME.filename`, so `body.args` rules see upload names (`shell.php`) as well.
/// `filename*` (RFC 5987, `utf-8''na%C3%AFve.txt`) is decoded and preferred when present, as
/// servers that support it do. A real field called `NAME.filename` is indistinguishable, but both
/// are inspected.
///
/// Strict, because a body the firewall reads differently from the server is an evasion. The body
/// is malformed when: the boundary never appears; a delimiter line has anything but spaces or
/// tabs between the boundary and CRLF (`--B` inside content followed by other bytes counts); a
/// part's header lines do not end in CRLF (bare LF or CR), have no colon, have whitespace before
/// the colon or are folded; a part has no Content-Disposition, two of them, a disposition other
/// than `form-data`, no `name`, or a parameter given twice; or the close delimiter `--B--`
/// never comes. A preamble before the first delimiter and an epilogue after the last are
/// ignored, as RFC 2046 says.
public enum MultipartParser {
    /// How a parse ended.
    public enum Outcome: Sendable, Equatable {
        /// The close delimiter was read (or a limit stopped the parse).
        case complete
        /// The body ended before the close delimiter: malformed unless the body was truncated.
        case incomplete
        case malformed
    }

    /// What a parse found.
    public struct Result: Sendable {
        public var values: [TargetValue] = []
        public var outcome: Outcome = .complete
        /// More than the part or value limit were present; the rest was not read.
        public var overflow = false
    }

    /// Parses `body` delimited by `boundary`, reading at most `maxParts` parts and keeping at
    /// most `maxValues` values. On `.incomplete` the values read so far are kept, with a part cut
    /// by the end of the input giving its content so far. Contents are slices of `body` (its
    /// storage, not copies).
    public static func parse(_ body: [UInt8], boundary: [UInt8], maxParts: Int, maxValues: Int) -> Result {
        body.withUnsafeBufferPointer { buffer in
            var parser = Parser(body: body, input: buffer, boundary: boundary, maxParts: maxParts,
                                maxValues: maxValues)
            parser.run()
            return parser.result
        }
    }
}

private enum Stop: Error {
    case incomplete
    case malformed
    case overflow
}

private struct Parser {
    /// The body, whose slices the contents are; `input` is its bytes, which the parse reads.
    let body: [UInt8]
    let input: UnsafeBufferPointer<UInt8>
    /// `--` + boundary.
    let dashBoundary: [UInt8]
    let maxParts: Int
    let maxValues: Int
    var result = MultipartParser.Result()

    init(body: [UInt8], input: UnsafeBufferPointer<UInt8>, boundary: [UInt8], maxParts: Int, maxValues: Int) {
        self.body = body
        self.input = input
        self.dashBoundary = [UInt8(ascii: "-"), UInt8(ascii: "-")] + boundary
        self.maxParts = maxParts
        self.maxValues = maxValues
    }

    mutating func run() {
        if input.isEmpty { return }
        do throws(Stop) {
            try parts()
        } catch {
            switch error {
            case .incomplete: result.outcome = .incomplete
            case .malformed: result.outcome = .malformed
            case .overflow: result.overflow = true
            }
        }
    }

    private mutating func parts() throws(Stop) {
        // The first delimiter starts the body or follows a CRLF that ends the preamble.
        var at: Int
        if startsWith(dashBoundary, at: 0) {
            at = 0
        } else if let found = find(delimiterFrom: 0) {
            at = found
        } else {
            throw .incomplete
        }
        var partCount = 0
        while true {
            at += dashBoundary.count
            // Close delimiter: the epilogue after it is ignored.
            if at < input.count, input[at] == UInt8(ascii: "-") {
                guard at + 1 < input.count else { throw .incomplete }
                if input[at + 1] == UInt8(ascii: "-") { return }
            }
            at = try delimiterLineEnd(from: at)
            if partCount == maxParts { throw .overflow }
            partCount += 1
            at = try part(from: at)
        }
    }

    /// After the boundary of a delimiter: optional transport padding, then CRLF. Returns the index
    /// after the CRLF.
    private func delimiterLineEnd(from start: Int) throws(Stop) -> Int {
        var i = start
        while i < input.count, input[i] == UInt8(ascii: " ") || input[i] == UInt8(ascii: "\t") { i += 1 }
        guard i < input.count else { throw .incomplete }
        guard input[i] == UInt8(ascii: "\r") else { throw .malformed }
        guard i + 1 < input.count else { throw .incomplete }
        guard input[i + 1] == UInt8(ascii: "\n") else { throw .malformed }
        return i + 2
    }

    /// Reads one part's header lines and content; returns the index of the next delimiter's `--`.
    private mutating func part(from start: Int) throws(Stop) -> Int {
        var i = start
        var disposition: Range<Int>?
        while true {
            let lineStart = i
            while i < input.count, input[i] != UInt8(ascii: "\r"), input[i] != UInt8(ascii: "\n") { i += 1 }
            guard i < input.count else { throw .incomplete }
            guard input[i] == UInt8(ascii: "\r") else { throw .malformed }
            guard i + 1 < input.count else { throw .incomplete }
            guard input[i + 1] == UInt8(ascii: "\n") else { throw .malformed }
            let lineEnd = i
            i += 2
            if lineEnd == lineStart { break }
            // A field line: a token, a colon, a value. No folding, no space before the colon.
            var colon = lineStart
            while colon < lineEnd, ASCII.isTokenChar(input[colon]) { colon += 1 }
            guard colon > lineStart, colon < lineEnd, input[colon] == UInt8(ascii: ":") else { throw .malformed }
            if ASCII.equalsIgnoringCase(input[lineStart..<colon], Self.contentDisposition) {
                if disposition != nil { throw .malformed }
                disposition = (colon + 1)..<lineEnd
            }
        }
        guard let disposition else { throw .malformed }
        let (name, filename) = try Self.parseDisposition(input[disposition])
        let contentEnd = find(delimiterFrom: i)
        // `body` is an array: its indices are `input`'s offsets.
        let content = body[i..<(contentEnd.map { $0 - 2 } ?? input.count)]
        try emit(name: name[...], value: content)
        if let filename {
            try emit(name: (name + Self.filenameSuffix)[...], value: filename[...])
        }
        guard let contentEnd else { throw .incomplete }
        return contentEnd
    }

    private mutating func emit(name: ArraySlice<UInt8>, value: ArraySlice<UInt8>) throws(Stop) {
        if result.values.count == maxValues { throw .overflow }
        result.values.append(TargetValue(name: name, value: value))
    }

    private static let contentDisposition = Array("content-disposition".utf8)
    private static let formData = Array("form-data".utf8)
    private static let nameParameter = Array("name".utf8)
    private static let filenameParameter = Array("filename".utf8)
    private static let filenameStarParameter = Array("filename*".utf8)
    private static let filenameSuffix = Array(".filename".utf8)

    /// `form-data; name="x"; filename="y"` → (name, filename).
    private static func parseDisposition(_ value: Slice<UnsafeBufferPointer<UInt8>>) throws(Stop)
        -> (name: [UInt8], filename: [UInt8]?) {
        let text = ArraySlice(value)
        let semicolon = text.firstIndex(of: UInt8(ascii: ";")) ?? text.endIndex
        guard ASCII.equalsIgnoringCase(BodyContentType.trim(text[text.startIndex..<semicolon]), formData),
              let parameters = BodyContentType.parameters(text[semicolon...]) else { throw .malformed }
        var name: [UInt8]?
        var filename: [UInt8]?
        var filenameStar: [UInt8]?
        var seen: [ArraySlice<UInt8>] = []
        for (key, value) in parameters {
            // A parameter given twice could be read either way by the server.
            for other in seen where ASCII.equalsIgnoringCase(other, Array(key)) { throw .malformed }
            seen.append(key)
            if ASCII.equalsIgnoringCase(key, nameParameter) {
                name = value
            } else if ASCII.equalsIgnoringCase(key, filenameParameter) {
                filename = value
            } else if ASCII.equalsIgnoringCase(key, filenameStarParameter) {
                filenameStar = decodeExtended(value)
            }
        }
        guard let name else { throw .malformed }
        return (name, filenameStar ?? filename)
    }

    /// RFC 8187 `charset'language'percent-encoded` → the percent-decoded bytes (charset ignored:
    /// the bytes are inspected as they are).
    private static func decodeExtended(_ value: [UInt8]) -> [UInt8] {
        guard let first = value.firstIndex(of: UInt8(ascii: "'")),
              let second = value[(first + 1)...].firstIndex(of: UInt8(ascii: "'")) else {
            return URLEncodedArguments.decode(value[...], plusAsSpace: false)
        }
        return URLEncodedArguments.decode(value[(second + 1)...], plusAsSpace: false)
    }

    private func startsWith(_ pattern: [UInt8], at index: Int) -> Bool {
        guard index + pattern.count <= input.count else { return false }
        for k in 0..<pattern.count where input[index + k] != pattern[k] { return false }
        return true
    }

    /// Index of the `--` of the next `CRLF--boundary` at or after `start`.
    private func find(delimiterFrom start: Int) -> Int? {
        var i = start
        let last = input.count - dashBoundary.count - 2
        while i <= last {
            if input[i] == UInt8(ascii: "\r"), input[i + 1] == UInt8(ascii: "\n"), startsWith(dashBoundary, at: i + 2) {
                return i + 2
            }
            i += 1
        }
        return nil
    }
}
