import PortcullisHTTP
import Testing

/// An upstream response stream and what the parser must make of it.
struct ResponseCase: Sendable, CustomTestStringConvertible {
    let name: String
    let raw: [UInt8]
    var method: HTTPMethod = .get
    /// Call `inputEnded()` after the last byte (the upstream closed).
    var ended = false
    /// Statuses of the heads delivered, interim ones included.
    var statuses: [Int] = [200]
    var framing: BodyFraming? = nil
    var keepAlive: Bool? = nil
    var body = ""
    var ends = true
    var reject: Int? = nil

    var testDescription: String { name }
}

private func r(_ name: String, _ raw: String, method: HTTPMethod = .get, ended: Bool = false, statuses: [Int] = [200],
               framing: BodyFraming? = nil, keepAlive: Bool? = nil, body: String = "", ends: Bool = true,
               reject: Int? = nil) -> ResponseCase {
    ResponseCase(name: name, raw: bytes(raw), method: method, ended: ended, statuses: statuses, framing: framing,
                 keepAlive: keepAlive, body: body, ends: ends, reject: reject)
}

extension ResponseCase {
    static let all: [ResponseCase] = [
        r("Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", framing: .contentLength(5),
          keepAlive: true, body: "hello"),
        r("Content-Length 0", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", framing: .contentLength(0)),
        r("chunked with trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
          framing: .chunked, keepAlive: true, body: "hello world"),
        r("until close, then closed", "HTTP/1.1 200 OK\r\nServer: s\r\n\r\nabc", ended: true, framing: .untilClose,
          keepAlive: false, body: "abc"),
        r("until close, still open", "HTTP/1.1 200 OK\r\n\r\nabc", framing: .untilClose, body: "abc", ends: false),
        r("HEAD response with Content-Length has no body", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
          method: .head, framing: BodyFraming.none, keepAlive: true),
        r("HEAD response with chunked has no body", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
          method: .head, framing: BodyFraming.none),
        r("204 with Content-Length has no body", "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n",
          statuses: [204], framing: BodyFraming.none),
        r("304 with Content-Length has no body", "HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n",
          statuses: [304], framing: BodyFraming.none),
        r("interim heads, then the final one", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", statuses: [100, 103, 200], framing: .contentLength(2), body: "ok"),
        r("missing reason phrase", "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", framing: .contentLength(0)),
        r("empty reason phrase", "HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n", statuses: [404]),
        r("bare LF line ends tolerated in the head", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", framing: .contentLength(2),
          body: "ok"),
        r("HTTP/1.0 without keep-alive", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", keepAlive: false, body: "x"),
        r("HTTP/1.0 with keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx",
          keepAlive: true, body: "x"),
        r("Connection: close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx", keepAlive: false,
          body: "x"),
        r("obs-text in the reason phrase", "HTTP/1.1 200 \u{E9}t\u{E9}\r\nContent-Length: 0\r\n\r\n"),
        r("truncated Content-Length body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", ended: true, body: "abc",
          ends: false, reject: 502),
        r("truncated chunked body", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", ended: true,
          body: "hel", ends: false, reject: 502),
        r("truncated head", "HTTP/1.1 200 OK\r\nContent-Le", ended: true, statuses: [], ends: false, reject: 502),
        r("closed after an interim head", "HTTP/1.1 100 Continue\r\n\r\n", ended: true, statuses: [100], ends: false,
          reject: 502),
        r("closed before anything", "", ended: true, statuses: [], ends: false),
        r("Content-Length with Transfer-Encoding", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
          statuses: [], ends: false, reject: 502),
        r("duplicate Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
          statuses: [], ends: false, reject: 502),
        r("invalid Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 3x\r\n\r\nabc", statuses: [], ends: false,
          reject: 502),
        r("unsupported transfer coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", statuses: [],
          ends: false, reject: 502),
        r("chunked in an HTTP/1.0 response", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
          statuses: [], ends: false, reject: 502),
        r("101 Switching Protocols", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", statuses: [],
          ends: false, reject: 502),
        r("two-digit status", "HTTP/1.1 20 OK\r\n\r\n", statuses: [], ends: false, reject: 502),
        r("status without space before reason", "HTTP/1.1 200OK\r\n\r\n", statuses: [], ends: false, reject: 502),
        r("HTTP/2 status line", "HTTP/2 200 OK\r\n\r\n", statuses: [], ends: false, reject: 502),
        r("status 099", "HTTP/1.1 099 X\r\n\r\n", statuses: [], ends: false, reject: 502),
        r("obs-fold in a response field", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n", statuses: [],
          ends: false, reject: 502),
        r("bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZ\r\n", ends: false, reject: 502),
        r("runaway chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", body: "ab",
          ends: false, reject: 502),
    ]
}

@Suite("response parser")
struct ResponseParserTests {
    @Test("the table is not empty and names are unique")
    func table() {
        #expect(ResponseCase.all.count > 30)
        #expect(Set(ResponseCase.all.map(\.name)).count == ResponseCase.all.count)
    }

    @Test("responses, in every split", arguments: ResponseCase.all)
    func response(_ c: ResponseCase) {
        let whole = replayResponse([c.raw], method: c.method, ended: c.ended)
        #expect(whole.responseHeads.map(\.status) == c.statuses, "\(whole.events)")
        if let framing = c.framing { #expect(whole.responseHeads.last?.framing == framing) }
        if let keepAlive = c.keepAlive { #expect(whole.responseHeads.last?.keepAlive == keepAlive) }
        let body = whole.events.compactMap { if case .body(let b) = $0 { return b } else { return nil } }.joined()
        #expect(String(decoding: Array(body), as: UTF8.self) == c.body)
        #expect((whole.endCount == 1) == c.ends, "\(whole.events)")
        #expect(whole.lastReject == c.reject, "\(whole.events)")
        for split in Split.all.dropFirst() {
            let other = replayResponse(split.chunks(c.raw), method: c.method, ended: c.ended)
            #expect(other.events == whole.events, "split \(split)")
        }
    }

    @Test("fields, reason and hop-by-hop marking")
    func fields() throws {
        let raw = "HTTP/1.1 404 Not Found\r\nServer: s\r\nConnection: X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\n"
            + "Content-Length: 0\r\nDate: d\r\n\r\n"
        let head = try #require(replayResponse([bytes(raw)]).responseHeads.first)
        #expect(head.status == 404)
        #expect(head.text(head.reason) == "Not Found")
        #expect(head.fields.map { "\(head.text($0.name))\($0.isHopByHop ? "!" : "")" }
                == ["Server", "Connection!", "X-Hop!", "Keep-Alive!", "Content-Length!", "Date"])
        #expect(head.fields.map(\.kind) == [.server, .connection, .other, .keepAlive, .contentLength, .date])
    }

    @Test("reset prepares for the next response; the parser is reusable after end")
    func reuse() {
        var parser = ResponseParser()
        parser.reset(requestMethod: .head)
        let first = bytes("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n")
        let a = first.withUnsafeBytes { parser.next($0) }
        guard case .head(let h) = a.event else { Issue.record("\(a.event)"); return }
        #expect(h.framing == .none)
        #expect(a.consumed == first.count)
        let b = [UInt8]().withUnsafeBytes { parser.next($0) }
        guard case .end = b.event else { Issue.record("\(b.event)"); return }
        guard case .needMore = parser.inputEnded() else { Issue.record("idle parser reported something on close"); return }
        parser.reset(requestMethod: .get)
        let second = bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        let c = second.withUnsafeBytes { parser.next($0) }
        guard case .head(let h2) = c.event else { Issue.record("\(c.event)"); return }
        #expect(h2.framing == .contentLength(2))
    }

    @Test("an oversized head is a 502")
    func headLimit() {
        let raw = bytes("HTTP/1.1 200 OK\r\nX: ") + Array(repeating: UInt8(ascii: "a"), count: 200) + bytes("\r\n\r\n")
        #expect(replayResponse([raw], maxHeaderBytes: 100).lastReject == 502)
        #expect(replayResponse([raw], maxHeaderBytes: 1000).lastReject == nil)
    }
}
