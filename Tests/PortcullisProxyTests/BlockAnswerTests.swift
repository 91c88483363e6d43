import Glibc
import PortcullisEngine
import PortcullisHTTP
@testable import PortcullisProxy
import Testing

/// The bytes of a block answer: the default body naming the rule (or the default action), a
/// rule's own body and fields, the request id, and keep-alive after a bodiless request.
@Suite struct BlockAnswerTests {
    struct BodyCase: CustomTestStringConvertible, Sendable {
        var status: Int
        var rule: Int?
        var expected: String
        var testDescription: String { expected }
    }

    @Test("the default body, written over whatever the reused buffer held", arguments: [
        BodyCase(status: 403, rule: 1701, expected: "403 blocked by rule 1701\n"),
        BodyCase(status: 429, rule: 50, expected: "429 blocked by rule 50\n"),
        BodyCase(status: 403, rule: 0, expected: "403 blocked by rule 0\n"),
        BodyCase(status: 451, rule: -12, expected: "451 blocked by rule -12\n"),
        BodyCase(status: 403, rule: Int.max, expected: "403 blocked by rule \(Int.max)\n"),
        BodyCase(status: 403, rule: nil, expected: "403 blocked by the default action\n"),
    ])
    func defaultBody(_ c: BodyCase) {
        var buffer = Array("a longer body left by the previous block answer, to be replaced\n".utf8)
        BlockAnswerBody.write(status: c.status, rule: c.rule.map(RuleID.init), into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == c.expected)
        // The same text the proxy formatted with String interpolation before.
        let rule = c.rule.map(RuleID.init)
        #expect(buffer == Array("\(c.status) blocked by \(rule.map { "rule \($0)" } ?? "the default action")\n".utf8))
    }

    /// What the proxy sent before the cache: the whole answer formatted per request.
    private func formatted(_ response: BlockResponse, rule: RuleID?, head: Bool, keepAlive: Bool,
                           requestID: [UInt8]) -> [UInt8] {
        var body: [UInt8] = []
        if let own = response.body { body = own } else { BlockAnswerBody.write(status: response.status, rule: rule, into: &body) }
        var out: [UInt8] = []
        MessageSerializer.writeLocalResponse(status: response.status, body: head ? [] : body,
                                             contentType: "text/plain; charset=utf-8", keepAlive: keepAlive,
                                             extraFields: response.headers.map { (name: $0.name, value: $0.value) }
                                                 + [(name: Array("X-Request-Id".utf8), value: requestID)],
                                             into: &out)
        return out
    }

    @Test func theCacheSendsWhatFormattingEachAnswerSent() {
        let plain = BlockResponse()
        let own = BlockResponse(status: 451, body: Array("gone\n".utf8),
                                headers: [.init(name: Array("X-Blocked-By".utf8), value: Array("portcullis".utf8))])
        let noContent = BlockResponse(status: 204, body: nil, headers: [])
        let reloaded = BlockResponse(status: 403, body: Array("changed by a reload\n".utf8), headers: [])
        // Runs of the same rule (hits), other rules, HEAD, a reload changing rule 7's answer.
        let sequence: [(BlockResponse, Int?, Bool)] = [
            (plain, 1701, false), (plain, 1701, false), (plain, 1702, false), (own, 7, false), (own, 7, true),
            (own, 7, false), (plain, nil, false), (noContent, 3, false), (noContent, 3, true), (reloaded, 7, false),
            (plain, 1701, true), (plain, 1701, false),
        ]
        var cache = BlockAnswerCache()
        for (n, (response, rule, head)) in sequence.enumerated() {
            cache.prepare(response, rule: rule.map(RuleID.init), head: head)
            for keepAlive in [true, false] {
                let id = Array("0123456789abcdef-0-\(n)".utf8)
                var out = Array("bytes already queued|".utf8)
                cache.write(requestID: id, keepAlive: keepAlive, into: &out)
                let expected = Array("bytes already queued|".utf8)
                    + formatted(response, rule: rule.map(RuleID.init), head: head, keepAlive: keepAlive, requestID: id)
                #expect(String(decoding: out, as: UTF8.self) == String(decoding: expected, as: UTF8.self),
                        "step \(n): rule \(String(describing: rule)), head \(head), keep-alive \(keepAlive)")
            }
        }
    }

    static let rules = """
        name: answers
        default_action: block
        rules:
          - id: 1701
            name: plain
            action: block
            when: { starts_with: /plain, in: [path] }
          - id: 7
            name: own-answer
            action: block
            response: { status: 451, body: "gone\\n", headers: { X-Blocked-By: portcullis, Retry-After: "30" } }
            when: { starts_with: /own, in: [path] }
          - id: 9
            name: open
            action: allow
            when: { starts_with: /open, in: [path] }
        """

    /// The response expected for a block, with the request id the proxy gave it. A HEAD request
    /// is answered with no body and `Content-Length: 0`.
    private func expected(_ raw: [UInt8], status: String, body: String, fields: String = "",
                          head: Bool = false) throws -> String {
        let text = String(decoding: raw, as: UTF8.self)
        let idLine = try #require(text.split(separator: "\r\n").first { $0.hasPrefix("X-Request-Id: ") })
        let sent = head ? "" : body
        return "HTTP/1.1 \(status)\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: \(sent.utf8.count)\r\n\(fields)\(idLine)\r\n\r\n" + sent
    }

    @Test func blockAnswersOnOneKeepAliveConnection() throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let ruleSet = try RuleSetLoader().load(yaml: Self.rules, sourcePath: "answers.yaml")
        let proxy = try ProxyHarness(upstreamPort: upstream.port, ruleSet: ruleSet)
        defer { proxy.stop() }
        let client = try proxy.client()
        let exchanges: [(path: String, method: String, status: String, body: String, fields: String)] = [
            ("/plain/x", "GET", "403 Forbidden", "403 blocked by rule 1701\n", ""),
            ("/own", "GET", "451 Unavailable For Legal Reasons", "gone\n", "X-Blocked-By: portcullis\r\nRetry-After: 30\r\n"),
            ("/elsewhere", "GET", "403 Forbidden", "403 blocked by the default action\n", ""),
            ("/plain", "GET", "403 Forbidden", "403 blocked by rule 1701\n", ""),
            ("/plain", "HEAD", "403 Forbidden", "403 blocked by rule 1701\n", ""),
        ]
        for e in exchanges {
            try client.send("\(e.method) \(e.path) HTTP/1.1\r\nHost: a\r\n\r\n")
            let raw = try #require(client.readRawResponse(bodyless: e.method == "HEAD"), "\(e.method) \(e.path)")
            let want = try expected(raw, status: e.status, body: e.body, fields: e.fields, head: e.method == "HEAD")
            #expect(String(decoding: raw, as: UTF8.self) == want, "\(e.method) \(e.path)")
        }
        // Still open after five blocks: an allowed request goes through on the same connection.
        try client.send("GET /open HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try #require(client.readResponse()).status == 200)
    }

    /// A client that half-closes right after its requests (as `nc` does at the end of its input).
    struct HalfCloseCase: CustomTestStringConvertible, Sendable {
        var round: Int
        /// A second request, allowed, pipelined behind the blocked one: still under way (the
        /// upstream never answers) when the end of stream is read.
        var pipelined: Bool
        var testDescription: String { pipelined ? "blocked then forwarded, round \(round)" : "blocked, round \(round)" }
    }

    /// The answers already made reach a client that half-closed: its end of stream, often read in
    /// the same batch of events, must not drop an answer waiting for the batch's end
    /// (`DeferredFlushes`). A request still under way is abandoned, as for any client that went away.
    @Test(arguments: (0..<8).map { HalfCloseCase(round: $0, pipelined: false) }
        + (0..<2).map { HalfCloseCase(round: $0, pipelined: true) })
    func aHalfClosingClientGetsTheAnswersMadeForIt(_ c: HalfCloseCase) throws {
        let upstream = try ScriptedUpstream { peer in
            _ = peer.readRequest()
            _ = peer.waitForPeerClose()
        }
        defer { upstream.stop() }
        let ruleSet = try RuleSetLoader().load(yaml: Self.rules, sourcePath: "answers.yaml")
        let proxy = try ProxyHarness(upstreamPort: upstream.port, ruleSet: ruleSet)
        defer { proxy.stop() }
        let client = try proxy.client()
        try client.send("GET /plain/\(c.round) HTTP/1.1\r\nHost: a\r\n\r\n" + (c.pipelined ? "GET /open HTTP/1.1\r\nHost: a\r\n\r\n" : ""))
        client.closeWriting()
        let response = try #require(client.readResponse())
        #expect(response.status == 403)
        #expect(response.bodyText == "403 blocked by rule 1701\n")
        #expect(client.waitForClose())
        if !c.pipelined { #expect(upstream.recorded.connections == 0) }
    }

    /// An answer larger than the socket takes at once, then a half-close read right behind the
    /// request: the client reads the whole answer before the connection closes. Its end of stream
    /// sent what the kernel took and closed, so the rest was lost behind a FIN in the middle of
    /// the answer. Driven by hand on a socket pair whose send buffer is small, so the kernel's
    /// share does not depend on TCP's buffer tuning.
    @Test func aHalfClosingClientGetsAnAnswerTheSocketCouldNotYetTake() throws {
        let body = LargeAnswerRules.body
        let loop = LoopFixtures.loop()
        loop.inspector = Inspector(ruleSet: try LargeAnswerRules.load())
        let context = ProxyContext(ProxyConfiguration(
            listen: try SocketAddress.resolve("127.0.0.1:0", allowPortZero: true),
            upstream: try SocketAddress.resolve("http://127.0.0.1:9"), loops: 1))
        let (mine, peer) = try LoopFixtures.socketPair()
        defer { close(peer) }
        var sendBuffer: Int32 = 4096
        #expect(setsockopt(mine, SOL_SOCKET, SO_SNDBUF, &sendBuffer, socklen_t(MemoryLayout<Int32>.size)) == 0)
        let conn = ClientConnection(loop: loop, context: context, fd: mine, peer: Array("127.0.0.1".utf8), counted: false)
        #expect(loop.watcher.watch(mine, conn))
        loop.clientOpened()
        let request = Array("GET /large HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        #expect(request.withUnsafeBytes { write(peer, $0.baseAddress, $0.count) } == request.count)
        #expect(shutdown(peer, Int32(SHUT_WR)) == 0)
        conn.handleEvent(EpollBits.input | EpollBits.readHangUp)
        // Read what arrived and let the connection send more, until it closes (bounded).
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        for _ in 0..<10_000 {
            let n = chunk.withUnsafeMutableBytes { recv(peer, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n == 0 { break }
            if n > 0 { received += chunk[0..<n] }
            conn.handleEvent(EpollBits.output)
        }
        let text = String(decoding: received, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 403 Forbidden\r\n"))
        #expect(received.count >= body.count && received.suffix(body.count).elementsEqual(body),
                "\(received.count) bytes received")
        #expect(text.contains("Content-Length: \(body.count)\r\n"))
        #expect(loop.clientCount == 0, "closed once the answer was sent")
    }
}
