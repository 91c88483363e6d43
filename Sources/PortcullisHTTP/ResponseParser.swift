/// What the response parser found in the bytes it was given.
public enum ResponseParserEvent: Sendable {
    case needMore
    /// A response head; after an interim (1xx) head the parser expects the final head next.
    case head(ResponseHead)
    /// Body data: a range of the input buffer given to this call (chunk data only).
    case body(Range<Int>)
    /// The response is complete.
    case end
    /// The upstream sent something unusable (status 502).
    case reject(HTTPParseError)
}

/// Incremental parser of upstream responses, framed per RFC 9112 6.3 for the request it answers.
public struct ResponseParser: Sendable {
    public init(maxHeaderBytes: Int = 65536) {
        fatalError("unimplemented")
    }

    /// Prepares for the response to a request with this method (HEAD responses have no body).
    public mutating func reset(requestMethod: HTTPMethod) {
        fatalError("unimplemented")
    }

    public mutating func next(_ input: UnsafeRawBufferPointer) -> (consumed: Int, event: ResponseParserEvent) {
        fatalError("unimplemented")
    }

    /// The upstream closed its side: `.end` for a close-delimited body, `.reject` when a response
    /// was incomplete, `.needMore` when nothing had started.
    public mutating func inputEnded() -> ResponseParserEvent {
        fatalError("unimplemented")
    }
}
