/// HTTP protocol version of a message. Only 1.0 and 1.1 exist on this wire.
public enum HTTPVersion: UInt8, Sendable, Equatable {
    case http10
    case http11

    /// The version token as it appears on the wire, e.g. `HTTP/1.1`.
    public var token: StaticString {
        switch self {
        case .http10: return "HTTP/1.0"
        case .http11: return "HTTP/1.1"
        }
    }
}

/// Request methods the proxy knows by name; anything else valid as a token is `.other`.
///
/// Why an enum: idempotency (retries), HEAD (no response body) and CONNECT (refused) are
/// decided on the hot path and must not compare strings.
public enum HTTPMethod: Sendable, Equatable {
    case get, head, post, put, delete, options, trace, patch, connect
    case other

    /// RFC 9110 9.2.2: safe methods plus PUT and DELETE may be retried.
    public var isIdempotent: Bool {
        switch self {
        case .get, .head, .put, .delete, .options, .trace: return true
        case .post, .patch, .connect, .other: return false
        }
    }
}

/// How a message body is delimited (RFC 9112 section 6).
public enum BodyFraming: Sendable, Equatable {
    /// No body at all.
    case none
    /// Exactly this many bytes follow the head.
    case contentLength(UInt64)
    /// Transfer-Encoding: chunked.
    case chunked
    /// Responses only: the body runs until the connection closes.
    case untilClose
}

/// Header field names the proxy acts on, recognised once while parsing.
public enum FieldKind: UInt8, Sendable, Equatable {
    case other
    case host
    case contentLength
    case transferEncoding
    case connection
    case keepAlive
    case proxyConnection
    case te
    case trailer
    case upgrade
    case expect
    case xForwardedFor
    case xForwardedProto
    case xForwardedHost
    case date
    case server
    /// X-Request-Id: replaced by the proxy's own id when it assigns one.
    case xRequestID
}

/// One header field line, as byte ranges into its head's `storage`.
public struct HeaderField: Sendable, Equatable {
    /// Range of the field name (no surrounding whitespace).
    public var name: Range<Int>
    /// Range of the field value with leading and trailing whitespace removed.
    public var value: Range<Int>
    public var kind: FieldKind
    /// True when the field must not be forwarded: a hop-by-hop field (RFC 9110 7.6.1: Connection,
    /// Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade, Transfer-Encoding), a field named in
    /// Connection, Content-Length (the serializer writes framing itself) or Expect (the proxy
    /// handles 100-continue itself).
    public var isHopByHop: Bool

    public init(name: Range<Int>, value: Range<Int>, kind: FieldKind, isHopByHop: Bool) {
        self.name = name
        self.value = value
        self.kind = kind
        self.isHopByHop = isHopByHop
    }
}

/// The status and reason a parser gives when it refuses a message; the connection is then closed.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 400, 413, 414, 417, 431, 501 or 505 for requests; 502 for a bad upstream response.
    public var status: Int
    /// A short fixed English reason, safe to log and to put in a response body.
    public var reason: String

    public init(status: Int, reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status) \(reason)" }
}
