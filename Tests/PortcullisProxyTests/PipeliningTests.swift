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
        // 16 MiB of answers for 9 KB of requests; a loopback connection buffers about 4 MiB.
        let count = 256
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
        #expect(answered < Double(count / 2), "\(Int(answered)) answers made for a client that reads none")
        var read = 0
        while read < count, let response = client.readResponse() {
            guard response.status == 403, response.body.count == body.count else { break }
            read += 1
        }
        #expect(read == count)
    }
}
