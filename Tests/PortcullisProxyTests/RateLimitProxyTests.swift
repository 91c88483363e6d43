import Logging
import PortcullisEngine
import PortcullisProxy
import Testing

/// Rate limits through the real proxy, on two event loops sharing the counters, with a clock
/// that only moves when the test says so.
@Suite struct RateLimitProxyTests {
    static let limit = 5
    static func rules(limit: Int = RateLimitProxyTests.limit, layout: String = "flow") -> String {
        let when = layout == "flow" ? "when: { starts_with: /limited, in: path }"
            : "when:\n          in: [path]\n          starts_with: '/limited'"
        return """
        name: limited
        default_action: allow
        rules:
          - id: 50
            name: per-user
            action: block
            rate_limit:
              limit: \(limit)
              window: 10s
              by: [client_ip, header:X-User]
              \(when)
        """
    }

    private func get(_ client: TestClient, _ path: String, user: String) throws -> TestClient.Response {
        try client.send("GET \(path) HTTP/1.1\r\nHost: a\r\nX-User: \(user)\r\n\r\n")
        return try #require(client.readResponse())
    }

    private func forwarded(_ upstream: ScriptedUpstream, _ path: String) -> Int {
        upstream.recorded.requests.filter { $0.text($0.target) == path }.count
    }

    @Test func limitPlusFiveRequestsForwardExactlyTheLimit() throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let clock = ManualTimeSource()
        let set = try RuleSetLoader().load(yaml: Self.rules(), sourcePath: "rules.yaml")
        let proxy = try ProxyHarness(upstreamPort: upstream.port, time: clock, loops: 2, ruleSet: set)
        defer { proxy.stop() }

        // Two connections, likely on different loops: the counter is shared.
        let clients = [try proxy.client(), try proxy.client()]
        var statuses: [Int] = []
        var retryAfter: [String?] = []
        for i in 0..<(Self.limit + 5) {
            let response = try get(clients[i % 2], "/limited", user: "alice")
            statuses.append(response.status)
            if response.status == 429 { retryAfter.append(response.header("Retry-After")) }
        }
        #expect(statuses == Array(repeating: 200, count: Self.limit) + Array(repeating: 429, count: 5))
        // 10 s / 5 = one request every 2 s: at the same instant the next one is 2 s away.
        #expect(retryAfter == Array(repeating: "2", count: 5))
        #expect(forwarded(upstream, "/limited") == Self.limit)

        // Other paths and other keys are unaffected.
        #expect(try get(clients[0], "/other", user: "alice").status == 200)
        #expect(try get(clients[1], "/limited", user: "bob").status == 200)
        #expect(forwarded(upstream, "/limited") == Self.limit + 1)

        // Two seconds later exactly one more request of alice's passes.
        clock.advance(byNanoseconds: 1_999_999_999)
        #expect(try get(clients[0], "/limited", user: "alice").status == 429)
        clock.advance(byNanoseconds: 1)
        #expect(try get(clients[0], "/limited", user: "alice").status == 200)
        let again = try get(clients[1], "/limited", user: "alice")
        #expect(again.status == 429)
        #expect(again.header("Retry-After") == "2")
        #expect(again.bodyText == "429 blocked by rule 50\n")
        #expect(forwarded(upstream, "/limited") == Self.limit + 2)
    }

    @Test func reloadKeepsCountersOfAnUnchangedLimit() throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let clock = ManualTimeSource()
        let file = try RuleReloadTests.RulesFile(Self.rules())
        let source = RuleSource.file(file.path)
        let initial = try source.load()
        let proxy = try ProxyHarness(upstreamPort: upstream.port, time: clock, loops: 2, ruleSet: initial)
        defer { proxy.stop() }
        let reloader = RuleReloader(source: source, initial: initial, server: proxy.server, logger: Logger(label: "test"))
        let client = try proxy.client()
        for _ in 0..<Self.limit { #expect(try get(client, "/limited", user: "carol").status == 200) }
        #expect(try get(client, "/limited", user: "carol").status == 429)

        // The same limit written another way: still over the limit.
        file.write(Self.rules(layout: "block"))
        _ = try reloader.reload().get()
        #expect(try get(client, "/limited", user: "carol").status == 429)

        // A changed limit starts from zero.
        file.write(Self.rules(limit: Self.limit + 1))
        _ = try reloader.reload().get()
        for _ in 0..<(Self.limit + 1) { #expect(try get(client, "/limited", user: "carol").status == 200) }
        #expect(try get(client, "/limited", user: "carol").status == 429)
    }
}
