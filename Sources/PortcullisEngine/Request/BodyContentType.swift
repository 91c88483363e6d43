import PortcullisHTTP

/// How the body is parsed into `body.args` / `body.json`, decided from the Content-Type field.
///
/// Why media types are compared case-insensitively and parameters other than `boundary` are
/// ignored: that is what servers do (RFC 9110 8.3.1); `charset` does not change how bytes split.
public enum BodyContentType: Equatable, Sendable {
    /// No Content-Type, or one whose bodies are not parsed (`text/plain`, `application/xml` …).
    case unparsed
    /// `application/x-www-form-urlencoded`.
    case urlencoded
    /// `multipart/form-data` with its boundary (quotes removed).
    case multipart(boundary: [UInt8])
    /// `application/json`, or any type with the `+json` suffix (`application/merge-patch+json`).
    case json
    /// The Content-Type cannot be trusted: sent twice with different values, or multipart without
    /// a usable boundary (missing, empty, longer than 70 bytes, or given twice).
    case malformed

    /// Classifies the Content-Type field(s) of `head`.
    public init(head: RequestHead) {
        var found: Range<Int>?
        let storage = head.storage
        for field in head.fields where field.name.count == Self.contentTypeField.count
            && storage.withUnsafeBytes({ Self.contentTypeField.matches(UnsafeRawBufferPointer(rebasing: $0[field.name])) }) {
            if let first = found {
                // A server may take either one: the firewall cannot know which.
                if head.storage[first] != head.storage[field.value] {
                    self = .malformed
                    return
                }
            } else {
                found = field.value
            }
        }
        guard let found else {
            self = .unparsed
            return
        }
        self.init(value: head.storage[found])
    }

    /// Classifies one Content-Type field value.
    public init(value: ArraySlice<UInt8>) {
        if Self.isPlainURLEncoded(value) {
            self = .urlencoded
            return
        }
        let semicolon = value.firstIndex(of: UInt8(ascii: ";")) ?? value.endIndex
        let type = Self.trim(value[value.startIndex..<semicolon])
        if ASCII.equalsIgnoringCase(type, Self.urlencodedType) {
            self = .urlencoded
        } else if ASCII.equalsIgnoringCase(type, Self.jsonType) || Self.hasJSONSuffix(type) {
            self = .json
        } else if ASCII.equalsIgnoringCase(type, Self.multipartType) {
            guard let boundary = Self.boundary(in: value[semicolon...]) else {
                self = .malformed
                return
            }
            self = .multipart(boundary: boundary)
        } else {
            self = .unparsed
        }
    }

    /// The common case without the general walk: `value` starts with the urlencoded type (any
    /// case) and holds only spaces or tabs after it up to its end or first `;`. What the walk
    /// would make of it; anything else is left to the walk.
    @inline(__always)
    static func isPlainURLEncoded(_ value: ArraySlice<UInt8>) -> Bool {
        value.withUnsafeBytes { bytes in
            guard urlencodedLiteral.isPrefix(of: bytes) else { return false }
            var i = urlencodedLiteral.count
            while i < bytes.count && bytes[i] != UInt8(ascii: ";") {
                if bytes[i] != UInt8(ascii: " ") && bytes[i] != UInt8(ascii: "\t") { return false }
                i += 1
            }
            return true
        }
    }

    private static let contentTypeField = FoldedLiteral("content-type")
    private static let urlencodedLiteral = FoldedLiteral("application/x-www-form-urlencoded")
    private static let urlencodedType = Array("application/x-www-form-urlencoded".utf8)
    private static let jsonType = Array("application/json".utf8)
    private static let multipartType = Array("multipart/form-data".utf8)
    private static let jsonSuffix = Array("+json".utf8)
    private static let boundaryName = Array("boundary".utf8)

    private static func hasJSONSuffix(_ type: ArraySlice<UInt8>) -> Bool {
        guard type.count > jsonSuffix.count, type.contains(UInt8(ascii: "/")) else { return false }
        return ASCII.equalsIgnoringCase(type.suffix(jsonSuffix.count), jsonSuffix)
    }

    static func trim(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lo = s.startIndex
        var hi = s.endIndex
        while lo < hi, s[lo] == UInt8(ascii: " ") || s[lo] == UInt8(ascii: "\t") { lo += 1 }
        while hi > lo, s[hi - 1] == UInt8(ascii: " ") || s[hi - 1] == UInt8(ascii: "\t") { hi -= 1 }
        return s[lo..<hi]
    }

    /// The `boundary` parameter in `params` (`; a=b; boundary="x"`), unquoted; nil when missing,
    /// repeated, empty, over 70 bytes (RFC 2046 5.1.1) or badly quoted.
    private static func boundary(in params: ArraySlice<UInt8>) -> [UInt8]? {
        guard let list = parameters(params) else { return nil }
        var result: [UInt8]?
        for (name, value) in list where ASCII.equalsIgnoringCase(name, boundaryName) {
            if result != nil { return nil }
            result = value
        }
        guard let result, !result.isEmpty, result.count <= 70 else { return nil }
        return result
    }

    /// Splits `; name=value; name="quoted \" value"` into names (as sent) and values (unquoted,
    /// quoted-pairs resolved as RFC 9110 5.6.4 says); nil when a quoted value is not closed or is
    /// followed by anything but whitespace. A parameter without `=` has an empty value.
    static func parameters(_ params: ArraySlice<UInt8>) -> [(name: ArraySlice<UInt8>, value: [UInt8])]? {
        var list: [(name: ArraySlice<UInt8>, value: [UInt8])] = []
        var i = params.startIndex
        let end = params.endIndex
        while i < end {
            // Skip the `;` and whitespace before a parameter.
            while i < end, params[i] == UInt8(ascii: ";") || params[i] == UInt8(ascii: " ")
                || params[i] == UInt8(ascii: "\t") { i += 1 }
            guard i < end else { break }
            let nameStart = i
            while i < end, params[i] != UInt8(ascii: "="), params[i] != UInt8(ascii: ";") { i += 1 }
            let name = trim(params[nameStart..<i])
            var value: [UInt8] = []
            if i < end, params[i] == UInt8(ascii: "=") {
                i += 1
                while i < end, params[i] == UInt8(ascii: " ") || params[i] == UInt8(ascii: "\t") { i += 1 }
                if i < end, params[i] == UInt8(ascii: "\"") {
                    i += 1
                    var closed = false
                    while i < end {
                        let b = params[i]
                        if b == UInt8(ascii: "\\"), i + 1 < end {
                            value.append(params[i + 1])
                            i += 2
                        } else if b == UInt8(ascii: "\"") {
                            i += 1
                            closed = true
                            break
                        } else {
                            value.append(b)
                            i += 1
                        }
                    }
                    if !closed { return nil }
                    while i < end, params[i] != UInt8(ascii: ";") {
                        if params[i] != UInt8(ascii: " ") && params[i] != UInt8(ascii: "\t") { return nil }
                        i += 1
                    }
                } else {
                    let valueStart = i
                    while i < end, params[i] != UInt8(ascii: ";") { i += 1 }
                    value = Array(trim(params[valueStart..<i]))
                }
            }
            list.append((name, value))
        }
        return list
    }
}
