import PortcullisHTTP
import Testing

@Suite("message serializer")
struct MessageSerializerTests {
    private func request(_ raw: String) throws -> RequestHead {
        let replay = replayRequests([bytes(raw)])
        return try #require(replay.heads.first, "\(replay.events)")
    }

    private func response(_ raw: String, method: HTTPMethod = .get) throws -> ResponseHead {
        let replay = replayResponse([bytes(raw)], method: method)
        return try #require(replay.responseHeads.last, "\(replay.events)")
    }

    private func upstreamHead(_ head: RequestHead, framing: BodyFraming? = nil, options: ForwardingOptions = ForwardingOptions(),
                              scheme: StaticString = "http") -> String {
        var out: [UInt8] = Array("prefix|".utf8)
        MessageSerializer.writeRequestHead(head, framing: framing ?? head.framing, clientAddress: ArraySlice(bytes("9.9.9.9")),
                                           scheme: scheme, defaultHost: bytes("upstream.local"), options: options, into: &out)
        let text = String(decoding: out, as: UTF8.self)
        #expect(text.hasPrefix("prefix|"), "must append, not overwrite")
        return String(text.dropFirst("prefix|".count))
    }

    private static let busy = "GET http://example.com/p?q HTTP/1.1\r\nHost: other\r\nUser-Agent: t\r\n"
        + "X-Forwarded-For: 1.1.1.1\r\nConnection: keep-alive, X-Drop\r\nX-Drop: 1\r\nKeep-Alive: 5\r\n"
        + "X-Forwarded-For: 2.2.2.2\r\nX-Forwarded-Proto: evil\r\nX-Forwarded-Host: evil\r\nExpect: 100-continue\r\n"
        + "TE: trailers\r\nUpgrade: h2c\r\nProxy-Connection: x\r\nTrailer: y\r\nContent-Length: 3\r\nAccept: */*\r\n\r\nabc"

    @Test("request: hop-by-hop dropped, absolute-form rewritten, XFF appended")
    func requestAppend() throws {
        let head = try request(Self.busy)
        #expect(upstreamHead(head) == "GET /p?q HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\nAccept: */*\r\n"
            + "Content-Length: 3\r\nX-Forwarded-For: 1.1.1.1, 2.2.2.2, 9.9.9.9\r\nX-Forwarded-Proto: http\r\n"
            + "X-Forwarded-Host: example.com\r\n\r\n")
    }

    @Test("request: XFF replaced")
    func requestReplace() throws {
        var options = ForwardingOptions()
        options.forwardedFor = .replace
        #expect(upstreamHead(try request(Self.busy), options: options, scheme: "https")
            == "GET /p?q HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\nAccept: */*\r\nContent-Length: 3\r\n"
            + "X-Forwarded-For: 9.9.9.9\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: example.com\r\n\r\n")
    }

    @Test("request: forwarding fields off keeps the client's own in place")
    func requestOff() throws {
        var options = ForwardingOptions()
        options.forwardedFor = .off
        options.forwardedProto = false
        options.forwardedHost = false
        #expect(upstreamHead(try request(Self.busy), options: options)
            == "GET /p?q HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\nX-Forwarded-For: 1.1.1.1\r\n"
            + "X-Forwarded-For: 2.2.2.2\r\nX-Forwarded-Proto: evil\r\nX-Forwarded-Host: evil\r\nAccept: */*\r\n"
            + "Content-Length: 3\r\n\r\n")
    }

    @Test("request: HTTP/1.0 without Host gets the default host and no X-Forwarded-Host")
    func requestDefaultHost() throws {
        #expect(upstreamHead(try request("GET /x HTTP/1.0\r\nAccept: a\r\n\r\n"))
            == "GET /x HTTP/1.1\r\nHost: upstream.local\r\nAccept: a\r\nX-Forwarded-For: 9.9.9.9\r\n"
            + "X-Forwarded-Proto: http\r\n\r\n")
    }

    /// The head is written into memory sized from the head itself (`HeadWriter`): the cases
    /// that write the most bytes per byte received still fit — the authority twice (Host and
    /// X-Forwarded-Host) with a short target, many short X-Forwarded-For values joined with ", ",
    /// a long scheme, the largest Content-Length.
    @Test("request: the heads that grow most are written whole", arguments: [1, 40])
    func requestGrowth(_ fields: Int) throws {
        let host = String(repeating: "h", count: 300)
        let forwarded = String(repeating: "X-Forwarded-For: 1\r\n", count: fields)
        let head = try request("GET http://\(host)/ HTTP/1.1\r\nHost: \(host)\r\n\(forwarded)\r\n")
        let joined = Array(repeating: "1", count: fields).joined(separator: ", ")
        #expect(upstreamHead(head, framing: .contentLength(UInt64.max), scheme: "a-rather-long-scheme-name")
            == "GET / HTTP/1.1\r\nHost: \(host)\r\nContent-Length: \(UInt64.max)\r\n"
            + "X-Forwarded-For: \(joined), 9.9.9.9\r\nX-Forwarded-Proto: a-rather-long-scheme-name\r\n"
            + "X-Forwarded-Host: \(host)\r\n\r\n")
    }

    @Test("request: framing fields come from the framing argument")
    func requestFraming() throws {
        let head = try request("POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        var options = ForwardingOptions()
        options.forwardedFor = .off
        options.forwardedProto = false
        options.forwardedHost = false
        #expect(upstreamHead(head, options: options) == "POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(upstreamHead(head, framing: .contentLength(10), options: options)
            == "POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n")
        #expect(upstreamHead(head, framing: BodyFraming.none, options: options) == "POST /u HTTP/1.1\r\nHost: a\r\n\r\n")
        let empty = try request("POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
        #expect(upstreamHead(empty, options: options) == "POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
        let absolute = try request("OPTIONS http://b HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(upstreamHead(absolute, options: options) == "OPTIONS * HTTP/1.1\r\nHost: b\r\n\r\n")
    }

    private func client(_ head: ResponseHead, framing: BodyFraming? = nil, keepAlive: Bool = true,
                        clientVersion: HTTPVersion = .http11) -> String {
        var out: [UInt8] = []
        MessageSerializer.writeResponseHead(head, framing: framing ?? head.framing, keepAlive: keepAlive,
                                            clientVersion: clientVersion, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test("response: hop-by-hop dropped, framing rewritten")
    func responseHopByHop() throws {
        let head = try response("HTTP/1.1 200 OK\r\nServer: x\r\nConnection: X-Hop\r\nX-Hop: 1\r\n"
            + "Transfer-Encoding: chunked\r\nKeep-Alive: t\r\nContent-Type: text/plain\r\n\r\n")
        #expect(client(head) == "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(client(head, framing: .contentLength(12), keepAlive: false)
            == "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Type: text/plain\r\nContent-Length: 12\r\nConnection: close\r\n\r\n")
    }

    @Test("response: an HTTP/1.0 client is told keep-alive explicitly")
    func responseHTTP10() throws {
        let head = try response("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
        #expect(client(head, keepAlive: true, clientVersion: .http10)
            == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n")
        #expect(client(head, keepAlive: false, clientVersion: .http10)
            == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n")
    }

    @Test("response: empty reason gets the standard phrase; until-close writes no framing")
    func responseReason() throws {
        let head = try response("HTTP/1.1 404\r\nX: y\r\n\r\n")
        #expect(head.framing == .untilClose)
        #expect(client(head, keepAlive: false) == "HTTP/1.1 404 Not Found\r\nX: y\r\nConnection: close\r\n\r\n")
        let odd = try response("HTTP/1.1 200 Fine Thanks\r\nContent-Length: 0\r\n\r\n")
        #expect(client(odd) == "HTTP/1.1 200 Fine Thanks\r\nContent-Length: 0\r\n\r\n")
    }

    @Test("response: bodiless responses keep the representation's length, except 1xx and 204")
    func responseBodiless() throws {
        let headReply = try response("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", method: .head)
        #expect(client(headReply) == "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n")
        let notModified = try response("HTTP/1.1 304 Not Modified\r\nETag: \"e\"\r\nContent-Length: 99\r\n\r\n")
        #expect(client(notModified) == "HTTP/1.1 304 Not Modified\r\nETag: \"e\"\r\nContent-Length: 99\r\n\r\n")
        let noContent = try response("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n")
        #expect(client(noContent) == "HTTP/1.1 204 No Content\r\n\r\n")
        let interim = try #require(replayResponse([bytes("HTTP/1.1 103 Early Hints\r\nLink: </s>\r\n\r\n")]).responseHeads.first)
        #expect(client(interim, keepAlive: false) == "HTTP/1.1 103 Early Hints\r\nLink: </s>\r\n\r\n")
    }

    @Test("local responses")
    func local() {
        var out: [UInt8] = []
        MessageSerializer.writeLocalResponse(status: 403, body: bytes("blocked\n"), contentType: "text/plain",
                                             keepAlive: false, extraFields: [(name: bytes("X-Rule"), value: bytes("1001"))],
                                             into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 8\r\nX-Rule: 1001\r\nConnection: close\r\n\r\nblocked\n")
        out = []
        MessageSerializer.writeLocalResponse(status: 429, body: [], contentType: "", keepAlive: true,
                                             extraFields: [(name: bytes("Retry-After"), value: bytes("30"))], into: &out)
        #expect(String(decoding: out, as: UTF8.self)
            == "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\nRetry-After: 30\r\n\r\n")
        out = []
        MessageSerializer.writeLocalResponse(status: 100, body: [], contentType: "text/plain", keepAlive: false,
                                             extraFields: [], into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "HTTP/1.1 100 Continue\r\n\r\n")
        out = []
        MessageSerializer.writeContinue(into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "HTTP/1.1 100 Continue\r\n\r\n")
    }

    @Test("every status the proxy sends itself has a reason phrase",
          arguments: [100, 200, 204, 400, 403, 404, 405, 408, 413, 414, 417, 429, 431, 500, 501, 502, 503, 504, 505])
    func reasonPhrases(_ status: Int) {
        #expect(ReasonPhrase.of(status).utf8CodeUnitCount > 0)
    }

    @Test("chunked encoder")
    func chunkedEncoder() {
        var out: [UInt8] = []
        ChunkedEncoder.writeChunkHeader(size: 300, into: &out)
        out += bytes("x")
        ChunkedEncoder.writeChunkEnd(into: &out)
        ChunkedEncoder.writeLastChunk(into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "12c\r\nx\r\n0\r\n\r\n")
    }
}
