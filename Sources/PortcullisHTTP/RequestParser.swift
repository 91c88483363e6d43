/// What the request parser found in the bytes it was given.
public enum RequestParserEvent: Sendable {
    /// Every byte given was consumed; nothing to report yet.
    case needMore
    /// A complete, validated request head.
    case head(RequestHead)
    /// Body data: a range of the input buffer given to this call (chunk data only, never chunk
    /// framing).
    case body(Range<Int>)
    /// The request (head and body, trailers included) is complete. The next call parses the next
    /// request.
    case end
    /// The request is malformed or over a limit; answer with this status and close.
    case reject(HTTPParseError)
}

/// Strict incremental RFC 9112 request parser (a value-type state machine, no I/O).
///
/// Why one state machine: the verdict on a request must not depend on how its bytes were split
/// across reads — a difference would be an evasion. Feed bytes with `next(_:)` in a loop until it
/// returns `.needMore`.
public struct RequestParser: Sendable {
    public let limits: HTTPLimits

    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
        fatalError("unimplemented")
    }

    /// Parses from `input`; returns how many bytes were consumed and what was found.
    public mutating func next(_ input: UnsafeRawBufferPointer) -> (consumed: Int, event: RequestParserEvent) {
        fatalError("unimplemented")
    }

    /// True between requests with no partial bytes held (a keep-alive connection at rest).
    public var isIdle: Bool { fatalError("unimplemented") }

    /// Frees the head accumulation buffer while idle, so idle connections stay small.
    public mutating func releaseIdleMemory() {}
}
