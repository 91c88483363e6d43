import PortcullisEngine
import PortcullisHTTP
import Testing

/// Bytes a client needs before its exchange ends: the `100 Continue` it waits for before sending
/// a body. Held in the client's send buffer with nothing to flush it, it only left with a later
/// write, so the client and the proxy waited for each other.
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
}
