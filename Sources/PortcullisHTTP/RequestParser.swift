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
///
/// Deliberately stricter than RFC 9112 allows, because a firewall must never read a request
/// differently from the server behind it:
/// - Every line must end in CRLF: a bare LF (request line, fields, chunk lines, after chunk data,
///   trailers) is a 400, although RFC 9112 2.2 lets a recipient accept it. A bare CR anywhere is
///   a 400 too.
/// - A repeated Content-Length is a 400 even when the values are equal, as is a list like `5, 5`.
/// - Transfer-Encoding must be exactly `chunked`: other known codings are a 501, anything else
///   (unknown names, empty elements, two TE fields, TE in HTTP/1.0, TE with Content-Length) a 400.
/// - obs-fold, whitespace before the colon and CTLs in values are 400s; a 1.1 request needs
///   exactly one valid Host.
/// - Up to four empty lines before a request line are ignored (RFC 9112 2.2); a fifth is a 400.
///
/// Limits are checked while bytes arrive (a 414 is sent before the request line's LF comes).
/// `Content-Length: 0` stays `.contentLength(0)` rather than `.none`, so a POST with an empty
/// body keeps its explicit length upstream (servers may answer 411 without it).
public struct RequestParser: Sendable {
    public let limits: HTTPLimits

    private enum State: Sendable {
        case head
        /// The head or body is done; the next call reports `.end`.
        case endPending
        case fixedBody(remaining: UInt64)
        case chunkedBody
        case rejected(HTTPParseError)
    }

    private var state: State = .head
    private var scanner: HeadScanner
    private var chunked: ChunkedDecoder

    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
        self.scanner = HeadScanner(maxStartLine: limits.maxRequestLine, maxFieldLine: limits.maxFieldLine,
                                   maxHeadBytes: limits.maxHeaderBytes, maxFieldCount: limits.maxHeaderCount,
                                   requireCRLF: true)
        self.chunked = ChunkedDecoder(maxChunkLine: limits.maxChunkLine, maxTrailerBytes: limits.maxTrailerBytes,
                                      maxBodyBytes: limits.maxBodyBytes)
    }

    /// Parses from `input`; returns how many bytes were consumed and what was found.
    public mutating func next(_ input: UnsafeRawBufferPointer) -> (consumed: Int, event: RequestParserEvent) {
        switch state {
        case .head:
            return nextHead(input)
        case .endPending:
            state = .head
            return (0, .end)
        case .fixedBody(let remaining):
            guard !input.isEmpty else { return (0, .needMore) }
            let n = Int(Swift.min(remaining, UInt64(input.count)))
            let left = remaining - UInt64(n)
            state = left == 0 ? .endPending : .fixedBody(remaining: left)
            return (n, .body(0..<n))
        case .chunkedBody:
            let (consumed, event) = chunked.next(input)
            switch event {
            case .needMore: return (consumed, .needMore)
            case .data(let range): return (consumed, .body(range))
            case .end:
                state = .head
                return (consumed, .end)
            case .reject(let error):
                state = .rejected(error)
                return (consumed, .reject(error))
            }
        case .rejected(let error):
            return (0, .reject(error))
        }
    }

    private mutating func nextHead(_ input: UnsafeRawBufferPointer) -> (consumed: Int, event: RequestParserEvent) {
        switch scanner.scan(input) {
        case .needMore:
            return (input.count, .needMore)
        case .failure(let failure):
            let error: HTTPParseError
            switch failure {
            case .startLineTooLong: error = .requestLineTooLong
            case .fieldLineTooLong: error = .fieldLineTooLong
            case .headTooLarge: error = .headTooLarge
            case .tooManyFields: error = .tooManyFields
            case .bareLF: error = .bareLF
            case .tooManyEmptyLines: error = .tooManyEmptyLines
            }
            state = .rejected(error)
            return (0, .reject(error))
        case .complete(let consumed, let storage, let fieldCount):
            let head: RequestHead
            do {
                head = try RequestHeadParser.parse(storage, fieldCount: fieldCount, limits: limits)
            } catch {
                state = .rejected(error)
                return (0, .reject(error))
            }
            switch head.framing {
            case .none, .contentLength(0), .untilClose:
                state = .endPending
            case .contentLength(let length):
                state = .fixedBody(remaining: length)
            case .chunked:
                chunked.reset()
                state = .chunkedBody
            }
            return (consumed, .head(head))
        }
    }

    /// True between requests with no partial bytes held (a keep-alive connection at rest).
    public var isIdle: Bool {
        if case .head = state { return scanner.isEmpty }
        return false
    }

    /// True once the parser has refused a request; it refuses everything after that.
    public var isRejected: Bool {
        if case .rejected = state { return true }
        return false
    }

    /// Frees the head accumulation buffer while idle, so idle connections stay small.
    public mutating func releaseIdleMemory() {
        if isIdle { scanner.releaseMemory() }
    }
}
