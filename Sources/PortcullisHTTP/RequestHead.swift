/// A parsed request head: the received head bytes plus ranges into them.
///
/// Why ranges into one byte array: the proxy re-serialises the head without converting any of it
/// to `String`, and the engine reads targets as byte slices.
public struct RequestHead: Sendable {
    /// The head bytes as received (request line and field lines, up to and including the empty
    /// line), owned by this value. For an absolute-form target without a path, the synthesised
    /// origin-form target (`/`, `/?query`, or `*` for OPTIONS) is appended after the received
    /// bytes, so `originFormTarget` can point at it; use ranges, not `storage.count`, to find
    /// the received head.
    public var storage: [UInt8]
    public var method: HTTPMethod
    /// The method token as sent (needed for `.other`).
    public var methodRange: Range<Int>
    /// The request target as sent (origin-form, absolute-form, authority-form or `*`).
    public var target: Range<Int>
    /// For absolute-form targets: the path-and-query part to send upstream in origin-form
    /// (`http://h/p?q` → `/p?q`; `http://h?q` → `/?q`; `OPTIONS http://h` → `*`, RFC 9112
    /// 3.2.4); otherwise equal to `target`.
    public var originFormTarget: Range<Int>
    public var version: HTTPVersion
    public var fields: [HeaderField]
    /// The authority that names the resource: the absolute-form target's authority if present,
    /// else the Host field value, else nil (only possible for HTTP/1.0).
    public var authority: Range<Int>?
    /// `.none`, `.contentLength(n)` or `.chunked`. `Content-Length: 0` stays `.contentLength(0)`
    /// so the upstream still sees an explicit length (some servers answer 411 without one).
    public var framing: BodyFraming
    /// Whether the client wants the connection kept open after this exchange (version default
    /// and Connection: close / keep-alive).
    public var keepAlive: Bool
    /// Expect: 100-continue was sent in an HTTP/1.1 request (ignored from 1.0 clients, RFC 9110
    /// 10.1.1). Any other expectation is rejected with 417. The Expect field itself is marked
    /// hop-by-hop and never forwarded: the proxy sends 100 Continue itself.
    public var expectsContinue: Bool

    public init(storage: [UInt8], method: HTTPMethod, methodRange: Range<Int>, target: Range<Int>,
                originFormTarget: Range<Int>, version: HTTPVersion, fields: [HeaderField],
                authority: Range<Int>?, framing: BodyFraming, keepAlive: Bool, expectsContinue: Bool) {
        self.storage = storage
        self.method = method
        self.methodRange = methodRange
        self.target = target
        self.originFormTarget = originFormTarget
        self.version = version
        self.fields = fields
        self.authority = authority
        self.framing = framing
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
    }

    /// The bytes of a range of `storage`.
    @inlinable public subscript(range: Range<Int>) -> ArraySlice<UInt8> { storage[range] }

    /// Text of a range, for logs and tests only (never on the hot path).
    public func text(_ range: Range<Int>) -> String { String(decoding: storage[range], as: UTF8.self) }

    /// Value of the first field with this name (ASCII case-insensitive), for tests and tools.
    public func firstValue(named name: String) -> String? {
        let wanted = Array(name.utf8)
        for field in fields where ASCII.equalsIgnoringCase(storage[field.name], wanted) {
            return text(field.value)
        }
        return nil
    }
}

/// A parsed response head from the upstream.
public struct ResponseHead: Sendable {
    public var storage: [UInt8]
    public var version: HTTPVersion
    /// Three-digit status code, 100...999.
    public var status: Int
    public var reason: Range<Int>
    public var fields: [HeaderField]
    /// How the body that follows is delimited, given the request method and the status
    /// (none for HEAD, 1xx, 204, 304).
    public var framing: BodyFraming
    /// Whether the upstream allows reusing the connection after this response.
    public var keepAlive: Bool

    public init(storage: [UInt8], version: HTTPVersion, status: Int, reason: Range<Int>,
                fields: [HeaderField], framing: BodyFraming, keepAlive: Bool) {
        self.storage = storage
        self.version = version
        self.status = status
        self.reason = reason
        self.fields = fields
        self.framing = framing
        self.keepAlive = keepAlive
    }

    public var isInterim: Bool { status >= 100 && status < 200 }

    public func text(_ range: Range<Int>) -> String { String(decoding: storage[range], as: UTF8.self) }

    public func firstValue(named name: String) -> String? {
        let wanted = Array(name.utf8)
        for field in fields where ASCII.equalsIgnoringCase(storage[field.name], wanted) {
            return text(field.value)
        }
        return nil
    }
}
