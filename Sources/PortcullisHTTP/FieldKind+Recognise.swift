extension FieldKind {
    /// The kind of a field name (already validated as a token), compared ASCII case-insensitively.
    ///
    /// Why switch on the length first: most names are rejected by their length alone, so a
    /// typical field costs one comparison or none.
    @inline(__always)
    static func recognise(_ buf: UnsafeBufferPointer<UInt8>, _ name: Range<Int>) -> FieldKind {
        let s = name.lowerBound
        switch name.count {
        case 2: return matches(buf, s, "te") ? .te : .other
        case 4:
            if matches(buf, s, "host") { return .host }
            return matches(buf, s, "date") ? .date : .other
        case 6:
            if matches(buf, s, "expect") { return .expect }
            return matches(buf, s, "server") ? .server : .other
        case 7:
            if matches(buf, s, "trailer") { return .trailer }
            return matches(buf, s, "upgrade") ? .upgrade : .other
        case 12: return matches(buf, s, "x-request-id") ? .xRequestID : .other
        case 10:
            if matches(buf, s, "connection") { return .connection }
            return matches(buf, s, "keep-alive") ? .keepAlive : .other
        case 14: return matches(buf, s, "content-length") ? .contentLength : .other
        case 15: return matches(buf, s, "x-forwarded-for") ? .xForwardedFor : .other
        case 16:
            if matches(buf, s, "proxy-connection") { return .proxyConnection }
            return matches(buf, s, "x-forwarded-host") ? .xForwardedHost : .other
        case 17:
            if matches(buf, s, "transfer-encoding") { return .transferEncoding }
            return matches(buf, s, "x-forwarded-proto") ? .xForwardedProto : .other
        default: return .other
        }
    }

    /// Fields that describe one connection, never the message (RFC 9110 7.6.1), plus the framing
    /// fields the serializer writes itself, plus Expect (the proxy answers 100-continue itself).
    var isAlwaysHopByHop: Bool {
        switch self {
        case .contentLength, .transferEncoding, .connection, .keepAlive, .proxyConnection,
             .te, .trailer, .upgrade, .expect:
            return true
        case .other, .host, .xForwardedFor, .xForwardedProto, .xForwardedHost, .date, .server, .xRequestID:
            return false
        }
    }

    /// `lowercase` has the same length as the compared name. OR-ing 0x20 lowercases letters and
    /// leaves '-' and digits alone; no other token byte turns into a letter that way.
    @inline(__always)
    private static func matches(_ buf: UnsafeBufferPointer<UInt8>, _ start: Int, _ lowercase: StaticString) -> Bool {
        let p = lowercase.utf8Start
        for k in 0..<lowercase.utf8CodeUnitCount where buf[start + k] | 0x20 != p[k] {
            return false
        }
        return true
    }
}
