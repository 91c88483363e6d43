/// How Content-Length and Transfer-Encoding values are read (RFC 9112 6.1–6.3, RFC 9110 8.6).
///
/// Why shared: requests and responses must agree on what a valid length or coding is, or the
/// proxy could frame a response differently from the way it framed the request before it.
enum FramingRules {
    /// Content-Length = 1*DIGIT. Leading zeros are valid (`005` is 5); a sign, hex, a list
    /// (`5, 5`), an empty value or a value above `UInt64.max` are not (nil).
    static func parseContentLength(_ buf: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64? {
        if range.isEmpty { return nil }
        var value: UInt64 = 0
        for i in range {
            let b = buf[i]
            guard CharClass.isDigit(b) else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(b &- 0x30))
            if o1 || o2 { return nil }
            value = sum
        }
        return value
    }

    enum TransferCoding: Equatable {
        /// Exactly one coding, `chunked`.
        case chunked
        /// Well-formed, but codings the proxy does not decode (gzip, chunked not last …): 501.
        case unsupported
        /// Not a list of known transfer codings (empty elements, unknown or malformed names,
        /// parameters, chunked twice): 400.
        case invalid
    }

    /// Classifies a Transfer-Encoding value. Only a single `chunked` is framed; the proxy
    /// re-frames bodies itself and does not decode compression codings.
    static func classifyTransferEncoding(_ buf: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> TransferCoding {
        var elements = ListElements(buf, range)
        var count = 0
        var chunkedSeen = false
        var onlyChunked = true
        while let element = elements.next() {
            count += 1
            guard ListElements.isToken(buf, element) else { return .invalid }
            if ListElements.equals(buf, element, "chunked") {
                if chunkedSeen { return .invalid }
                chunkedSeen = true
            } else if isKnownCoding(buf, element) {
                onlyChunked = false
            } else {
                return .invalid
            }
        }
        if count == 1 && chunkedSeen && onlyChunked { return .chunked }
        return .unsupported
    }

    /// The IANA HTTP Transfer Coding registry, minus `chunked`, plus the deprecated `identity`.
    private static func isKnownCoding(_ buf: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        ListElements.equals(buf, r, "gzip") || ListElements.equals(buf, r, "deflate")
            || ListElements.equals(buf, r, "compress") || ListElements.equals(buf, r, "identity")
            || ListElements.equals(buf, r, "x-gzip") || ListElements.equals(buf, r, "x-compress")
            || ListElements.equals(buf, r, "trailers")
    }

    /// What a message's Connection fields say: `close`, `keep-alive`, and whether any other
    /// token names fields that must then be dropped as hop-by-hop.
    struct ConnectionOptions {
        var close = false
        var keepAlive = false
        var namesOtherFields = false
    }

    /// Adds one Connection field's tokens to `options`; false when an element is not a token.
    /// Empty elements are ignored (RFC 9110 5.6.1). The elements after a bad one are still read,
    /// so a caller that tolerates the bad one (responses) still honours `close` and drops the
    /// fields named after it.
    static func readConnection(_ buf: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
                               into options: inout ConnectionOptions) -> Bool {
        var elements = ListElements(buf, range)
        var allTokens = true
        while let element = elements.next() {
            if element.isEmpty { continue }
            guard ListElements.isToken(buf, element) else {
                allTokens = false
                continue
            }
            if ListElements.equals(buf, element, "close") {
                options.close = true
            } else if ListElements.equals(buf, element, "keep-alive") {
                options.keepAlive = true
            } else {
                options.namesOtherFields = true
            }
        }
        return allTokens
    }

    /// Marks every field named by a token of a Connection field as hop-by-hop (RFC 9110 7.6.1).
    /// Quadratic, but only runs when a Connection field names something unusual.
    static func markFieldsNamedInConnection(_ buf: UnsafeBufferPointer<UInt8>, _ fields: inout [HeaderField]) {
        for c in fields.indices where fields[c].kind == .connection {
            var elements = ListElements(buf, fields[c].value)
            while let token = elements.next() {
                if token.isEmpty { continue }
                for f in fields.indices where !fields[f].isHopByHop && fields[f].name.count == token.count {
                    if sameLowercased(buf, fields[f].name, token) { fields[f].isHopByHop = true }
                }
            }
        }
    }

    private static func sameLowercased(_ buf: UnsafeBufferPointer<UInt8>, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        var j = b.lowerBound
        for i in a {
            if ASCII.lower(buf[i]) != ASCII.lower(buf[j]) { return false }
            j += 1
        }
        return true
    }
}
