/// Which X-Forwarded-* fields the proxy adds to requests it forwards.
public struct ForwardingOptions: Sendable, Equatable {
    public enum ForwardedFor: String, Sendable, Equatable {
        /// Append the client address to any X-Forwarded-For the client sent.
        case append
        /// Drop the client's X-Forwarded-For and send only the client address.
        case replace
        /// Forward the client's field untouched and add nothing.
        case off
    }
    /// Default: append.
    public var forwardedFor: ForwardedFor = .append
    /// Send X-Forwarded-Proto (replacing the client's). Default: true.
    public var forwardedProto: Bool = true
    /// Send X-Forwarded-Host with the request's authority (replacing the client's). Default: true.
    public var forwardedHost: Bool = true

    public init() {}
}

/// Writes heads for the wire: the request head sent upstream and the response heads sent to clients.
///
/// Why re-serialise: only what was validated is forwarded, in one canonical spelling, so the
/// upstream can never read a different message than the firewall inspected.
public enum MessageSerializer {
    /// Appends the HTTP/1.1 request head to send upstream: origin-form target, hop-by-hop fields
    /// dropped, Host set to the request's authority (or `defaultHost`), the framing field for
    /// `framing`, and X-Forwarded-* per `options`.
    ///
    /// Order: request line, Host, the client's other end-to-end fields in their order, the
    /// framing field, then X-Forwarded-For / -Proto / -Host. The client's Expect is never
    /// forwarded (the parser marks it hop-by-hop): the proxy answers 100-continue itself.
    /// With `.append`, the client's X-Forwarded-For values are joined with ", " into one field
    /// ending in `clientAddress`; a client field named in Connection is dropped, not joined.
    /// With a `requestID`, the client's X-Request-Id fields are dropped and `X-Request-Id:
    /// requestID` is written last, so the upstream logs the id the proxy logs.
    public static func writeRequestHead(_ head: RequestHead, framing: BodyFraming, clientAddress: ArraySlice<UInt8>,
                                        scheme: StaticString, defaultHost: [UInt8],
                                        options: ForwardingOptions, requestID: [UInt8]? = nil,
                                        into out: inout [UInt8]) {
        // Every piece is a range of the head's bytes, an argument or a constant, so this bounds
        // the head: its bytes twice (Host and X-Forwarded-Host repeat the authority), the
        // separators a field can gain, the arguments and the constant lines.
        let capacity = 2 * head.storage.count + 6 * head.fields.count + defaultHost.count
            + clientAddress.count + (requestID?.count ?? 0) + scheme.utf8CodeUnitCount + 256
        head.storage.withUnsafeBufferPointer { storage in
            HeadWriter.write(capacity: capacity, to: &out) { w in
                w.write(storage, head.methodRange)
                w.write(Byte.sp)
                w.write(storage, head.originFormTarget)
                w.write(" HTTP/1.1\r\nHost: ")
                if let authority = head.authority {
                    w.write(storage, authority)
                } else {
                    w.write(defaultHost)
                }
                w.crlf()
                var clientForwardedFor = false
                for field in head.fields where !field.isHopByHop {
                    switch field.kind {
                    case .host:
                        continue
                    case .xForwardedFor where options.forwardedFor != .off:
                        clientForwardedFor = true
                        continue
                    case .xForwardedProto where options.forwardedProto:
                        continue
                    case .xForwardedHost where options.forwardedHost:
                        continue
                    case .xRequestID where requestID != nil:
                        continue
                    default:
                        writeField(storage, field, &w)
                    }
                }
                writeFraming(framing, &w)
                switch options.forwardedFor {
                case .append:
                    w.write("X-Forwarded-For: ")
                    if clientForwardedFor {
                        for field in head.fields
                        where field.kind == .xForwardedFor && !field.isHopByHop && !field.value.isEmpty {
                            w.write(storage, field.value)
                            w.write(", ")
                        }
                    }
                    w.write(clientAddress)
                    w.crlf()
                case .replace:
                    w.write("X-Forwarded-For: ")
                    w.write(clientAddress)
                    w.crlf()
                case .off:
                    break
                }
                if options.forwardedProto {
                    w.write("X-Forwarded-Proto: ")
                    w.write(scheme)
                    w.crlf()
                }
                if options.forwardedHost, let authority = head.authority {
                    w.write("X-Forwarded-Host: ")
                    w.write(storage, authority)
                    w.crlf()
                }
                if let requestID {
                    w.write("X-Request-Id: ")
                    w.write(requestID)
                    w.crlf()
                }
                w.crlf()
            }
        }
    }

    /// Appends the response head to send to the client: HTTP/1.1 status line, hop-by-hop fields
    /// dropped, the framing field for `framing`, and Connection per `keepAlive` and `clientVersion`.
    ///
    /// The upstream's reason phrase is kept; an empty one is replaced by the standard phrase.
    /// With `.none` framing the upstream's Content-Length is copied when it sent one (a HEAD or
    /// 304 response describes the representation), except on 1xx and 204, which must not carry
    /// one. `Connection: close` is written when `keepAlive` is false; `Connection: keep-alive`
    /// when it is true and the client speaks HTTP/1.0 (where close is the default).
    /// With a `requestID`, the upstream's X-Request-Id is dropped and the proxy's is written.
    public static func writeResponseHead(_ head: ResponseHead, framing: BodyFraming, keepAlive: Bool,
                                         clientVersion: HTTPVersion, requestID: [UInt8]? = nil,
                                         into out: inout [UInt8]) {
        // As for requests: the head's bytes twice (a copied Content-Length repeats a value), the
        // separators a field can gain, the id and the constant lines (a standard reason phrase
        // is shorter than 64 bytes).
        let capacity = 2 * head.storage.count + 6 * head.fields.count + (requestID?.count ?? 0) + 256
        head.storage.withUnsafeBufferPointer { storage in
            HeadWriter.write(capacity: capacity, to: &out) { w in
                w.write("HTTP/1.1 ")
                let code = Swift.min(Swift.max(head.status, 100), 999)
                w.write(UInt8(ascii: "0") + UInt8(code / 100))
                w.write(UInt8(ascii: "0") + UInt8(code / 10 % 10))
                w.write(UInt8(ascii: "0") + UInt8(code % 10))
                w.write(Byte.sp)
                if head.reason.isEmpty {
                    w.write(ReasonPhrase.of(head.status))
                } else {
                    w.write(storage, head.reason)
                }
                w.crlf()
                var upstreamLength: Range<Int>?
                for field in head.fields {
                    if field.kind == .contentLength && upstreamLength == nil { upstreamLength = field.value }
                    if field.kind == .xRequestID && requestID != nil { continue }
                    if !field.isHopByHop { writeField(storage, field, &w) }
                }
                if let requestID, !head.isInterim {
                    w.write("X-Request-Id: ")
                    w.write(requestID)
                    w.crlf()
                }
                switch framing {
                case .none:
                    let forbidden = head.status < 200 || head.status == 204
                    if let length = upstreamLength, !forbidden {
                        w.write("Content-Length: ")
                        w.write(storage, length)
                        w.crlf()
                    }
                case .contentLength, .chunked, .untilClose:
                    writeFraming(framing, &w)
                }
                if !head.isInterim {
                    if !keepAlive {
                        w.write("Connection: close\r\n")
                    } else if clientVersion == .http10 {
                        w.write("Connection: keep-alive\r\n")
                    }
                }
                w.crlf()
            }
        }
    }

    /// Appends a complete response generated by the proxy itself (errors, health answers).
    ///
    /// The reason phrase comes from `ReasonPhrase`. Content-Type is written when not empty.
    /// A 1xx or 204 gets no Content-Type, Content-Length or body (RFC 9110 8.6, 15.3.5), and a
    /// 1xx no Connection field either, so `status: 100` writes a bare `100 Continue`.
    public static func writeLocalResponse(status: Int, body: [UInt8], contentType: StaticString,
                                          keepAlive: Bool, extraFields: [(name: [UInt8], value: [UInt8])],
                                          into out: inout [UInt8]) {
        writeLocalResponse(status: status, body: body, contentType: contentType, keepAlive: keepAlive, into: &out) {
            for field in extraFields { writeField(name: field.name, value: field.value, into: &$0) }
        }
    }

    /// `writeLocalResponse`, with the extra fields written by `writeFields` (with `writeField`)
    /// where the array form writes them: the proxy's block answers pass their rule's fields and
    /// the request id this way without building an array of them per response.
    public static func writeLocalResponse(status: Int, body: [UInt8], contentType: StaticString,
                                          keepAlive: Bool, into out: inout [UInt8],
                                          writeFields: (inout [UInt8]) -> Void) {
        out.reserveCapacity(out.count + body.count + 160)
        writeLocalResponseStart(status: status, bodyCount: body.count, contentType: contentType, into: &out)
        writeFields(&out)
        writeLocalResponseEnd(status: status, body: body, keepAlive: keepAlive, into: &out)
    }

    /// The first part of `writeLocalResponse`: the status line, Content-Type and Content-Length
    /// (none of them past the status line for a 1xx or 204). Its fields follow, then
    /// `writeLocalResponseEnd`. Apart so that the proxy can keep the start of a block answer
    /// that every request a rule blocks gets alike.
    public static func writeLocalResponseStart(status: Int, bodyCount: Int, contentType: StaticString,
                                               into out: inout [UInt8]) {
        let bodiless = status < 200 || status == 204
        writeStatusLine(status, &out) { out in ASCII.append(ReasonPhrase.of(status), to: &out) }
        if !bodiless {
            if contentType.utf8CodeUnitCount > 0 {
                ASCII.append("Content-Type: ", to: &out)
                ASCII.append(contentType, to: &out)
                crlf(&out)
            }
            ASCII.append("Content-Length: ", to: &out)
            ASCII.appendDecimal(UInt64(bodyCount), to: &out)
            crlf(&out)
        }
    }

    /// The last part of `writeLocalResponse`: `Connection: close` unless `keepAlive` (never on a
    /// 1xx), the blank line and the body (none for a 1xx or 204).
    public static func writeLocalResponseEnd(status: Int, body: [UInt8], keepAlive: Bool, into out: inout [UInt8]) {
        let interim = status < 200
        let bodiless = interim || status == 204
        if !keepAlive && !interim { ASCII.append("Connection: close\r\n", to: &out) }
        crlf(&out)
        if !bodiless { out.append(contentsOf: body) }
    }

    /// Appends one field line, `name: value` and CRLF.
    public static func writeField(name: [UInt8], value: [UInt8], into out: inout [UInt8]) {
        out.append(contentsOf: name)
        ASCII.append(": ", to: &out)
        out.append(contentsOf: value)
        crlf(&out)
    }

    /// Appends `HTTP/1.1 100 Continue` and its empty field section.
    public static func writeContinue(into out: inout [UInt8]) {
        ASCII.append("HTTP/1.1 100 Continue\r\n\r\n", to: &out)
    }

    // MARK: - Pieces

    @inline(__always)
    private static func writeStatusLine(_ status: Int, _ out: inout [UInt8], reason: (inout [UInt8]) -> Void) {
        ASCII.append("HTTP/1.1 ", to: &out)
        let code = Swift.min(Swift.max(status, 100), 999)
        out.append(UInt8(ascii: "0") + UInt8(code / 100))
        out.append(UInt8(ascii: "0") + UInt8(code / 10 % 10))
        out.append(UInt8(ascii: "0") + UInt8(code % 10))
        out.append(Byte.sp)
        reason(&out)
        crlf(&out)
    }

    @inline(__always)
    private static func writeField(_ storage: UnsafeBufferPointer<UInt8>, _ field: HeaderField, _ w: inout HeadWriter) {
        w.write(storage, field.name)
        w.write(Byte.colon)
        w.write(Byte.sp)
        w.write(storage, field.value)
        w.crlf()
    }

    @inline(__always)
    private static func writeFraming(_ framing: BodyFraming, _ w: inout HeadWriter) {
        switch framing {
        case .contentLength(let length):
            w.write("Content-Length: ")
            w.writeDecimal(length)
            w.crlf()
        case .chunked:
            w.write("Transfer-Encoding: chunked\r\n")
        case .none, .untilClose:
            break
        }
    }

    @inline(__always)
    private static func crlf(_ out: inout [UInt8]) {
        out.append(Byte.cr)
        out.append(Byte.lf)
    }
}

/// Chunked transfer coding on output (RFC 9112 7.1).
public enum ChunkedEncoder {
    /// `size` in hex followed by CRLF.
    public static func writeChunkHeader(size: Int, into out: inout [UInt8]) {
        ASCII.appendHex(UInt64(size), to: &out)
        out.append(13); out.append(10)
    }
    /// CRLF after chunk data.
    public static func writeChunkEnd(into out: inout [UInt8]) {
        out.append(13); out.append(10)
    }
    /// The last chunk and an empty trailer section.
    public static func writeLastChunk(into out: inout [UInt8]) {
        ASCII.append("0\r\n\r\n", to: &out)
    }
}
