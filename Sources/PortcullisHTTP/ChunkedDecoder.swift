/// Incremental decoder of the chunked transfer coding (RFC 9112 7.1), shared by the request and
/// response parsers.
///
/// Why a byte-at-a-time machine for the framing: chunk lines and trailers are short, and a state
/// per byte makes the outcome independent of where reads split them — chunk data itself is never
/// touched, only returned as ranges.
///
/// Strict choices, each closing a known smuggling vector: the chunk size is hex digits only with
/// at most 16 significant digits (no sign, `0x`, spaces or underscores); chunk extensions must be
/// well-formed (`;name`, `;name=token`, `;name="quoted"`) and are dropped; every line ends in
/// CRLF — a bare LF or bare CR is rejected, as is chunk data not followed by exactly CRLF (a
/// "runaway" chunk); trailer fields are validated like header fields and then dropped.
public struct ChunkedDecoder: Sendable {
    /// What the decoder found in the bytes it was given.
    public enum Event: Sendable, Equatable {
        /// Every byte given was consumed (framing only).
        case needMore
        /// Chunk data: a range of the input given to this call.
        case data(Range<Int>)
        /// The last chunk and the trailer section have been read.
        case end
        /// Malformed framing (400), a line or trailer over its limit (400 / 431), or more data
        /// than `maxBodyBytes` declared (413). Response parsers report these as 502.
        case reject(HTTPParseError)
    }

    private enum State: UInt8, Sendable {
        case sizeStart, size, extSpace, extNameStart, extName, extAfterName, extValueStart
        case extToken, extQuoted, extQuotedEscape, extAfterQuoted, lineLF
        case data, dataCR, dataLF
        case trailerLineStart, trailerName, trailerValue, trailerLineLF, trailerEndLF
        case done, failed
    }

    /// Longest chunk-size line, extensions included, CRLF excluded.
    public let maxChunkLine: Int
    /// Most bytes of the trailer section, CRLFs included.
    public let maxTrailerBytes: Int
    /// Most chunk data in total; a chunk size that would exceed it is rejected with 413 when
    /// its line ends, before any of its data is accepted.
    public let maxBodyBytes: UInt64

    private var state: State = .sizeStart
    private var size: UInt64 = 0
    private var significantDigits = 0
    private var lineBytes = 0
    private var trailerBytes = 0
    private var remaining: UInt64 = 0
    /// Total chunk data declared so far.
    public private(set) var bodyBytes: UInt64 = 0
    private var failure: HTTPParseError?

    public init(maxChunkLine: Int = 4096, maxTrailerBytes: Int = 8192, maxBodyBytes: UInt64 = .max) {
        self.maxChunkLine = maxChunkLine
        self.maxTrailerBytes = maxTrailerBytes
        self.maxBodyBytes = maxBodyBytes
    }

    /// Starts a new chunked body.
    public mutating func reset() {
        state = .sizeStart
        size = 0
        significantDigits = 0
        lineBytes = 0
        trailerBytes = 0
        remaining = 0
        bodyBytes = 0
        failure = nil
    }

    /// True once the whole body (last chunk and trailers) has been read.
    public var isComplete: Bool { state == .done }

    /// True before the first byte of the body has been read.
    public var isAtStart: Bool { state == .sizeStart && lineBytes == 0 && bodyBytes == 0 }

    /// Decodes from `input`; returns how many bytes were consumed and what was found.
    public mutating func next(_ input: UnsafeRawBufferPointer) -> (consumed: Int, event: Event) {
        switch state {
        case .done: return (0, .end)
        case .failed: return (0, .reject(failure ?? .badChunkSize))
        default: break
        }
        let count = input.count
        var i = 0
        while i < count {
            if state == .data {
                let n = Int(Swift.min(remaining, UInt64(count - i)))
                remaining -= UInt64(n)
                if remaining == 0 { state = .dataCR }
                return (i + n, .data(i..<(i + n)))
            }
            let b = input[i]
            i += 1
            if let error = step(b) {
                failure = error
                state = .failed
                return (i, .reject(error))
            }
            if state == .done { return (i, .end) }
        }
        return (count, .needMore)
    }

    // One framing byte. Returns the error that byte proves, if any.
    @inline(__always)
    private mutating func step(_ b: UInt8) -> HTTPParseError? {
        switch state {
        case .sizeStart, .size, .extSpace, .extNameStart, .extName, .extAfterName, .extValueStart,
             .extToken, .extQuoted, .extQuotedEscape, .extAfterQuoted:
            if b == Byte.lf { return .bareLF }
            if b == Byte.cr {
                return endOfSizeLine()
            }
            lineBytes += 1
            if lineBytes > maxChunkLine { return .chunkLineTooLong }
            return sizeLineByte(b)
        case .lineLF:
            guard b == Byte.lf else { return .bareCR }
            return startChunk()
        case .dataCR:
            if b == Byte.cr { state = .dataLF; return nil }
            return b == Byte.lf ? .bareLF : .badChunkEnd
        case .dataLF:
            guard b == Byte.lf else { return b == Byte.cr ? .bareCR : .badChunkEnd }
            state = .sizeStart
            size = 0
            significantDigits = 0
            lineBytes = 0
            return nil
        case .trailerLineStart, .trailerName, .trailerValue, .trailerLineLF, .trailerEndLF:
            trailerBytes += 1
            if trailerBytes > maxTrailerBytes { return .trailersTooLarge }
            return trailerByte(b)
        case .data, .done, .failed:
            return nil
        }
    }

    @inline(__always)
    private mutating func endOfSizeLine() -> HTTPParseError? {
        switch state {
        case .size, .extName, .extToken, .extAfterQuoted:
            state = .lineLF
            return nil
        case .sizeStart:
            return .badChunkSize
        case .extQuoted, .extQuotedEscape:
            return .badChunkExtension
        default:
            // Whitespace may only precede ';' or '=' (BWS), never end the line.
            return .badChunkExtension
        }
    }

    private mutating func sizeLineByte(_ b: UInt8) -> HTTPParseError? {
        switch state {
        case .sizeStart:
            guard let v = CharClass.hexValue(b) else { return .badChunkSize }
            size = v
            significantDigits = v == 0 ? 0 : 1
            state = .size
        case .size:
            if let v = CharClass.hexValue(b) {
                if significantDigits > 0 || v != 0 { significantDigits += 1 }
                if significantDigits > 16 { return .chunkSizeTooLarge }
                size = size << 4 | v
            } else if b == Byte.semicolon {
                state = .extNameStart
            } else if CharClass.isOWS(b) {
                state = .extSpace
            } else {
                return .badChunkSize
            }
        case .extSpace:
            if b == Byte.semicolon { state = .extNameStart } else if !CharClass.isOWS(b) { return .badChunkExtension }
        case .extNameStart:
            if CharClass.isToken(b) { state = .extName } else if !CharClass.isOWS(b) { return .badChunkExtension }
        case .extName:
            if CharClass.isToken(b) { break }
            if b == Byte.semicolon { state = .extNameStart }
            else if b == Byte.equals { state = .extValueStart }
            else if CharClass.isOWS(b) { state = .extAfterName }
            else { return .badChunkExtension }
        case .extAfterName:
            if b == Byte.equals { state = .extValueStart }
            else if b == Byte.semicolon { state = .extNameStart }
            else if !CharClass.isOWS(b) { return .badChunkExtension }
        case .extValueStart:
            if b == Byte.dquote { state = .extQuoted }
            else if CharClass.isToken(b) { state = .extToken }
            else if !CharClass.isOWS(b) { return .badChunkExtension }
        case .extToken:
            if CharClass.isToken(b) { break }
            if b == Byte.semicolon { state = .extNameStart }
            else if CharClass.isOWS(b) { state = .extSpace }
            else { return .badChunkExtension }
        case .extQuoted:
            if b == Byte.dquote { state = .extAfterQuoted }
            else if b == Byte.backslash { state = .extQuotedEscape }
            else if !CharClass.isFieldValue(b) { return .badChunkExtension }
        case .extQuotedEscape:
            guard CharClass.isFieldValue(b) else { return .badChunkExtension }
            state = .extQuoted
        case .extAfterQuoted:
            if b == Byte.semicolon { state = .extNameStart }
            else if CharClass.isOWS(b) { state = .extSpace }
            else { return .badChunkExtension }
        default:
            break
        }
        return nil
    }

    private mutating func startChunk() -> HTTPParseError? {
        if size == 0 {
            state = .trailerLineStart
            trailerBytes = 0
            return nil
        }
        let (total, overflow) = bodyBytes.addingReportingOverflow(size)
        if overflow || total > maxBodyBytes { return .bodyTooLarge }
        bodyBytes = total
        remaining = size
        state = .data
        return nil
    }

    private mutating func trailerByte(_ b: UInt8) -> HTTPParseError? {
        switch state {
        case .trailerLineStart:
            if b == Byte.cr { state = .trailerEndLF }
            else if CharClass.isToken(b) { state = .trailerName }
            else if CharClass.isOWS(b) { return .obsFold }
            else if b == Byte.lf { return .bareLF }
            else { return .badTrailer }
        case .trailerName:
            if b == Byte.colon { state = .trailerValue }
            else if CharClass.isOWS(b) { return .whitespaceBeforeColon }
            else if b == Byte.lf { return .bareLF }
            else if !CharClass.isToken(b) { return .badTrailer }
        case .trailerValue:
            if b == Byte.cr { state = .trailerLineLF }
            else if b == Byte.lf { return .bareLF }
            else if !CharClass.isFieldValue(b) { return .badFieldValue }
        case .trailerLineLF:
            guard b == Byte.lf else { return .bareCR }
            state = .trailerLineStart
        case .trailerEndLF:
            guard b == Byte.lf else { return .bareCR }
            state = .done
        default:
            break
        }
        return nil
    }
}
