import PortcullisEngine
import PortcullisHTTP
import Testing

/// Content-Length bodies held back for body-phase rules: the verdict must not depend on how the
/// body was split across reads, an allowed body must reach the upstream byte for byte, and the
/// inspect limit must cut where the rule set says.
@Suite struct HeldBodyTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        /// Body length; the marker, when present, starts at `markerAt`.
        let length: Int
        let markerAt: Int?
        /// Offsets where the body is split into separate sends.
        let splits: [Int]
        let oversize: String
        let status: Int
        var testDescription: String { name }
    }

    static let limit = 1024
    static let marker = Array("evil-marker".utf8)

    static let cases: [Case] = [
        Case(name: "clean, one send", length: 900, markerAt: nil, splits: [], oversize: "match", status: 200),
        Case(name: "clean, three sends", length: 900, markerAt: nil, splits: [1, 450], oversize: "match", status: 200),
        Case(name: "marker, one send", length: 900, markerAt: 300, splits: [], oversize: "match", status: 403),
        Case(name: "marker split across sends", length: 900, markerAt: 300, splits: [304, 306], oversize: "match", status: 403),
        Case(name: "marker ending at the limit", length: 1024, markerAt: 1024 - 11, splits: [1020], oversize: "match", status: 403),
        Case(name: "over the limit, oversize match", length: 3000, markerAt: nil, splits: [1000, 2000], oversize: "match", status: 403),
        Case(name: "over the limit, oversize continue, marker past it", length: 3000, markerAt: 2000, splits: [1000, 1030],
             oversize: "continue", status: 200),
        Case(name: "over the limit, oversize continue, marker before it", length: 3000, markerAt: 1000, splits: [1005, 1030],
             oversize: "continue", status: 403),
    ]

    static func body(_ c: Case) -> [UInt8] {
        var body = (0..<c.length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
        if let at = c.markerAt { body.replaceSubrange(at..<(at + marker.count), with: marker) }
        return body
    }

    @Test(arguments: cases)
    func verdictAndForwardedBytesDoNotDependOnReads(_ c: Case) throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let rules = try BodyRules.evilMarker(inspectLimit: "\(Self.limit)", oversize: "\(c.oversize)")
        let proxy = try ProxyHarness(upstreamPort: upstream.port, ruleSet: rules)
        defer { proxy.stop() }
        let client = try proxy.client()
        let body = Self.body(c)
        // Twice on one connection: the second request is held and inspected afresh.
        for _ in 0..<2 {
            try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.count)\r\n\r\n")
            var start = 0
            for end in c.splits + [body.count] {
                try client.send(Array(body[start..<end]))
                start = end
            }
            let response = try #require(client.readResponse())
            #expect(response.status == c.status)
            if c.status == 200 { expectSameBytes(response.body, body) }
            if response.header("Connection") == "close" { break }
        }
    }
}
