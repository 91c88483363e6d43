// libFuzzer target for ResponseParser and ChunkedDecoder. See Fuzz/README.md.
//
// The whole input is one upstream byte stream: interim and final responses, one after another,
// answering requests whose methods (GET or HEAD) come from the input's split seed; after the
// last read the upstream closes (`inputEnded()`). The same bytes are also decoded as a bare
// chunked body. Each run is repeated whole, in a seeded random split and (up to 1 KiB) one
// byte at a time; every property is a `precondition`.

struct ResponseHeadKey: Equatable {
    var storage: [UInt8]
    var version: HTTPVersion
    var status: Int
    var reason: Range<Int>
    var fields: [HeaderField]
    var framing: BodyFraming
    var keepAlive: Bool

    init(_ h: ResponseHead) {
        storage = h.storage; version = h.version; status = h.status; reason = h.reason; fields = h.fields
        framing = h.framing; keepAlive = h.keepAlive
    }
}

/// The method of the request that response number `index` answers: HEAD for about one in four.
func requestMethod(_ index: Int, seed: UInt64) -> HTTPMethod {
    (seed >> UInt64((2 * index) % 64)) & 3 == 0 ? .head : .get
}

func runResponses(_ data: [UInt8], _ cut: Cut, maxHeaderBytes: Int,
                  heads: inout [(ResponseHead, HTTPMethod)]) -> [Step<ResponseHeadKey>] {
    let seed = splitSeed(data)
    var parser = ResponseParser(maxHeaderBytes: maxHeaderBytes)
    var index = 0
    var method = requestMethod(0, seed: seed)
    parser.reset(requestMethod: method)
    var pending: [UInt8] = []
    var steps: [Step<ResponseHeadKey>] = []
    let pieces = cut.pieces(data)
    let budget = 2 * data.count + 2 * pieces.count + 8
    var calls = 0
    var current: BodyFraming?
    var bodyCount: UInt64 = 0
    var afterInterim = false

    func checkStaysRejected(_ error: HTTPParseError, _ parser: inout ResponseParser) {
        let again = [UInt8]("HTTP/1.1 200 OK\r\n\r\n".utf8).withUnsafeBytes { parser.next($0) }
        guard again.consumed == 0, case .reject(let e2) = again.event, e2 == error,
              case .reject(let e3) = parser.inputEnded(), e3 == error else {
            fail("response parser left the rejected state")
        }
    }

    for piece in pieces {
        pending += piece
        reading: while true {
            calls += 1
            require(calls <= budget, "response parser makes no progress")
            let (consumed, event) = pending.withUnsafeBytes { parser.next($0) }
            require(consumed >= 0 && consumed <= pending.count, "consumed \(consumed) of \(pending.count)")
            switch event {
            case .needMore:
                require(consumed == pending.count, "needMore left \(pending.count - consumed) bytes")
                pending.removeAll(keepingCapacity: true)
                break reading
            case .head(let head):
                require(current == nil, "head inside a response")
                require(consumed > 0, "head from no bytes")
                checkResponseHead(head, method: method, maxHeaderBytes: maxHeaderBytes)
                heads.append((head, method))
                if head.isInterim {
                    afterInterim = true
                } else {
                    afterInterim = false
                    current = head.framing
                    bodyCount = 0
                }
                steps.record(.head(ResponseHeadKey(head)))
            case .body(let range):
                require(!range.isEmpty && range.lowerBound >= 0 && range.upperBound <= consumed,
                             "body range \(range) outside the \(consumed) bytes consumed")
                bodyCount += UInt64(range.count)
                switch current {
                case .contentLength(let n)?: require(bodyCount <= n, "more body than Content-Length")
                case .chunked?, .untilClose?: break
                default: fail("body without a body framing: \(String(describing: current))")
                }
                steps.record(.body(Array(pending[range])))
            case .end:
                switch current {
                case .contentLength(let n)?: require(bodyCount == n, "body \(bodyCount) != Content-Length \(n)")
                case .none?: require(bodyCount == 0, "body for a bodiless response")
                case .chunked?: break
                case .untilClose?: fail("close-delimited body ended before the close")
                case nil: fail("end without a final head")
                }
                current = nil
                steps.record(.end)
                // The proxy prepares for the next pipelined request's response.
                index += 1
                method = requestMethod(index, seed: seed)
                parser.reset(requestMethod: method)
            case .reject(let error):
                require(error.status == 502, "response reject status \(error.status)")
                steps.record(.reject(error))
                checkStaysRejected(error, &parser)
                steps.append(.rest("rejected"))
                return steps
            }
            pending.removeFirst(consumed)
        }
    }

    // The upstream closes.
    switch parser.inputEnded() {
    case .needMore:
        require(current == nil && !afterInterim, "close mid-response was not a reject")
        steps.append(.closed("nothing pending"))
    case .end:
        require(current == .untilClose, "inputEnded ended a \(String(describing: current)) response")
        steps.append(.closed("end"))
        guard case .needMore = parser.inputEnded() else { fail("second inputEnded not idle") }
    case .reject(let error):
        require(error.status == 502, "truncation status \(error.status)")
        steps.append(.closed("reject \(error)"))
        checkStaysRejected(error, &parser)
    case .head, .body:
        fail("inputEnded returned data")
    }
    return steps
}

func checkResponseHead(_ h: ResponseHead, method: HTTPMethod, maxHeaderBytes: Int) {
    let s = h.storage
    require(s.count <= maxHeaderBytes, "head of \(s.count) bytes over maxHeaderBytes")
    require(s.count >= 14, "head shorter than a status line")
    require(Array(s[0..<7]) == Array("HTTP/1.".utf8) && s[8] == 0x20, "status line prefix")
    require((h.version == .http11 ? 0x31 : 0x30) == s[7], "version byte")
    let digits = s[9..<12]
    require(digits.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }, "status digits")
    let status = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    require(status == h.status && status >= 100 && status != 101, "status \(h.status)")
    require(h.reason.upperBound <= s.count && s[h.reason].allSatisfy(Spec.isFieldValueByte), "reason bytes")
    require(h.isInterim == (status < 200), "interim")

    var lengths: [HeaderField] = [], codings: [HeaderField] = []
    for f in h.fields {
        checkField(s, f, "response")
        if f.kind == .contentLength { lengths.append(f) }
        if f.kind == .transferEncoding { codings.append(f) }
    }
    require(lengths.count <= 1 && codings.count <= 1 && lengths.count + codings.count <= 1,
                 "ambiguous response framing accepted")
    let bodiless = method == .head || status < 200 || status == 204 || status == 304
    if bodiless {
        require(h.framing == .none, "bodiless response framed \(h.framing)")
    } else if let te = codings.first {
        require(h.version == .http11 && Spec.equalsIgnoringCase(s[te.value], "chunked")
                     && h.framing == .chunked, "TE framing")
    } else if let cl = lengths.first {
        var n: UInt64 = 0
        for b in s[cl.value] {
            require(b >= 0x30 && b <= 0x39, "non-digit Content-Length accepted")
            n = n * 10 + UInt64(b - 0x30)
        }
        require(h.framing == .contentLength(n), "Content-Length framing")
    } else {
        require(h.framing == .untilClose, "unframed response not close-delimited")
    }
    if h.framing == .untilClose {
        require(!h.keepAlive, "keep-alive on a close-delimited response")
        checkConnectionSemantics(s, h.fields, version: h.version, keepAlive: nil, "response")
    } else {
        checkConnectionSemantics(s, h.fields, version: h.version, keepAlive: h.keepAlive, "response")
    }
}

/// The head the proxy writes to its client must parse back to the same response.
func checkResponseRoundTrip(_ h: ResponseHead, method: HTTPMethod) {
    var out: [UInt8] = []
    MessageSerializer.writeResponseHead(h, framing: h.framing, keepAlive: h.keepAlive, clientVersion: .http11, into: &out)
    var parser = ResponseParser(maxHeaderBytes: 1 << 22)
    parser.reset(requestMethod: method)
    let (consumed, event) = out.withUnsafeBytes { parser.next($0) }
    guard case .head(let again) = event else {
        fail("re-serialised response does not parse (\(event)):\n\(String(decoding: out, as: UTF8.self))")
    }
    require(consumed == out.count, "re-serialised response head not consumed whole")
    require(again.status == h.status && again.version == .http11, "status line")
    if !h.reason.isEmpty { require(again.storage[again.reason] == h.storage[h.reason], "reason") }
    require(again.framing == h.framing, "framing \(again.framing) != \(h.framing)")
    if !h.isInterim { require(again.keepAlive == h.keepAlive, "keep-alive") }
    require(endToEnd(again.storage, again.fields, dropping: []) == endToEnd(h.storage, h.fields, dropping: []),
                 "end-to-end fields changed")
}

// MARK: - ChunkedDecoder on its own

struct ChunkedConfig {
    var maxChunkLine: Int
    var maxTrailerBytes: Int
    var maxBodyBytes: UInt64
    func decoder() -> ChunkedDecoder {
        ChunkedDecoder(maxChunkLine: maxChunkLine, maxTrailerBytes: maxTrailerBytes, maxBodyBytes: maxBodyBytes)
    }
}

let chunkedConfigs = [ChunkedConfig(maxChunkLine: 4096, maxTrailerBytes: 8192, maxBodyBytes: .max),
                      ChunkedConfig(maxChunkLine: 8, maxTrailerBytes: 16, maxBodyBytes: 48)]

/// Decodes the stream as one chunked body. The absolute offset where it ends or fails is part
/// of the result: it must not depend on the reads either.
func runChunked(_ data: [UInt8], _ cut: Cut, _ config: ChunkedConfig) -> [Step<Int>] {
    var decoder = config.decoder()
    require(decoder.isAtStart)
    var steps: [Step<Int>] = []
    var pending: [UInt8] = []
    var offset = 0  // stream offset of pending[0]
    var delivered: UInt64 = 0
    for piece in cut.pieces(data) {
        pending += piece
        reading: while true {
            let (consumed, event) = pending.withUnsafeBytes { decoder.next($0) }
            require(consumed >= 0 && consumed <= pending.count, "chunked consumed \(consumed) of \(pending.count)")
            switch event {
            case .needMore:
                require(consumed == pending.count, "chunked needMore left bytes")
                offset += consumed
                pending.removeAll(keepingCapacity: true)
                break reading
            case .data(let range):
                require(!range.isEmpty && range.lowerBound >= 0 && range.upperBound == consumed,
                             "chunk data range \(range), consumed \(consumed)")
                delivered += UInt64(range.count)
                require(delivered <= decoder.bodyBytes && delivered <= config.maxBodyBytes, "data beyond declared")
                steps.record(.body(Array(pending[range])))
            case .end:
                require(decoder.isComplete && delivered == decoder.bodyBytes, "end with data missing")
                steps.record(.end)
                steps.append(.rest("at \(offset + consumed)"))
                guard case (0, .end) = pending.withUnsafeBytes({ decoder.next($0) }) else {
                    fail("decoder left the done state")
                }
                return steps
            case .reject(let error):
                require(consumed > 0, "chunked reject without a byte")
                steps.record(.reject(error))
                steps.append(.rest("at \(offset + consumed)"))
                guard case (0, .reject(let e2)) = pending.withUnsafeBytes({ decoder.next($0) }), e2 == error else {
                    fail("decoder left the failed state")
                }
                return steps
            }
            offset += consumed
            pending.removeFirst(consumed)
        }
    }
    steps.append(.rest("open"))
    return steps
}

/// Data decoded from a complete body, re-encoded in other chunk sizes, decodes to the same data.
func checkChunkedRoundTrip(_ body: [UInt8], seed: UInt64) {
    var rng = FuzzRNG(seed: seed)
    var encoded: [UInt8] = []
    var i = 0
    while i < body.count {
        let n = Swift.min(body.count - i, 1 + rng.below(64))
        ChunkedEncoder.writeChunkHeader(size: n, into: &encoded)
        encoded += body[i..<(i + n)]
        ChunkedEncoder.writeChunkEnd(into: &encoded)
        i += n
    }
    ChunkedEncoder.writeLastChunk(into: &encoded)
    let steps = runChunked(encoded, .whole, chunkedConfigs[0])
    let expected: [Step<Int>] = (body.isEmpty ? [] : [.body(body)]) + [.end, .rest("at \(encoded.count)")]
    require(steps == expected, "chunked round trip: \(steps)")
}

func checkResponses(_ data: [UInt8]) {
    for maxHeaderBytes in [65536, 96] {
        var heads: [(ResponseHead, HTTPMethod)] = []
        var reference: [Step<ResponseHeadKey>]?
        for cut in Cut.all(for: data) {
            var cutHeads: [(ResponseHead, HTTPMethod)] = []
            let steps = runResponses(data, cut, maxHeaderBytes: maxHeaderBytes, heads: &cutHeads)
            if let reference {
                require(steps == reference, "response events depend on the split (\(cut)):\n\(steps)\nvs whole:\n\(reference)")
            } else {
                reference = steps
                heads = cutHeads
            }
        }
        for (head, method) in heads { checkResponseRoundTrip(head, method: method) }
    }
    for config in chunkedConfigs {
        var reference: [Step<Int>]?
        for cut in Cut.all(for: data) {
            let steps = runChunked(data, cut, config)
            if let reference {
                require(steps == reference, "chunked events depend on the split (\(cut)):\n\(steps)\nvs whole:\n\(reference)")
            } else {
                reference = steps
            }
        }
        if let reference, reference.contains(.end) {
            var body: [UInt8] = []
            for case .body(let b) in reference { body += b }
            checkChunkedRoundTrip(body, seed: splitSeed(data))
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResponseParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    checkResponses(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
