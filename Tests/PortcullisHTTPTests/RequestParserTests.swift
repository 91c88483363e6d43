import PortcullisHTTP
import Testing

/// What one parsed request must look like.
struct ExpectedRequest: Sendable {
    var method: HTTPMethod = .get
    var methodText: String? = nil
    var target = "/"
    var origin: String? = nil
    var authority: String? = "a"
    var version: HTTPVersion = .http11
    var framing: BodyFraming = .none
    var keepAlive = true
    var expectsContinue = false
    /// "Name: value", suffixed " (hop)" for hop-by-hop fields; nil skips the check.
    var fields: [String]? = nil
    var body = ""
}

/// A request stream the parser must accept, with what each request in it must look like.
struct ValidCase: Sendable, CustomTestStringConvertible {
    let name: String
    let raw: [UInt8]
    let requests: [ExpectedRequest]
    var testDescription: String { name }

    init(_ name: String, _ raw: String, _ requests: ExpectedRequest...) {
        self.init(name, bytes(raw), requests)
    }

    init(_ name: String, _ raw: [UInt8], _ requests: [ExpectedRequest]) {
        self.name = name
        self.raw = raw
        self.requests = requests
    }
}

extension ValidCase {
    static let all: [ValidCase] = [
        ValidCase("simple GET", "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
                  ExpectedRequest(target: "/index.html?q=1", authority: "example.com",
                                  fields: ["Host: example.com", "Accept: */*"])),
        ValidCase("POST with Content-Length", "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
                  ExpectedRequest(method: .post, target: "/f", framing: .contentLength(5),
                                  fields: ["Host: a", "Content-Length: 5 (hop)"], body: "hello")),
        ValidCase("Content-Length 0 stays explicit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
                  ExpectedRequest(method: .post, framing: .contentLength(0))),
        ValidCase("Content-Length with leading zeros", "PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 005\r\n\r\nhello",
                  ExpectedRequest(method: .put, framing: .contentLength(5), body: "hello")),
        ValidCase("chunked with extension and trailer",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=val\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n",
                  ExpectedRequest(method: .post, framing: .chunked,
                                  fields: ["Host: a", "Transfer-Encoding: chunked (hop)"], body: "hello")),
        ValidCase("chunked with quoted, escaped and spaced extensions",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n"
                      + "5 ; a = b ;c\r\nhello\r\n3;x=\"q\\\"z;\"\r\nabc\r\nA\r\n0123456789\r\n0;last\r\n\r\n",
                  ExpectedRequest(method: .post, framing: .chunked, body: "helloabc0123456789")),
        ValidCase("chunk size with many leading zeros",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n000000000000000000005\r\nhello\r\n0\r\n\r\n",
                  ExpectedRequest(method: .post, framing: .chunked, body: "hello")),
        ValidCase("chunked with several trailers",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nA: 1\r\nB:\r\nC: x\ty\r\n\r\n",
                  ExpectedRequest(method: .post, framing: .chunked, body: "hi")),
        ValidCase("absolute-form: authority wins over Host, origin-form extracted",
                  "GET http://example.com:8080/p?q=1 HTTP/1.1\r\nHost: other\r\n\r\n",
                  ExpectedRequest(target: "http://example.com:8080/p?q=1", origin: "/p?q=1",
                                  authority: "example.com:8080")),
        ValidCase("absolute-form without path gets /", "GET HTTPS://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n",
                  ExpectedRequest(target: "HTTPS://example.com", origin: "/", authority: "example.com")),
        ValidCase("absolute-form with query only", "GET http://example.com?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n",
                  ExpectedRequest(target: "http://example.com?x=1", origin: "/?x=1", authority: "example.com")),
        ValidCase("OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", ExpectedRequest(method: .options, target: "*")),
        ValidCase("OPTIONS absolute-form without path becomes *", "OPTIONS http://b HTTP/1.1\r\nHost: a\r\n\r\n",
                  ExpectedRequest(method: .options, target: "http://b", origin: "*", authority: "b")),
        ValidCase("HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n",
                  ExpectedRequest(authority: nil, version: .http10, keepAlive: false, fields: [])),
        ValidCase("HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nHost: a\r\nConnection: Keep-Alive\r\n\r\n",
                  ExpectedRequest(version: .http10, keepAlive: true, fields: ["Host: a", "Connection: Keep-Alive (hop)"])),
        ValidCase("HTTP/1.0 ignores 100-continue", "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx",
                  ExpectedRequest(method: .post, authority: nil, version: .http10, framing: .contentLength(1),
                                  keepAlive: false, expectsContinue: false, body: "x")),
        ValidCase("Connection: close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                  ExpectedRequest(keepAlive: false)),
        ValidCase("fields named in Connection are hop-by-hop",
                  "GET / HTTP/1.1\r\nX-Custom: 1\r\nHost: a\r\nConnection: keep-alive, x-custom,, Other\r\nOTHER: 2\r\nX-Keep: 3\r\n\r\n",
                  ExpectedRequest(fields: ["X-Custom: 1 (hop)", "Host: a", "Connection: keep-alive, x-custom,, Other (hop)",
                                           "OTHER: 2 (hop)", "X-Keep: 3"])),
        ValidCase("hop-by-hop fields by name",
                  "GET / HTTP/1.1\r\nHost: a\r\nKeep-Alive: 5\r\nProxy-Connection: x\r\nTE: trailers\r\nTrailer: X\r\n"
                      + "Upgrade: websocket\r\nX-Forwarded-For: 1.2.3.4\r\nDate: d\r\n\r\n",
                  ExpectedRequest(fields: ["Host: a", "Keep-Alive: 5 (hop)", "Proxy-Connection: x (hop)", "TE: trailers (hop)",
                                           "Trailer: X (hop)", "Upgrade: websocket (hop)", "X-Forwarded-For: 1.2.3.4",
                                           "Date: d"])),
        ValidCase("Expect: 100-continue, any case", "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nok",
                  ExpectedRequest(method: .put, framing: .contentLength(2), expectsContinue: true,
                                  fields: ["Host: a", "Expect: 100-Continue (hop)", "Content-Length: 2 (hop)"], body: "ok")),
        ValidCase("OWS trimmed, empty value kept", "GET / HTTP/1.1\r\nHost:a\r\nX-A: \t v 1 \t \r\nX-Empty:\r\nX-Spaces:   \r\n\r\n",
                  ExpectedRequest(fields: ["Host: a", "X-A: v 1", "X-Empty: ", "X-Spaces: "])),
        ValidCase("obs-text in a value", bytes("GET / HTTP/1.1\r\nHost: a\r\nX-U: caf") + [0xC3, 0xA9] + bytes("\r\n\r\n"),
                  [ExpectedRequest(fields: ["Host: a", "X-U: café"])]),
        ValidCase("underscore in a field name", "GET / HTTP/1.1\r\nHost: a\r\nTransfer_Encoding: chunked\r\n\r\n",
                  ExpectedRequest(fields: ["Host: a", "Transfer_Encoding: chunked"])),
        ValidCase("other method tokens", "PROPFIND /x HTTP/1.1\r\nHost: a\r\n\r\nget /y HTTP/1.1\r\nHost: a\r\n\r\n",
                  ExpectedRequest(method: .other, methodText: "PROPFIND", target: "/x"),
                  ExpectedRequest(method: .other, methodText: "get", target: "/y")),
        ValidCase("every known method", "DELETE / HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\n"
                      + "TRACE / HTTP/1.1\r\nHost: a\r\n\r\nPATCH / HTTP/1.1\r\nHost: a\r\n\r\n",
                  ExpectedRequest(method: .delete), ExpectedRequest(method: .head), ExpectedRequest(method: .trace),
                  ExpectedRequest(method: .patch)),
        ValidCase("CONNECT parses; the proxy refuses it", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
                  ExpectedRequest(method: .connect, target: "example.com:443", authority: "example.com:443")),
        ValidCase("up to four leading empty lines", "\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", ExpectedRequest()),
        ValidCase("Host forms", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\nGET / HTTP/1.1\r\nHost: b.example:65535\r\n\r\n"
                      + "GET / HTTP/1.1\r\nHost: 10.0.0.1\r\n\r\nGET / HTTP/1.1\r\nHost: xn--caf-dma.%41\r\n\r\n",
                  ExpectedRequest(authority: "[::1]:8080"), ExpectedRequest(authority: "b.example:65535"),
                  ExpectedRequest(authority: "10.0.0.1"), ExpectedRequest(authority: "xn--caf-dma.%41")),
        ValidCase("recognised kinds, any case", "GET / HTTP/1.1\r\nHOST: a\r\nx-FORWARDED-for: 1\r\ncontent-LENGTH: 0\r\n\r\n",
                  ExpectedRequest(framing: .contentLength(0),
                                  fields: ["HOST: a", "x-FORWARDED-for: 1", "content-LENGTH: 0 (hop)"])),
        ValidCase("pipelined GETs", "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
                  ExpectedRequest(target: "/1"), ExpectedRequest(target: "/2")),
        ValidCase("pipelined after a fixed body", "POST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
                  ExpectedRequest(method: .post, target: "/1", framing: .contentLength(3), body: "abc"),
                  ExpectedRequest(target: "/2")),
        ValidCase("pipelined after the last chunk",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /second HTTP/1.1\r\nHost: a\r\n\r\n",
                  ExpectedRequest(method: .post, framing: .chunked, body: "abc"), ExpectedRequest(target: "/second")),
        ValidCase("CRLF between pipelined requests is skipped",
                  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
                  ExpectedRequest(method: .post, framing: .contentLength(1), body: "x"), ExpectedRequest(target: "/2")),
    ]
}

private func describe(_ head: RequestHead, _ field: HeaderField) -> String {
    "\(head.text(field.name)): \(head.text(field.value))\(field.isHopByHop ? " (hop)" : "")"
}

@Suite("request parser")
struct RequestParserTests {
    @Test("the table is not empty and names are unique")
    func table() {
        #expect(ValidCase.all.count > 30)
        #expect(Set(ValidCase.all.map(\.name)).count == ValidCase.all.count)
    }

    @Test("valid requests, in every split", arguments: ValidCase.all)
    func valid(_ c: ValidCase) {
        let whole = replayRequests([c.raw])
        #expect(whole.lastReject == nil, "\(whole.events)")
        #expect(!whole.events.contains { if case .contractViolation = $0 { return true } else { return false } })
        #expect(whole.heads.count == c.requests.count)
        #expect(whole.endCount == c.requests.count)
        #expect(whole.bodies.map { String(decoding: $0, as: UTF8.self) } == c.requests.map(\.body))
        for (head, want) in zip(whole.heads, c.requests) {
            #expect(head.method == want.method)
            if let text = want.methodText { #expect(head.text(head.methodRange) == text) }
            #expect(head.text(head.target) == want.target)
            #expect(head.text(head.originFormTarget) == (want.origin ?? want.target))
            #expect(head.authority.map { head.text($0) } == want.authority)
            #expect(head.version == want.version)
            #expect(head.framing == want.framing)
            #expect(head.keepAlive == want.keepAlive)
            #expect(head.expectsContinue == want.expectsContinue)
            if let fields = want.fields { #expect(head.fields.map { describe(head, $0) } == fields) }
        }
        for split in Split.all.dropFirst() {
            #expect(replayRequests(split.chunks(c.raw)).events == whole.events, "split \(split)")
        }
    }

    @Test("field kinds are recognised case-insensitively")
    func kinds() throws {
        let raw = "GET / HTTP/1.1\r\nhost: a\r\nCONNECTION: x\r\nkeep-alive: 1\r\nproxy-connection: 1\r\nte: 1\r\n"
            + "trailer: 1\r\nupgrade: 1\r\nexpect: 100-continue\r\nX-Forwarded-For: 1\r\nx-forwarded-proto: 1\r\n"
            + "X-FORWARDED-HOST: 1\r\ndate: 1\r\nServer: 1\r\nX-Other: 1\r\n\r\n"
        let head = try #require(replayRequests([bytes(raw)]).heads.first)
        #expect(head.fields.map(\.kind) == [.host, .connection, .keepAlive, .proxyConnection, .te, .trailer, .upgrade,
                                           .expect, .xForwardedFor, .xForwardedProto, .xForwardedHost, .date, .server,
                                           .other])
    }

    @Test("a bodiless request ends on the next call, even with an empty buffer")
    func endAfterHead() {
        var parser = RequestParser()
        let raw = bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        let first = raw.withUnsafeBytes { parser.next($0) }
        #expect(first.consumed == raw.count)
        guard case .head = first.event else { Issue.record("expected head, got \(first.event)"); return }
        #expect(!parser.isIdle)
        let second = [UInt8]().withUnsafeBytes { parser.next($0) }
        #expect(second.consumed == 0)
        guard case .end = second.event else { Issue.record("expected end, got \(second.event)"); return }
        #expect(parser.isIdle)
        let third = [UInt8]().withUnsafeBytes { parser.next($0) }
        guard case .needMore = third.event else { Issue.record("expected needMore, got \(third.event)"); return }
    }

    @Test("414 is given before the request line's LF arrives")
    func earlyURITooLong() {
        var limits = HTTPLimits()
        limits.maxRequestLine = 100
        var parser = RequestParser(limits: limits)
        // 101 bytes could still be 100 + CR; the 102nd byte proves the line too long.
        let start = bytes("GET /") + Array(repeating: UInt8(ascii: "a"), count: 96)
        #expect(start.count == 101)
        let a = start.withUnsafeBytes { parser.next($0) }
        guard case .needMore = a.event else { Issue.record("\(a.event)"); return }
        let b = bytes("a").withUnsafeBytes { parser.next($0) }
        guard case .reject(let error) = b.event else { Issue.record("\(b.event)"); return }
        #expect(error.status == 414)
        #expect(parser.isRejected)
    }

    @Test("the default limits: 414 at 8 KiB of request line, 431 for a 9 KiB field, 431 over 32 KiB of head")
    func defaultLimits() {
        let line = bytes("GET /") + Array(repeating: UInt8(ascii: "a"), count: 8200)
        #expect(replayRequests([line]).lastReject == 414)
        let field = bytes("GET / HTTP/1.1\r\nHost: a\r\nX: ") + Array(repeating: UInt8(ascii: "b"), count: 9000)
        #expect(replayRequests([field]).lastReject == 431)
        var many = bytes("GET / HTTP/1.1\r\nHost: a\r\n")
        for i in 0..<90 { many += bytes("X-\(i): ") + Array(repeating: UInt8(ascii: "c"), count: 400) + bytes("\r\n") }
        #expect(replayRequests([many]).lastReject == 431)
        var count = bytes("GET / HTTP/1.1\r\nHost: a\r\n")
        for i in 0..<100 { count += bytes("X-\(i): 1\r\n") }
        #expect(replayRequests([count + bytes("\r\n")]).lastReject == 431)
        var exactly = bytes("GET / HTTP/1.1\r\nHost: a\r\n")
        for i in 0..<99 { exactly += bytes("X-\(i): 1\r\n") }
        #expect(replayRequests([exactly + bytes("\r\n")]).endCount == 1)
    }

    @Test("limits are inclusive: exactly at the limit passes, one byte more does not")
    func limitBoundaries() {
        let line = "GET /2345678901 HTTP/1.1"  // 24 bytes
        let field = "Content-Length: 5"        // 17 bytes
        let raw = bytes("\(line)\r\nHost: a\r\n\(field)\r\n\r\nhello")
        var limits = HTTPLimits()
        limits.maxRequestLine = 24
        limits.maxFieldLine = 17
        limits.maxBodyBytes = 5
        limits.maxHeaderBytes = raw.count - 5
        limits.maxHeaderCount = 2
        let ok = replayRequests([raw], limits: limits)
        #expect(ok.endCount == 1, "\(ok.events)")
        for split in Split.all { #expect(replayRequests(split.chunks(raw), limits: limits).events == ok.events) }
        func rejected(_ change: (inout HTTPLimits) -> Void) -> Int? {
            var l = limits
            change(&l)
            return replayRequests([raw], limits: l).lastReject
        }
        #expect(rejected { $0.maxRequestLine -= 1 } == 414)
        #expect(rejected { $0.maxFieldLine -= 1 } == 431)
        #expect(rejected { $0.maxHeaderBytes -= 1 } == 431)
        #expect(rejected { $0.maxHeaderCount -= 1 } == 431)
        #expect(rejected { $0.maxBodyBytes -= 1 } == 413)
    }

    @Test("after a reject the parser stays rejected")
    func staysRejected() {
        var parser = RequestParser()
        let bad = bytes("GET / HTTP/1.1\r\nHost: a b\r\n\r\n")
        _ = bad.withUnsafeBytes { parser.next($0) }
        let good = bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        let again = good.withUnsafeBytes { parser.next($0) }
        guard case .reject(let error) = again.event else { Issue.record("\(again.event)"); return }
        #expect(error.status == 400)
    }

    @Test("idle state and releasing idle memory")
    func idleMemory() {
        var parser = RequestParser()
        #expect(parser.isIdle)
        let partial = bytes("GET / HT")
        _ = partial.withUnsafeBytes { parser.next($0) }
        #expect(!parser.isIdle)
        parser.releaseIdleMemory()  // must not drop held bytes
        let rest = bytes("TP/1.1\r\nHost: a\r\n\r\n")
        let r = rest.withUnsafeBytes { parser.next($0) }
        guard case .head(let head) = r.event else { Issue.record("\(r.event)"); return }
        #expect(head.text(head.target) == "/")
        _ = [UInt8]().withUnsafeBytes { parser.next($0) }
        #expect(parser.isIdle)
        parser.releaseIdleMemory()
        #expect(parser.isIdle)
    }

    @Test("a head split across reads is stored whole, with ranges into it")
    func storage() throws {
        let raw = bytes("GET /x HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\r\n")
        let replay = replayRequests(Split.byteByByte.chunks(raw))
        let head = try #require(replay.heads.first)
        #expect(head.storage == raw)
        #expect(head[head.target] == ArraySlice(bytes("/x")))
    }
}
