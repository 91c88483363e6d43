import Dispatch
import PortcullisEngine
import PortcullisHTTP
import Testing

/// Bytes a client needs before its exchange ends: the `100 Continue` it waits for before sending
/// a body, and the start of a response that the upstream sends in parts. Held in the client's
/// send buffer with nothing to flush them, they only left with a later write (the final response,
/// 128 KiB of body), so the client and the proxy waited for each other.
@Suite struct EarlyBytesTests {
    /// Body rules or not: with them, the body is held for inspection and no upstream is involved
    /// yet when the `100 Continue` is due.
    @Test(arguments: [false, true])
    func aClientWaitingForContinueGetsItBeforeSendingItsBody(bodyRules: Bool) throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let rules = bodyRules ? try BodyRules.evilMarker(inspectLimit: "1KiB", oversize: "match") : nil
        let proxy = try ProxyHarness(upstreamPort: upstream.port, ruleSet: rules)
        defer { proxy.stop() }
        let client = try proxy.client()
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
        let interim = client.readRawResponse(bodyless: true).map { String(decoding: $0, as: UTF8.self) }
        #expect(interim == "HTTP/1.1 100 Continue\r\n\r\n")
        try client.send("abc")
        let response = try #require(client.readResponse())
        #expect(response.bodyText == "abc")
    }

    /// The upstream sends a response head and part of its body, then waits until the client has
    /// them before sending the rest: Content-Length and chunked (re-chunked) bodies.
    @Test(arguments: ["Content-Length: 10", "Transfer-Encoding: chunked"])
    func theStartOfAResponseReachesTheClientBeforeItsEnd(framing: String) throws {
        let chunked = framing.hasPrefix("Transfer")
        let clientHasStart = DispatchSemaphore(value: 0)
        let upstream = try ScriptedUpstream { peer in
            guard peer.readRequest() != nil else { return }
            peer.write("HTTP/1.1 200 OK\r\n\(framing)\r\n\r\n" + (chunked ? "5\r\nfirst\r\n" : "first"))
            // Longer than the client's receive timeout: the test signals as soon as its wait ends.
            guard clientHasStart.wait(timeout: .now() + .seconds(30)) == .success else { return }
            peer.write(chunked ? "4\r\nthen\r\n0\r\n\r\n" : "and_t")
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(upstreamPort: upstream.port)
        defer { proxy.stop() }
        let client = try proxy.client()
        try client.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
        let gotStart = client.waitForBytes(containing: "first")
        clientHasStart.signal()
        #expect(gotStart, "the first body bytes did not arrive before the rest was sent")
        let response = try #require(client.readResponse())
        #expect(response.bodyText == (chunked ? "firstthen" : "firstand_t"))
    }
}
