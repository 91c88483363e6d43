/// The fixed errors the parsers give. Why constants: a reason is logged and compared in tests,
/// so each failure has exactly one spelling, and building one allocates nothing.
extension HTTPParseError {
    // Line structure
    static let bareLF = HTTPParseError(status: 400, reason: "bare LF line terminator")
    static let bareCR = HTTPParseError(status: 400, reason: "bare CR")
    static let tooManyEmptyLines = HTTPParseError(status: 400, reason: "too many empty lines before request")

    // Request line
    static let badRequestLine = HTTPParseError(status: 400, reason: "malformed request line")
    static let badMethod = HTTPParseError(status: 400, reason: "invalid method")
    static let badTarget = HTTPParseError(status: 400, reason: "invalid request target")
    static let badVersion = HTTPParseError(status: 400, reason: "malformed HTTP version")
    static let unsupportedVersion = HTTPParseError(status: 505, reason: "HTTP version not supported")

    // Field lines
    static let obsFold = HTTPParseError(status: 400, reason: "obsolete line folding")
    static let whitespaceBeforeColon = HTTPParseError(status: 400, reason: "whitespace in field name")
    static let badFieldName = HTTPParseError(status: 400, reason: "invalid field name")
    static let emptyFieldName = HTTPParseError(status: 400, reason: "empty field name")
    static let badFieldValue = HTTPParseError(status: 400, reason: "invalid character in field value")

    // Semantics
    static let missingHost = HTTPParseError(status: 400, reason: "missing Host")
    static let duplicateHost = HTTPParseError(status: 400, reason: "duplicate Host")
    static let badHost = HTTPParseError(status: 400, reason: "invalid Host")
    static let badContentLength = HTTPParseError(status: 400, reason: "invalid Content-Length")
    static let duplicateContentLength = HTTPParseError(status: 400, reason: "duplicate Content-Length")
    static let contentLengthWithTransferEncoding =
        HTTPParseError(status: 400, reason: "Content-Length with Transfer-Encoding")
    static let duplicateTransferEncoding = HTTPParseError(status: 400, reason: "duplicate Transfer-Encoding")
    static let badTransferEncoding = HTTPParseError(status: 400, reason: "invalid Transfer-Encoding")
    static let unsupportedTransferEncoding =
        HTTPParseError(status: 501, reason: "unsupported Transfer-Encoding")
    static let transferEncodingInHTTP10 = HTTPParseError(status: 400, reason: "Transfer-Encoding in HTTP/1.0")
    static let badConnection = HTTPParseError(status: 400, reason: "invalid Connection")
    static let expectationFailed = HTTPParseError(status: 417, reason: "unsupported expectation")

    // Limits
    static let requestLineTooLong = HTTPParseError(status: 414, reason: "request line too long")
    static let fieldLineTooLong = HTTPParseError(status: 431, reason: "header field too long")
    static let headTooLarge = HTTPParseError(status: 431, reason: "header section too large")
    static let tooManyFields = HTTPParseError(status: 431, reason: "too many header fields")
    static let bodyTooLarge = HTTPParseError(status: 413, reason: "content too large")

    // Chunked coding
    static let badChunkSize = HTTPParseError(status: 400, reason: "invalid chunk size")
    static let chunkSizeTooLarge = HTTPParseError(status: 400, reason: "chunk size too large")
    static let badChunkExtension = HTTPParseError(status: 400, reason: "invalid chunk extension")
    static let chunkLineTooLong = HTTPParseError(status: 400, reason: "chunk line too long")
    static let badChunkEnd = HTTPParseError(status: 400, reason: "chunk data not followed by CRLF")
    static let badTrailer = HTTPParseError(status: 400, reason: "invalid trailer field")
    static let trailersTooLarge = HTTPParseError(status: 431, reason: "trailer section too large")

    // Responses (everything an upstream gets wrong is a 502 to the client)
    static let badStatusLine = HTTPParseError(status: 502, reason: "malformed status line")
    static let upstreamUpgrade = HTTPParseError(status: 502, reason: "upstream switched protocols")
    static let truncatedResponse = HTTPParseError(status: 502, reason: "upstream response truncated")

    /// The same failure reported against an upstream response: status 502, reason kept.
    var asUpstreamError: HTTPParseError { HTTPParseError(status: 502, reason: "upstream: " + reason) }
}
