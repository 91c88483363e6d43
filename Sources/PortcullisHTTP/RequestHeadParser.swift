#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a complete request head, as delimited by `HeadScanner`, into a validated `RequestHead`.
///
/// Why after the scan: the grammar is checked once over contiguous bytes, with the line limits
/// already enforced, so each check below is a tight loop over one buffer.
enum RequestHeadParser {
    /// Where the origin-form target to send upstream comes from.
    private enum OriginForm {
        case range(Range<Int>)
        /// Absolute-form without a path: "/" followed by these target bytes (empty or "?query").
        case slashThen(Range<Int>)
        /// `OPTIONS http://host` — RFC 9112 3.2.4: forwarded as `OPTIONS *`.
        case asterisk
    }

    private struct Parsed {
        var method: HTTPMethod
        var methodRange: Range<Int>
        var target: Range<Int>
        var origin: OriginForm
        var version: HTTPVersion
        var fields: [HeaderField]
        var authority: Range<Int>?
        var framing: BodyFraming
        var keepAlive: Bool
        var expectsContinue: Bool
    }

    /// `storage` holds the head from the first byte of the request line to the final CRLF, with
    /// every line already known to end in CRLF and to be within the line limits.
    static func parse(_ storage: [UInt8], fieldCount: Int, limits: HTTPLimits) throws(HTTPParseError) -> RequestHead {
        var storage = storage
        let parsed = try storage.withUnsafeBufferPointer { (buf) throws(HTTPParseError) -> Parsed in
            try parse(buf, fieldCount: fieldCount, limits: limits)
        }
        // Synthesised targets are appended after the received bytes, so every range stays valid.
        let originFormTarget: Range<Int>
        switch parsed.origin {
        case .range(let r):
            originFormTarget = r
        case .slashThen(let rest):
            let start = storage.count
            let tail = Array(storage[rest])
            storage.append(Byte.slash)
            storage.append(contentsOf: tail)
            originFormTarget = start..<storage.count
        case .asterisk:
            storage.append(Byte.star)
            originFormTarget = (storage.count - 1)..<storage.count
        }
        return RequestHead(storage: storage, method: parsed.method, methodRange: parsed.methodRange,
                           target: parsed.target, originFormTarget: originFormTarget, version: parsed.version,
                           fields: parsed.fields, authority: parsed.authority, framing: parsed.framing,
                           keepAlive: parsed.keepAlive, expectsContinue: parsed.expectsContinue)
    }

    private static func parse(_ buf: UnsafeBufferPointer<UInt8>, fieldCount: Int,
                              limits: HTTPLimits) throws(HTTPParseError) -> Parsed {
        let n = buf.count
        guard let base = buf.baseAddress else { throw .badRequestLine }
        let firstLF = lineFeed(base, from: 0, count: n)
        let lineEnd = firstLF - 1

        // method SP request-target SP HTTP-version
        var i = 0
        while i < lineEnd && CharClass.isToken(buf[i]) { i += 1 }
        if i == 0 { throw buf[0] == Byte.cr ? .bareCR : .badMethod }
        if i == lineEnd { throw .badRequestLine }
        if buf[i] != Byte.sp { throw buf[i] == Byte.cr ? .bareCR : .badMethod }
        let methodRange = 0..<i
        let targetStart = i + 1
        var j = targetStart
        // Visible ASCII only: no SP, CTL or non-ASCII byte may hide inside a target.
        while j < lineEnd && buf[j] &- 0x21 < 0x5E { j += 1 }
        if j == lineEnd { throw .badRequestLine }  // no version: HTTP/0.9 style, or an empty line
        if buf[j] != Byte.sp { throw buf[j] == Byte.cr ? .bareCR : .badTarget }
        if j == targetStart { throw .badTarget }
        let target = targetStart..<j
        let version = try parseVersion(buf, (j + 1)..<lineEnd)
        let method = recogniseMethod(buf, methodRange)

        // Field lines
        var fields: [HeaderField] = []
        fields.reserveCapacity(fieldCount)
        var host: Range<Int>?
        var contentLength: UInt64?
        var transferEncoding: Range<Int>?
        var connection = FramingRules.ConnectionOptions()
        var expect = false
        var pos = firstLF + 1
        while true {
            let lf = lineFeed(base, from: pos, count: n)
            let end = lf - 1
            if end == pos { break }
            let field = try FieldLineParser.parse(buf, start: pos, end: end)
            switch field.kind {
            case .host:
                if host != nil { throw .duplicateHost }
                host = field.value
            case .contentLength:
                // Strict: even an identical repeat is refused (RFC 9110 8.6 allows either).
                if contentLength != nil { throw .duplicateContentLength }
                guard let value = FramingRules.parseContentLength(buf, field.value) else { throw .badContentLength }
                contentLength = value
            case .transferEncoding:
                if transferEncoding != nil { throw .duplicateTransferEncoding }
                transferEncoding = field.value
            case .connection:
                guard FramingRules.readConnection(buf, field.value, into: &connection) else { throw .badConnection }
            case .expect:
                guard ListElements.equals(buf, field.value, "100-continue") else { throw .expectationFailed }
                expect = true
            default:
                break
            }
            fields.append(field)
            pos = lf + 1
        }

        // RFC 9112 3.2: a 1.1 request without exactly one valid Host is a 400.
        if version == .http11 && host == nil { throw .missingHost }
        if let host, !HostValidator.isValid(buf, host) { throw .badHost }

        let (origin, authority) = try targetForm(buf, target, method: method, host: host)

        var framing = BodyFraming.none
        if let te = transferEncoding {
            if version == .http10 { throw .transferEncodingInHTTP10 }
            if contentLength != nil { throw .contentLengthWithTransferEncoding }
            switch FramingRules.classifyTransferEncoding(buf, te) {
            case .chunked: framing = .chunked
            case .unsupported: throw .unsupportedTransferEncoding
            case .invalid: throw .badTransferEncoding
            }
        } else if let length = contentLength {
            if length > limits.maxBodyBytes { throw .bodyTooLarge }
            framing = .contentLength(length)
        }

        if connection.namesOtherFields { FramingRules.markFieldsNamedInConnection(buf, &fields) }
        let keepAlive = version == .http11 ? !connection.close : (connection.keepAlive && !connection.close)
        // RFC 9110 10.1.1: a server MUST ignore 100-continue from an HTTP/1.0 client.
        return Parsed(method: method, methodRange: methodRange, target: target, origin: origin, version: version,
                      fields: fields, authority: authority, framing: framing, keepAlive: keepAlive,
                      expectsContinue: expect && version == .http11)
    }

    /// Index of the next LF at or after `from`; the scanner guarantees there is one.
    @inline(__always)
    private static func lineFeed(_ base: UnsafePointer<UInt8>, from: Int, count: Int) -> Int {
        let hit = memchr(base + from, Int32(Byte.lf), count - from)!
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
    }

    /// `HTTP/d.d`, case-sensitive. 1.0 and 1.1 are served; another version of that shape is a
    /// 505, anything else a 400.
    private static func parseVersion(_ buf: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) throws(HTTPParseError) -> HTTPVersion {
        guard r.count == 8 else { throw .badVersion }
        let s = r.lowerBound
        guard buf[s] == 0x48, buf[s + 1] == 0x54, buf[s + 2] == 0x54, buf[s + 3] == 0x50, buf[s + 4] == Byte.slash,
              CharClass.isDigit(buf[s + 5]), buf[s + 6] == 0x2E, CharClass.isDigit(buf[s + 7])
        else { throw .badVersion }
        guard buf[s + 5] == 0x31 else { throw .unsupportedVersion }
        switch buf[s + 7] {
        case 0x30: return .http10
        case 0x31: return .http11
        default: throw .unsupportedVersion
        }
    }

    /// Method tokens are case-sensitive (RFC 9110 9.1).
    private static func recogniseMethod(_ buf: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> HTTPMethod {
        func match(_ token: StaticString) -> Bool {
            let p = token.utf8Start
            for k in 0..<token.utf8CodeUnitCount where buf[k] != p[k] { return false }
            return true
        }
        switch r.count {
        case 3:
            if match("GET") { return .get }
            if match("PUT") { return .put }
        case 4:
            if match("POST") { return .post }
            if match("HEAD") { return .head }
        case 5:
            if match("PATCH") { return .patch }
            if match("TRACE") { return .trace }
        case 6:
            if match("DELETE") { return .delete }
        case 7:
            if match("OPTIONS") { return .options }
            if match("CONNECT") { return .connect }
        default:
            break
        }
        return .other
    }

    /// Classifies the request target (RFC 9112 3.2) and finds the authority: for absolute-form
    /// the target's authority wins over Host (RFC 9112 3.2.2).
    private static func targetForm(_ buf: UnsafeBufferPointer<UInt8>, _ target: Range<Int>, method: HTTPMethod,
                                   host: Range<Int>?) throws(HTTPParseError) -> (OriginForm, Range<Int>?) {
        let first = buf[target.lowerBound]
        if method == .connect {
            // authority-form; the proxy refuses CONNECT itself, but the request is well-formed.
            guard HostValidator.isValid(buf, target, requirePort: true) else { throw .badTarget }
            return (.range(target), target)
        }
        if first == Byte.slash { return (.range(target), host) }
        if target.count == 1 && first == Byte.star {
            guard method == .options else { throw .badTarget }
            return (.range(target), host)
        }
        // absolute-form: only the http and https schemes mean anything to a reverse proxy.
        var i = target.lowerBound
        while i < target.upperBound && buf[i] != Byte.colon { i += 1 }
        let scheme = target.lowerBound..<i
        guard ListElements.equals(buf, scheme, "http") || ListElements.equals(buf, scheme, "https"),
              i + 3 <= target.upperBound, buf[i + 1] == Byte.slash, buf[i + 2] == Byte.slash
        else { throw .badTarget }
        let authorityStart = i + 3
        var k = authorityStart
        while k < target.upperBound && buf[k] != Byte.slash && buf[k] != Byte.question { k += 1 }
        let authority = authorityStart..<k
        // Userinfo ('@'), fragments and empty hosts fail here.
        guard HostValidator.isValid(buf, authority) else { throw .badTarget }
        let rest = k..<target.upperBound
        if !rest.isEmpty && buf[k] == Byte.slash { return (.range(rest), authority) }
        if rest.isEmpty && method == .options { return (.asterisk, authority) }
        return (.slashThen(rest), authority)
    }
}
