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
///
/// Framing: a response to HEAD, a 1xx, 204 or 304 has no body whatever its fields say;
/// `Transfer-Encoding: chunked` (exactly that) is chunked; a valid Content-Length is that many
/// bytes; otherwise the body runs until the upstream closes. Content-Length with
/// Transfer-Encoding, a repeated or invalid Content-Length, another transfer coding, a bad chunk
/// and a 101 (the proxy never forwards Upgrade) are rejected with 502. Bare-LF line ends are
/// tolerated in heads (not in chunk framing). After an interim 1xx head the next call parses the
/// final head; no `reset` is needed in between.
public struct ResponseParser: Sendable {
    private enum State: Sendable {
        case head
        case endPending
        case fixedBody(remaining: UInt64)
        case chunkedBody
        case untilClose
        case rejected(HTTPParseError)
    }

    private var state: State = .head
    private var requestMethod: HTTPMethod = .get
    /// An interim head was delivered and the final one has not started yet.
    private var awaitingFinalHead = false
    private var scanner: HeadScanner
    private var chunked: ChunkedDecoder

    /// `maxHeaderBytes` bounds the whole head, any single line in it, and the trailer section.
    public init(maxHeaderBytes: Int = 65536) {
        scanner = HeadScanner(maxStartLine: maxHeaderBytes, maxFieldLine: maxHeaderBytes, maxHeadBytes: maxHeaderBytes,
                              maxFieldCount: Int.max - 1, requireCRLF: false)
        chunked = ChunkedDecoder(maxChunkLine: HTTPLimits().maxChunkLine, maxTrailerBytes: maxHeaderBytes,
                                 maxBodyBytes: .max)
    }

    /// Prepares for the response to a request with this method (HEAD responses have no body).
    public mutating func reset(requestMethod: HTTPMethod) {
        self.requestMethod = requestMethod
        state = .head
        awaitingFinalHead = false
        scanner.reset()
        chunked.reset()
    }

    public mutating func next(_ input: UnsafeRawBufferPointer) -> (consumed: Int, event: ResponseParserEvent) {
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
                return reject(error.asUpstreamError)
            }
        case .untilClose:
            guard !input.isEmpty else { return (0, .needMore) }
            return (input.count, .body(0..<input.count))
        case .rejected(let error):
            return (0, .reject(error))
        }
    }

    /// The upstream closed its side: `.end` for a close-delimited body, `.reject` when a response
    /// was incomplete, `.needMore` when nothing had started.
    public mutating func inputEnded() -> ResponseParserEvent {
        switch state {
        case .head:
            if scanner.isEmpty && !awaitingFinalHead { return .needMore }
            return reject(.truncatedResponse).event
        case .endPending, .untilClose:
            state = .head
            return .end
        case .fixedBody, .chunkedBody:
            return reject(.truncatedResponse).event
        case .rejected(let error):
            return .reject(error)
        }
    }

    private mutating func reject(_ error: HTTPParseError) -> (consumed: Int, event: ResponseParserEvent) {
        state = .rejected(error)
        return (0, .reject(error))
    }

    private mutating func nextHead(_ input: UnsafeRawBufferPointer) -> (consumed: Int, event: ResponseParserEvent) {
        switch scanner.scan(input) {
        case .needMore:
            return (input.count, .needMore)
        case .failure(let failure):
            switch failure {
            case .startLineTooLong, .fieldLineTooLong, .headTooLarge, .tooManyFields:
                return reject(HTTPParseError(status: 502, reason: "upstream response head too large"))
            case .bareLF, .tooManyEmptyLines:
                return reject(.badStatusLine)
            }
        case .complete(let consumed, let storage, let fieldCount):
            let head: ResponseHead
            do {
                head = try ResponseHeadParser.parse(storage, fieldCount: fieldCount, requestMethod: requestMethod)
            } catch {
                return reject(error.status == 502 ? error : error.asUpstreamError)
            }
            if head.isInterim {
                awaitingFinalHead = true
                return (consumed, .head(head))
            }
            awaitingFinalHead = false
            switch head.framing {
            case .none, .contentLength(0):
                state = .endPending
            case .contentLength(let length):
                state = .fixedBody(remaining: length)
            case .chunked:
                chunked.reset()
                state = .chunkedBody
            case .untilClose:
                state = .untilClose
            }
            return (consumed, .head(head))
        }
    }
}
