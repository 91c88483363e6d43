import Glibc
import PortcullisHTTP
import PortcullisProxy
import Testing

/// Slow and idle clients meet their deadlines; time is a manual clock, advanced by the test.
@Suite struct ClientTimeoutTests {
    /// Sends `bytes`, then waits (bounded) until the proxy has read them, so that advancing the
    /// clock afterwards is ordered after the proxy saw the bytes.
    private func sendAndSettle(_ client: TestClient, _ text: String, proxy: ProxyHarness) throws {
        try client.send(text)
        // A GET on a second connection is answered only after the loop handled earlier events.
        let probe = try proxy.client()
        try probe.send("GET /probe HTTP/1.1\r\nHost: a\r\n\r\n")
        _ = probe.readResponse()
    }

    @Test func slowlorisHeadGets408() throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let clock = ManualTimeSource()
        let proxy = try ProxyHarness(upstreamPort: upstream.port, time: clock) { $0.clientHeaderTimeout = .seconds(10) }
        defer { proxy.stop() }
        let client = try proxy.client()
        try sendAndSettle(client, "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ", proxy: proxy)
        clock.advance(byNanoseconds: 9_000_000_000)
        proxy.server.sweepDeadlines()
        try sendAndSettle(client, "1\r\n", proxy: proxy)
        clock.advance(byNanoseconds: 2_000_000_000)
        proxy.server.sweepDeadlines()
        let response = try #require(client.readResponse())
        #expect(response.status == 408)
        #expect(client.waitForClose())
        #expect(upstream.recorded.requests.allSatisfy { $0.text($0.target) == "/probe" })
    }

    @Test func slowBodyGets408() throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let clock = ManualTimeSource()
        let proxy = try ProxyHarness(upstreamPort: upstream.port, time: clock) { $0.clientBodyTimeout = .seconds(5) }
        defer { proxy.stop() }
        let client = try proxy.client()
        try sendAndSettle(client, "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc", proxy: proxy)
        clock.advance(byNanoseconds: 6_000_000_000)
        proxy.server.sweepDeadlines()
        let response = try #require(client.readResponse())
        #expect(response.status == 408)
        #expect(client.waitForClose())
    }

    @Test func idleKeepAliveConnectionIsClosed() throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let clock = ManualTimeSource()
        let proxy = try ProxyHarness(upstreamPort: upstream.port, time: clock) { $0.keepAliveTimeout = .seconds(30) }
        defer { proxy.stop() }
        let client = try proxy.client()
        try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try #require(client.readResponse()).status == 200)
        clock.advance(byNanoseconds: 29_000_000_000)
        proxy.server.sweepDeadlines()
        try client.send("GET /still-open HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try #require(client.readResponse()).status == 200)
        clock.advance(byNanoseconds: 31_000_000_000)
        proxy.server.sweepDeadlines()
        #expect(client.waitForClose())
    }

    @Test func connectionsBeyondTheCapGet503WhileOthersAreServed() throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let proxy = try ProxyHarness(upstreamPort: upstream.port) { $0.maxConnections = 2 }
        defer { proxy.stop() }
        let first = try proxy.client()
        let second = try proxy.client()
        try first.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try #require(first.readResponse()).status == 200)
        try second.send("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try #require(second.readResponse()).status == 200)
        let third = try proxy.client()
        let refused = try #require(third.readResponse())
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") == "1")
        #expect(third.waitForClose())
        try first.send("GET /1b HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try #require(first.readResponse()).status == 200)
        #expect(upstream.recorded.requests.count == 3)
    }
}

/// A client that stops reading a large response is cut after the send timeout.
@Suite struct SlowReaderTests {
    @Test func clientThatStopsReadingIsCut() throws {
        let upstream = try ScriptedUpstream { peer in
            guard peer.readRequest() != nil else { return }
            let size = 64 << 20
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: \(size)\r\n\r\n")
            peer.write([UInt8](repeating: 120, count: size))
        }
        defer { upstream.stop() }
        let clock = ManualTimeSource()
        let proxy = try ProxyHarness(upstreamPort: upstream.port, time: clock) { $0.clientSendTimeout = .seconds(20) }
        defer { proxy.stop() }
        let client = try proxy.client()
        try client.send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n")
        // Wait (bounded by count) until the proxy's send to this client is blocked.
        var polls = 0
        while proxy.server.clientsWaitingToSend() == 0 && polls < 2000 {
            usleep(5_000)
            polls += 1
        }
        #expect(proxy.server.clientsWaitingToSend() == 1)
        clock.advance(byNanoseconds: 21_000_000_000)
        proxy.server.sweepDeadlines()
        #expect(proxy.server.clientConnectionCount() == 0)
        #expect(upstream.waitForConnectionEnd(), "the upstream transfer is aborted too")
    }
}
