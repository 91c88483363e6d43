import PortcullisHTTP
import Testing

/// Small writes wait for the end of the loop's batch of events (`DeferredFlushes`): none may be
/// lost, reordered or left unsent, whether the batch holds many connections' requests or one
/// connection's pipelined requests with a large response between small ones.
@Suite struct DeferredFlushTests {
    /// Every client sends before any reads, so the proxy finds several requests in one batch.
    @Test func requestsOfManyConnectionsInOneBatchAllGetTheirResponses() throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let proxy = try ProxyHarness(upstreamPort: upstream.port)
        defer { proxy.stop() }
        let clients = try (0..<24).map { _ in try proxy.client() }
        for round in 0..<3 {
            for (i, client) in clients.enumerated() {
                try client.send("GET /c\(i)r\(round) HTTP/1.1\r\nHost: a\r\n\r\n")
            }
            for (i, client) in clients.enumerated() {
                let response = try #require(client.readResponse())
                #expect(response.status == 200)
                #expect(response.bodyText.hasPrefix("GET /c\(i)r\(round)\n"), "client \(i), round \(round)")
            }
        }
        #expect(upstream.recorded.requests.count == 72)
    }

    /// A response over the deferral limit is sent at once, the small ones around it at the
    /// batch's end: the client still reads them in order and whole.
    @Test func pipelinedSmallAndLargeResponsesKeepTheirOrder() throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let proxy = try ProxyHarness(upstreamPort: upstream.port)
        defer { proxy.stop() }
        let client = try proxy.client()
        let large = (0..<40_000).map { UInt8(97 + $0 % 26) }
        var wire = Array("GET /first HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        wire += Array("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: \(large.count)\r\n\r\n".utf8) + large
        wire += Array("GET /third HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        wire += Array("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nend".utf8)
        try client.send(wire)
        #expect(try #require(client.readResponse()).bodyText.hasPrefix("GET /first\n"))
        expectSameBytes(try #require(client.readResponse()).body, large)
        #expect(try #require(client.readResponse()).bodyText.hasPrefix("GET /third\n"))
        #expect(try #require(client.readResponse()).bodyText == "end")
    }
}
