import Glibc
import PortcullisHTTP
import PortcullisProxy
import Testing

/// What clients get when the upstream refuses, stalls, closes or resets.
@Suite struct UpstreamFailureTests {
    @Test func refusedUpstreamGets502AtOnce() throws {
        let proxy = try ProxyHarness(upstreamPort: ScriptedUpstream.closedPort())
        defer { proxy.stop() }
        let client = try proxy.client()
        try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        let response = try #require(client.readResponse())
        #expect(response.status == 502)
        #expect(response.bodyText.contains("cannot connect"))
        // The request was complete, so the client connection stays usable.
        try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try #require(client.readResponse()).status == 502)
    }

    @Test func silentUpstreamGets504WhenTheClockPassesTheTimeout() throws {
        let upstream = try ScriptedUpstream { peer in
            _ = peer.readRequest()
            _ = peer.waitForPeerClose()
        }
        defer { upstream.stop() }
        let clock = ManualTimeSource()
        let proxy = try ProxyHarness(upstreamPort: upstream.port, time: clock) { $0.upstreamTimeout = .seconds(30) }
        defer { proxy.stop() }
        let client = try proxy.client()
        try client.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(upstream.waitForRequest())
        clock.advance(byNanoseconds: 29_000_000_000)
        proxy.server.sweepDeadlines()
        clock.advance(byNanoseconds: 2_000_000_000)
        proxy.server.sweepDeadlines()
        let response = try #require(client.readResponse())
        #expect(response.status == 504)
        // The stalled upstream connection was cut, not returned to the pool.
        #expect(upstream.waitForConnectionEnd())
    }

    @Test func upstreamClosingBeforeAResponseGets502() throws {
        let upstream = try ScriptedUpstream { peer in
            _ = peer.readRequest()
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(upstreamPort: upstream.port)
        defer { proxy.stop() }
        let client = try proxy.client()
        try client.send("POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nab")
        let response = try #require(client.readResponse())
        #expect(response.status == 502)
        // Not idempotent: never retried.
        #expect(upstream.recorded.connections == 1)
    }

    @Test func resetMidResponseCutsTheClientConnection() throws {
        let upstream = try ScriptedUpstream { peer in
            guard peer.readRequest() != nil else { return }
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            peer.write([UInt8](repeating: 120, count: 1000))
            peer.reset()
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(upstreamPort: upstream.port)
        defer { proxy.stop() }
        let client = try proxy.client()
        try client.send("GET /partial HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(client.readResponse() == nil, "a truncated response must never look complete")
        #expect(client.closedByPeer)
    }

    @Test func truncatedChunkedResponseIsNeverCompleted() throws {
        let upstream = try ScriptedUpstream { peer in
            guard peer.readRequest() != nil else { return }
            peer.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(upstreamPort: upstream.port)
        defer { proxy.stop() }
        let client = try proxy.client()
        try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(client.readResponse() == nil)
    }

    @Test func staleKeepAliveConnectionIsRetriedForIdempotentRequestsOnly() throws {
        // Each upstream connection answers one request, then closes without telling.
        let upstream = try ScriptedUpstream { peer in
            guard peer.readRequest() != nil else { return }
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            _ = peer.readRequest()
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(upstreamPort: upstream.port)
        defer { proxy.stop() }
        let client = try proxy.client()
        try client.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try #require(client.readResponse()).status == 200)
        try client.send("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try #require(client.readResponse()).status == 200)
        #expect(upstream.recorded.connections == 2)
    }

    @Test func clientGoingAwayAbortsTheUpstreamRequest() throws {
        let upstream = try ScriptedUpstream { peer in
            _ = peer.readRequest()
            _ = peer.waitForPeerClose()
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(upstreamPort: upstream.port)
        defer { proxy.stop() }
        do {
            let client = try proxy.client()
            try client.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(upstream.waitForRequest())
        }
        #expect(upstream.waitForConnectionEnd(), "the upstream connection should be closed when the client leaves")
        #expect(proxy.server.upstreamConnectionCount() == 0)
    }
}
