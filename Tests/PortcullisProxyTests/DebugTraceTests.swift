import PortcullisEngine
import PortcullisHTTP
@testable import PortcullisProxy
import Testing

/// The live `explain`: only the configured header with the configured secret turns a request
/// into its trace; otherwise the request is handled as always, and the debug header never
/// reaches the upstream.
@Suite struct DebugTraceTests {
    static let secret = "s3cret-for-tests-0123456789"
    static let rules = """
        name: live
        default_action: allow
        rules:
          - id: 7
            name: no-union
            action: block
            labels: [attack:sqli]
            when: { contains: "union select", in: [query.args, body.args], transforms: [lowercase] }
          - id: 8
            name: count-long-headers
            action: count
            when: { size: { gt: 20 }, in: [headers] }
        """

    static func proxy(_ upstream: ScriptedUpstream, debug: Bool = true) throws -> ProxyHarness {
        let set = try RuleSetLoader().load(yaml: rules, sourcePath: "live.yaml")
        return try ProxyHarness(upstreamPort: upstream.port, ruleSet: set) { config in
            if debug { config.debugTrace = try? DebugTraceConfiguration(header: "X-Portcullis-Debug", secret: secret) }
        }
    }

    @Test func theRightSecretAnswersWithTheTraceAndNothingGoesUpstream() throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let proxy = try Self.proxy(upstream)
        defer { proxy.stop() }
        let client = try proxy.client()
        try client.send("GET /s?q=UNION+SELECT HTTP/1.1\r\nHost: a\r\nX-Portcullis-Debug: \(Self.secret)\r\n\r\n")
        let response = try #require(client.readResponse())
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(response.bodyText.contains("rule 7 no-union [block] live.yaml:"))
        #expect(response.bodyText.contains("contains \"union select\": MATCH at 0 \"union select\""))
        #expect(response.bodyText.contains("decision  block (answered 403 by the firewall)"))
        #expect(!response.bodyText.contains(Self.secret))
        // Keep-alive goes on: an ordinary request on the same connection is forwarded.
        try client.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n")
        let next = try #require(client.readResponse())
        #expect(next.bodyText.hasPrefix("GET /next\n"))
        #expect(upstream.recorded.requests.count == 1)
    }

    @Test func jsonIsAskedForInTheHeaderValueAndTheBodyIsTraced() throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let proxy = try Self.proxy(upstream)
        defer { proxy.stop() }
        let client = try proxy.client()
        let body = "q=union+select+1"
        try client.send("POST /form HTTP/1.1\r\nHost: a\r\nx-portcullis-debug: \(Self.secret); json\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let response = try #require(client.readResponse())
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.bodyText.contains("\"body_bytes\": \(body.utf8.count)"))
        #expect(response.bodyText.contains("\"target\": \"body.arg:q\""))
        #expect(response.bodyText.contains("\"verdict\": \"block\""))
        #expect(upstream.recorded.requests.isEmpty)
    }

    @Test(arguments: [nil, "wrong-secret-0123456789abc", String(secret.dropLast()), secret + "x"])
    func withoutTheSecretNothingChangesAndTheHeaderIsNotForwarded(_ value: String?) throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let proxy = try Self.proxy(upstream)
        defer { proxy.stop() }
        let client = try proxy.client()
        let field = value.map { "X-Portcullis-Debug: \($0)\r\n" } ?? ""
        try client.send("GET /ok HTTP/1.1\r\nHost: a\r\n\(field)\r\n")
        let allowed = try #require(client.readResponse())
        #expect(allowed.status == 200)
        #expect(allowed.bodyText.hasPrefix("GET /ok\n"))
        #expect(!allowed.bodyText.lowercased().contains("x-portcullis-debug"))
        try client.send("GET /s?q=union+select HTTP/1.1\r\nHost: a\r\n\(field)\r\n")
        let blocked = try #require(client.readResponse())
        #expect(blocked.status == 403)
        #expect(!blocked.bodyText.contains("decision"))
    }

    @Test func notConfiguredMeansTheHeaderIsAnOrdinaryField() throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let proxy = try Self.proxy(upstream, debug: false)
        defer { proxy.stop() }
        let client = try proxy.client()
        try client.send("GET /ok HTTP/1.1\r\nHost: a\r\nX-Portcullis-Debug: \(Self.secret)\r\n\r\n")
        let response = try #require(client.readResponse())
        #expect(response.bodyText.hasPrefix("GET /ok\n"))
        #expect(response.bodyText.contains("X-Portcullis-Debug: \(Self.secret)\n"))
    }

    @Test(arguments: [("X-Debug", "short"), ("Bad Header", String(repeating: "a", count: 20)),
                      ("X-Debug", String(repeating: "a", count: 20) + ";json"),
                      ("X-Debug", String(repeating: "a", count: 20) + " b")])
    func weakOrMalformedSettingsAreRefused(_ header: String, _ secret: String) {
        #expect(throws: DebugTraceConfigurationError.self) {
            try DebugTraceConfiguration(header: header, secret: secret)
        }
    }

    @Test func constantTimeComparison() {
        let secret = Array("abcdefghijklmnop".utf8)
        #expect(DebugTrace.constantTimeEqual(secret[...], secret))
        #expect(!DebugTrace.constantTimeEqual(secret.dropLast(), secret))
        #expect(!DebugTrace.constantTimeEqual((secret + [0x71])[...], secret))
        #expect(!DebugTrace.constantTimeEqual(Array("abcdefghijklmnoP".utf8)[...], secret))
        #expect(!DebugTrace.constantTimeEqual([][...], secret))
    }
}
