#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a complete upstream response head into a validated `ResponseHead`, framed per
/// RFC 9112 6.3 for the request it answers.
///
/// Leniency differs from requests on one point only: origins do send bare-LF line ends, and
/// reading them cannot desynchronise the client side (the proxy re-frames every response), so
/// they are accepted. Framing is as strict as for requests, because a misread length would
/// desynchronise the pooled upstream connection.
enum ResponseHeadParser {
    /// Errors thrown carry request-style statuses; the response parser reports them as 502.
    static func parse(_ storage: [UInt8], fieldCount: Int, requestMethod: HTTPMethod) throws(HTTPParseError) -> ResponseHead {
        try storage.withUnsafeBufferPointer { (buf) throws(HTTPParseError) -> ResponseHead in
            try parse(buf, storage: storage, fieldCount: fieldCount, requestMethod: requestMethod)
        }
    }

    private static func parse(_ buf: UnsafeBufferPointer<UInt8>, storage: [UInt8], fieldCount: Int,
                              requestMethod: HTTPMethod) throws(HTTPParseError) -> ResponseHead {
        let n = buf.count
        guard let base = buf.baseAddress else { throw .badStatusLine }
        let firstLF = lineFeed(base, from: 0, count: n)
        let lineEnd = contentEnd(buf, lineStart: 0, lf: firstLF)

        // HTTP-version SP 3DIGIT [ SP reason-phrase ]; a missing reason is tolerated.
        guard lineEnd >= 12, buf[0] == 0x48, buf[1] == 0x54, buf[2] == 0x54, buf[3] == 0x50, buf[4] == Byte.slash,
              buf[5] == 0x31, buf[6] == 0x2E, buf[7] == 0x30 || buf[7] == 0x31, buf[8] == Byte.sp,
              CharClass.isDigit(buf[9]), CharClass.isDigit(buf[10]), CharClass.isDigit(buf[11]), buf[9] != 0x30
        else { throw .badStatusLine }
        let version: HTTPVersion = buf[7] == 0x31 ? .http11 : .http10
        let status = Int(buf[9] &- 0x30) * 100 + Int(buf[10] &- 0x30) * 10 + Int(buf[11] &- 0x30)
        var reason = 12..<12
        if lineEnd > 12 {
            guard buf[12] == Byte.sp else { throw .badStatusLine }
            for i in 13..<lineEnd where !CharClass.isFieldValue(buf[i]) { throw .badStatusLine }
            reason = 13..<lineEnd
        }
        if status == 101 { throw .upstreamUpgrade }

        var fields: [HeaderField] = []
        fields.reserveCapacity(fieldCount)
        var contentLength: UInt64?
        var transferEncoding: Range<Int>?
        var connection = FramingRules.ConnectionOptions()
        var pos = firstLF + 1
        while true {
            let lf = lineFeed(base, from: pos, count: n)
            let end = contentEnd(buf, lineStart: pos, lf: lf)
            if end == pos { break }
            let field = try FieldLineParser.parse(buf, start: pos, end: end)
            switch field.kind {
            case .contentLength:
                if contentLength != nil { throw .duplicateContentLength }
                guard let value = FramingRules.parseContentLength(buf, field.value) else { throw .badContentLength }
                contentLength = value
            case .transferEncoding:
                if transferEncoding != nil { throw .duplicateTransferEncoding }
                transferEncoding = field.value
            case .connection:
                // An odd Connection token from an origin is ignored rather than fatal.
                _ = FramingRules.readConnection(buf, field.value, into: &connection)
            default:
                break
            }
            fields.append(field)
            pos = lf + 1
        }

        if transferEncoding != nil && contentLength != nil { throw .contentLengthWithTransferEncoding }
        let framing: BodyFraming
        if requestMethod == .head || status < 200 || status == 204 || status == 304 {
            framing = .none
        } else if let te = transferEncoding {
            // RFC 9112 6.1: Transfer-Encoding in a 1.0 message is faulty framing.
            if version == .http10 { throw .transferEncodingInHTTP10 }
            switch FramingRules.classifyTransferEncoding(buf, te) {
            case .chunked: framing = .chunked
            case .unsupported: throw .unsupportedTransferEncoding
            case .invalid: throw .badTransferEncoding
            }
        } else if let length = contentLength {
            framing = .contentLength(length)
        } else {
            framing = .untilClose
        }

        if connection.namesOtherFields { FramingRules.markFieldsNamedInConnection(buf, &fields) }
        var keepAlive = version == .http11 ? !connection.close : (connection.keepAlive && !connection.close)
        if framing == .untilClose { keepAlive = false }
        return ResponseHead(storage: storage, version: version, status: status, reason: reason, fields: fields,
                            framing: framing, keepAlive: keepAlive)
    }

    @inline(__always)
    private static func lineFeed(_ base: UnsafePointer<UInt8>, from: Int, count: Int) -> Int {
        let hit = memchr(base + from, Int32(Byte.lf), count - from)!
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
    }

    /// End of a line's content: before the LF, and before a CR that precedes it.
    @inline(__always)
    private static func contentEnd(_ buf: UnsafeBufferPointer<UInt8>, lineStart: Int, lf: Int) -> Int {
        lf > lineStart && buf[lf - 1] == Byte.cr ? lf - 1 : lf
    }
}
