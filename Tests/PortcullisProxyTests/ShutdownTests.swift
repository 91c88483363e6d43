import Dispatch
import PortcullisHTTP
import PortcullisProxy
import Testing

/// Shutdown stops accepting, finishes what is in flight and closes idle connections.
@Suite struct ShutdownTests {
    @Test func inFlightRequestFinishesAndNewConnectionsAreRefused() throws {
        let release = DispatchSemaphore(value: 0)
        let upstream = try ScriptedUpstream { peer in
            guard peer.readRequest() != nil else { return }
            _ = release.wait(timeout: .now() + 10)
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone")
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(upstreamPort: upstream.port)
        let busy = try proxy.client()
        let idle = try proxy.client()
        try busy.send("GET /work HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(upstream.waitForRequest())
        proxy.server.shutdown(grace: .seconds(10))
        #expect(idle.waitForClose(), "an idle keep-alive connection closes at once")
        #expect(throws: TestError.self) { _ = try proxy.client() }
        release.signal()
        let response = try #require(busy.readResponse())
        #expect(response.bodyText == "done")
        #expect(response.header("Connection") == "close")
        proxy.server.waitUntilStopped()
    }
}
