// libFuzzer target for RequestParser (and the ChunkedDecoder inside it). See Fuzz/README.md.
//
// The whole input is one client byte stream (possibly several pipelined requests). It is parsed
// under two sets of limits, each time whole, in a seeded random split and (up to 1 KiB) one byte
// at a time; every property below is a `precondition`, so a violation is a crash libFuzzer keeps.

/// Limits small enough that fuzz inputs reach every 413/414/431 path.
let smallRequestLimits: HTTPLimits = {
    var l = HTTPLimits()
    l.maxRequestLine = 40
    l.maxHeaderBytes = 160
    l.maxFieldLine = 48
    l.maxHeaderCount = 5
    l.maxBodyBytes = 64
    l.maxChunkLine = 10
    l.maxTrailerBytes = 24
    return l
}()

/// Limits no re-serialised head of a fuzz input can reach.
let roomyRequestLimits: HTTPLimits = {
    var l = HTTPLimits()
    l.maxRequestLine = 1 << 20
    l.maxHeaderBytes = 1 << 22
    l.maxFieldLine = 1 << 20
    l.maxHeaderCount = 1 << 16
    l.maxBodyBytes = .max
    return l
}()

/// Everything a parsed head holds, compared across cuts.
struct RequestHeadKey: Equatable {
    var storage: [UInt8]
    var method: HTTPMethod
    var methodRange: Range<Int>
    var target: Range<Int>
    var originFormTarget: Range<Int>
    var version: HTTPVersion
    var fields: [HeaderField]
    var authority: Range<Int>?
    var framing: BodyFraming
    var keepAlive: Bool
    var expectsContinue: Bool

    init(_ h: RequestHead) {
        storage = h.storage; method = h.method; methodRange = h.methodRange; target = h.target
        originFormTarget = h.originFormTarget; version = h.version; fields = h.fields; authority = h.authority
        framing = h.framing; keepAlive = h.keepAlive; expectsContinue = h.expectsContinue
    }
}

private let requestStatuses: Set<Int> = [400, 413, 414, 417, 431, 501, 505]

/// Feeds the pieces the way the proxy does (unconsumed bytes are offered again with the next
/// read) and checks the per-call contract on the way.
func runRequests(_ data: [UInt8], _ cut: Cut, _ limits: HTTPLimits, heads: inout [RequestHead]) -> [Step<RequestHeadKey>] {
    var parser = RequestParser(limits: limits)
    var pending: [UInt8] = []
    var steps: [Step<RequestHeadKey>] = []
    let pieces = cut.pieces(data)
    // Every call consumes a byte, or reports a head's end (then a head) or a reject (then stops).
    let budget = 2 * data.count + 2 * pieces.count + 8
    var calls = 0
    var current: BodyFraming?  // framing of the message being read; nil between messages
    var bodyCount: UInt64 = 0

    for piece in pieces {
        pending += piece
        reading: while true {
            calls += 1
            require(calls <= budget, "request parser makes no progress")
            let (consumed, event) = pending.withUnsafeBytes { parser.next($0) }
            require(consumed >= 0 && consumed <= pending.count, "consumed \(consumed) of \(pending.count)")
            switch event {
            case .needMore:
                require(consumed == pending.count, "needMore left \(pending.count - consumed) bytes")
                require(!parser.isRejected, "needMore from a rejected parser")
                pending.removeAll(keepingCapacity: true)
                break reading
            case .head(let head):
                require(current == nil, "head inside a message")
                require(consumed > 0, "head from no bytes")
                checkRequestHead(head, limits)
                heads.append(head)
                current = head.framing
                bodyCount = 0
                steps.record(.head(RequestHeadKey(head)))
            case .body(let range):
                require(!range.isEmpty && range.lowerBound >= 0 && range.upperBound <= consumed,
                             "body range \(range) outside the \(consumed) bytes consumed")
                bodyCount += UInt64(range.count)
                switch current {
                case .contentLength(let n)?:
                    require(bodyCount <= n, "more body than Content-Length")
                case .chunked?:
                    require(bodyCount <= limits.maxBodyBytes, "chunked body over maxBodyBytes")
                default:
                    fail("body without a body framing: \(String(describing: current))")
                }
                steps.record(.body(Array(pending[range])))
            case .end:
                switch current {
                case .contentLength(let n)?: require(bodyCount == n, "body \(bodyCount) != Content-Length \(n)")
                case .none?: require(bodyCount == 0, "body for a bodiless request")
                case .chunked?: break
                default: fail("end without a head")
                }
                current = nil
                require(parser.isIdle, "not idle right after end")
                steps.record(.end)
            case .reject(let error):
                require(requestStatuses.contains(error.status), "reject status \(error.status)")
                require(parser.isRejected && !parser.isIdle, "reject without the rejected state")
                steps.record(.reject(error))
                // Rejected stays rejected, whatever comes next.
                let probes: [[UInt8]] = [Array(pending[consumed...]), [], Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)]
                for probe in probes {
                    let again = probe.withUnsafeBytes { parser.next($0) }
                    guard again.consumed == 0, case .reject(let e2) = again.event, e2 == error else {
                        fail("parser left the rejected state: \(again)")
                    }
                }
                steps.append(.rest("rejected"))
                return steps
            }
            pending.removeFirst(consumed)
        }
    }
    steps.append(.rest(parser.isIdle ? "idle" : current == nil ? "in head" : "in body"))
    return steps
}

/// What every head must satisfy, checked against the bytes, not against the parser's helpers.
func checkRequestHead(_ h: RequestHead, _ limits: HTTPLimits) {
    let s = h.storage
    for r in [h.methodRange, h.target, h.originFormTarget] + (h.authority.map { [$0] } ?? []) {
        require(r.lowerBound >= 0 && r.upperBound <= s.count, "range \(r) outside storage")
    }
    // The received head ends at the first CRLFCRLF (no value holds a CR); synthesised targets after.
    var headEnd = 0
    while headEnd + 3 < s.count && !(s[headEnd] == 13 && s[headEnd + 1] == 10 && s[headEnd + 2] == 13 && s[headEnd + 3] == 10) {
        headEnd += 1
    }
    require(headEnd + 3 < s.count, "storage without the empty line")
    headEnd += 4
    require(headEnd <= limits.maxHeaderBytes, "head of \(headEnd) bytes over maxHeaderBytes")
    require(h.originFormTarget.upperBound <= headEnd || h.originFormTarget.lowerBound >= headEnd,
                 "origin-form target straddles the head end")

    // Request line: method SP target SP HTTP/1.x CRLF
    require(h.methodRange.lowerBound == 0 && !h.methodRange.isEmpty, "method range")
    require(s[h.methodRange].allSatisfy(Spec.isTchar), "method not a token")
    require(h.target.lowerBound == h.methodRange.upperBound + 1 && s[h.methodRange.upperBound] == 0x20)
    require(!h.target.isEmpty && s[h.target].allSatisfy(Spec.isVisibleASCII), "target bytes")
    let versionStart = h.target.upperBound
    let requestLine = Array(s[versionStart..<(versionStart + 11)])
    let expected = h.version == .http11 ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n"
    require(requestLine == Array(expected.utf8), "version bytes disagree with \(h.version)")
    require(versionStart + 9 <= limits.maxRequestLine, "request line over maxRequestLine")
    let names: [(String, HTTPMethod)] = [("GET", .get), ("HEAD", .head), ("POST", .post), ("PUT", .put),
                                         ("DELETE", .delete), ("OPTIONS", .options), ("TRACE", .trace),
                                         ("PATCH", .patch), ("CONNECT", .connect)]
    let byName = names.first { Array($0.0.utf8)[...] == s[h.methodRange] }?.1 ?? .other
    require(byName == h.method, "method \(h.method) for \(h.text(h.methodRange))")

    // Fields
    require(h.fields.count <= limits.maxHeaderCount, "more fields than maxHeaderCount")
    var hosts = 0, lengths: [HeaderField] = [], codings: [HeaderField] = [], expects = 0
    for f in h.fields {
        checkField(s, f, "request")
        require(f.value.upperBound < headEnd, "field past the head")
        var lineEnd = f.value.upperBound
        while s[lineEnd] != 13 { lineEnd += 1 }
        require(lineEnd - f.name.lowerBound <= limits.maxFieldLine, "field line over maxFieldLine")
        switch f.kind {
        case .host: hosts += 1
        case .contentLength: lengths.append(f)
        case .transferEncoding: codings.append(f)
        case .expect: expects += 1
        default: break
        }
    }
    require(hosts <= 1, "two Host fields accepted")
    if h.version == .http11 { require(hosts == 1 && h.authority != nil, "1.1 request without Host") }
    require(lengths.count <= 1 && codings.count <= 1 && lengths.count + codings.count <= 1,
                 "ambiguous framing accepted")
    if let te = codings.first {
        require(h.version == .http11, "Transfer-Encoding in 1.0 accepted")
        require(Spec.equalsIgnoringCase(s[te.value], "chunked"), "TE value other than chunked")
        require(h.framing == .chunked, "TE without chunked framing")
    } else if let cl = lengths.first {
        var n: UInt64 = 0
        for b in s[cl.value] {
            require(b >= 0x30 && b <= 0x39, "non-digit Content-Length accepted")
            n = n * 10 + UInt64(b - 0x30)  // traps on overflow: the parser must have refused it
        }
        require(!cl.value.isEmpty && h.framing == .contentLength(n) && n <= limits.maxBodyBytes,
                     "Content-Length framing")
    } else {
        require(h.framing == .none, "framing without a framing field")
    }
    require(h.expectsContinue == (h.version == .http11 && expects > 0), "expectsContinue")
    for f in h.fields where f.kind == .expect {
        require(Spec.equalsIgnoringCase(s[f.value], "100-continue"), "Expect other than 100-continue accepted")
    }
    for option in connectionOptions(s, h.fields) {
        require(option.allSatisfy(Spec.isTchar), "non-token Connection option accepted")
    }
    checkConnectionSemantics(s, h.fields, version: h.version, keepAlive: h.keepAlive, "request")

    // Targets and authority
    let origin = s[h.originFormTarget]
    require(origin.first == 0x2F || Array(origin) == [0x2A] || h.method == .connect,
                 "origin-form target \(h.text(h.originFormTarget))")
    if let a = h.authority {
        require(!a.isEmpty && s[a].allSatisfy(Spec.isAuthorityByte), "authority bytes")
    }
}

/// A head re-serialised for the upstream must parse back to the same request.
func checkRequestRoundTrip(_ h: RequestHead) {
    let defaultHost = Array("default.invalid".utf8)
    var plain = ForwardingOptions()
    plain.forwardedFor = .off
    plain.forwardedProto = false
    plain.forwardedHost = false
    var out: [UInt8] = []
    MessageSerializer.writeRequestHead(h, framing: h.framing, clientAddress: [], scheme: "http",
                                       defaultHost: defaultHost, options: plain, into: &out)
    let again = parseOneRequestHead(out)
    require(again.storage[again.methodRange] == h.storage[h.methodRange] && again.method == h.method, "method")
    require(again.storage[again.target] == h.storage[h.originFormTarget], "target")
    require(again.originFormTarget == again.target, "origin-form target changed on re-parse")
    require(again.version == .http11, "version")
    require(again.framing == h.framing, "framing \(again.framing) != \(h.framing)")
    let authority = h.authority.map { Array(h.storage[$0]) } ?? defaultHost
    require(again.authority.map { Array(again.storage[$0]) } == authority, "authority")
    require(again.fields.first?.kind == .host, "Host not first")
    require(endToEnd(again.storage, again.fields, dropping: [.host]) == endToEnd(h.storage, h.fields, dropping: [.host]),
                 "end-to-end fields changed")
    // Serialising the re-parsed head gives the same bytes.
    var out2: [UInt8] = []
    MessageSerializer.writeRequestHead(again, framing: again.framing, clientAddress: [], scheme: "http",
                                       defaultHost: defaultHost, options: plain, into: &out2)
    require(out2 == out, "serialisation not idempotent")

    // With the X-Forwarded-* fields the proxy adds, it must still parse, and XFF end with the client.
    var full: [UInt8] = []
    MessageSerializer.writeRequestHead(h, framing: h.framing, clientAddress: Array("192.0.2.7".utf8)[...],
                                       scheme: "https", defaultHost: defaultHost, options: ForwardingOptions(),
                                       into: &full)
    let forwarded = parseOneRequestHead(full)
    let xff = forwarded.fields.filter { $0.kind == .xForwardedFor }
    require(xff.count == 1 && forwarded.text(xff[0].value).hasSuffix("192.0.2.7"), "X-Forwarded-For")
    require(forwarded.firstValue(named: "x-forwarded-proto") == "https", "X-Forwarded-Proto")
}

private func parseOneRequestHead(_ bytes: [UInt8]) -> RequestHead {
    var parser = RequestParser(limits: roomyRequestLimits)
    let (consumed, event) = bytes.withUnsafeBytes { parser.next($0) }
    guard case .head(let head) = event else {
        fail("re-serialised head does not parse (\(event)):\n\(String(decoding: bytes, as: UTF8.self))")
    }
    require(consumed == bytes.count, "re-serialised head not consumed whole")
    return head
}

func checkRequests(_ data: [UInt8]) {
    for limits in [HTTPLimits(), smallRequestLimits] {
        var heads: [RequestHead] = []
        var reference: [Step<RequestHeadKey>]?
        for cut in Cut.all(for: data) {
            var cutHeads: [RequestHead] = []
            let steps = runRequests(data, cut, limits, heads: &cutHeads)
            if let reference {
                require(steps == reference, "events depend on the split (\(cut)):\n\(steps)\nvs whole:\n\(reference)")
            } else {
                reference = steps
                heads = cutHeads
            }
        }
        for head in heads { checkRequestRoundTrip(head) }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    checkRequests(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
