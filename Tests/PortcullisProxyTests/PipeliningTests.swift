import Dispatch
import Glibc
import PortcullisEngine
import Testing

/// Pipelined requests are answered in the order they were sent, however their answers are made.
@Suite struct PipeliningTests {
    /// Requests 2 and 3 wait behind a forwarded request 1 (held by the proxy), request 4 is still
    /// in the socket. When request 1's response ends, the held requests are answered on the spot
    /// (blocked); the answer to 2 resumed input, and its read loop read and answered 4 before 3.
    @Test func heldRequestsAreAnsweredBeforeOnesStillInTheSocket() throws {
        let answer = DispatchSemaphore(value: 0)
        let upstream = try ScriptedUpstream { peer in
            guard peer.readRequest() != nil else { return }
            guard answer.wait(timeout: .now() + 30) == .success else { return }
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nopen")
        }
        defer { upstream.stop() }
        let ruleSet = try RuleSetLoader().load(yaml: BlockAnswerTests.rules, sourcePath: "answers.yaml")
        let proxy = try ProxyHarness(upstreamPort: upstream.port, ruleSet: ruleSet)
        defer { proxy.stop() }
        let client = try proxy.client()
        try client.send("GET /open HTTP/1.1\r\nHost: a\r\n\r\nGET /plain HTTP/1.1\r\nHost: a\r\n\r\n"
            + "GET /own HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(upstream.waitForRequest())
        try client.send("GET /elsewhere HTTP/1.1\r\nHost: a\r\n\r\n")
        // A request on another connection is answered only after the loop handled the bytes
        // sent before it: request 4 has been seen (and left in the socket) by then.
        let probe = try proxy.client()
        try probe.send("GET /plain/probe HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(probe.readResponse()?.status == 403)
        answer.signal()
        var answers: [String] = []
        for _ in 0..<4 {
            guard let response = client.readResponse() else { break }
            answers.append("\(response.status) \(response.bodyText)")
        }
        #expect(answers == ["200 open", "403 403 blocked by rule 1701\n", "451 gone\n",
                            "403 403 blocked by the default action\n"])
    }
}

/// A client that pipelines requests without reading their answers: the proxy stops reading
/// requests while more than the high-water mark waits to be sent to it, as it does for forwarded
/// responses, and goes on once the client reads.
@Suite struct PipelinedOutputBoundTests {
    @Test func answersWaitingForAClientThatDoesNotReadAreBounded() throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let body = LargeAnswerRules.body
        let ruleSet = try LargeAnswerRules.load()
        let proxy = try ProxyHarness(upstreamPort: upstream.port, ruleSet: ruleSet)
        defer { proxy.stop() }
        let client = try proxy.client()
        // What may be answered while the client reads nothing: what the kernel holds (the proxy's
        // send buffer grows up to tcp_wmem's maximum, 4 MiB by default; the client's receive
        // buffer does not grow while it reads nothing), the proxy's high-water mark (128 KiB,
        // `ProxyContext.highWater`), with a quarter more and a few answers to spare (66 answers
        // against 68 here). Twice as many requests are sent (256 at least: 16 MiB of answers for
        // 9 KB of requests), so a proxy that answers all it reads fails.
        let held = (Self.kernelSendBufferMaximum() + Self.receiveBuffer(client.fd) + 128 * 1024) / body.count
        let bound = held * 5 / 4 + 4
        let count = max(256, 2 * bound)
        try client.send(Array(repeating: "GET /large HTTP/1.1\r\nHost: a\r\n\r\n", count: count).joined())
        // Wait (bounded by count) until the proxy's sends to the client are blocked.
        var polls = 0
        while proxy.server.clientsWaitingToSend() == 0 && polls < 2000 {
            usleep(5_000)
            polls += 1
        }
        #expect(proxy.server.clientsWaitingToSend() == 1)
        let text = String(decoding: proxy.server.scrapeMetrics(), as: UTF8.self)
        let answered = try MetricsEndpointTests.Scrape(text)[#"portcullis_requests_total{verdict="block",status_class="4xx"}"#]
        #expect(answered <= Double(bound), "\(Int(answered)) answers made for a client that reads none (bound \(bound))")
        var read = 0
        while read < count, let response = client.readResponse() {
            guard response.status == 403, response.body.count == body.count else { break }
            read += 1
        }
        #expect(read == count)
    }

    /// tcp_wmem's third field: the most a TCP send buffer grows to (4 MiB when unreadable).
    private static func kernelSendBufferMaximum() -> Int {
        let fd = open("/proc/sys/net/ipv4/tcp_wmem", O_RDONLY)
        guard fd >= 0 else { return 4 << 20 }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 128)
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        let fields = String(decoding: bytes.prefix(max(n, 0)), as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        return fields.count == 3 ? Int(fields[2]) ?? 4 << 20 : 4 << 20
    }

    /// The socket's receive buffer as the kernel reports it.
    private static func receiveBuffer(_ fd: Int32) -> Int {
        var size: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, &length) == 0 ? Int(size) : 0
    }
}
