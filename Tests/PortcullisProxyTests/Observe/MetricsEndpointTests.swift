import Glibc
import Logging
import PortcullisEngine
@testable import PortcullisProxy
import Testing

/// `GET /metrics` on the admin listener, scraped and parsed after known traffic.
@Suite struct MetricsEndpointTests {
    /// One scrape: `name{labels}` → value, and the families' TYPE lines.
    struct Scrape {
        var samples: [String: Double] = [:]
        var types: [String: String] = [:]

        init(_ text: String) throws {
            for line in text.split(separator: "\n") {
                if line.hasPrefix("# TYPE ") {
                    let parts = line.split(separator: " ")
                    types[String(parts[2])] = String(parts[3])
                    continue
                }
                if line.hasPrefix("#") { continue }
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                    throw TestError("not a sample line: \(line)")
                }
                samples[String(line[..<space])] = value
            }
        }

        subscript(_ key: String) -> Double { samples[key] ?? 0 }
    }

    private func scrape(_ admin: UInt16) throws -> Scrape {
        let client = try TestClient(port: admin)
        try client.send("GET /metrics HTTP/1.1\r\nHost: admin\r\n\r\n")
        let response = try #require(client.readResponse())
        #expect(response.status == 200)
        #expect(response.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        return try Scrape(response.bodyText)
    }

    @Test func countersMoveWithKnownTraffic() throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let rules = try RuleReloadTests.RulesFile(RuleReloadTests.blockAdmin)
        let source = RuleSource.file(rules.path)
        let initial = try source.load()
        let proxy = try ProxyHarness(upstreamPort: upstream.port, loops: 2, ruleSet: initial)
        defer { proxy.stop() }
        let reloader = RuleReloader(source: source, initial: initial, server: proxy.server, logger: Logger(label: "test"))
        let admin = try LocalHTTPServer(address: try SocketAddress.resolve("127.0.0.1:0", allowPortZero: true),
                                        name: "admin", logger: Logger(label: "test")) { AdminEndpoint.handle($0, reloader: reloader) }

        let before = try scrape(admin.port)
        #expect(before.types["portcullis_requests_total"] == "counter")
        #expect(before.types["portcullis_inspection_duration_seconds"] == "histogram")
        #expect(before.types["portcullis_client_connections"] == "gauge")

        let client = try proxy.client()
        for i in 0..<3 {
            try client.send("GET /ok/\(i) HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try #require(client.readResponse()).status == 200)
        }
        for _ in 0..<2 {
            try client.send("GET /admin HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try #require(client.readResponse()).status == 403)
        }
        let after = try scrape(admin.port)
        #expect(after[#"portcullis_requests_total{verdict="allow",status_class="2xx"}"#] - before[#"portcullis_requests_total{verdict="allow",status_class="2xx"}"#] == 3)
        #expect(after[#"portcullis_requests_total{verdict="block",status_class="4xx"}"#] == 2)
        #expect(after[#"portcullis_rule_matches_total{rule="7",action="block"}"#] == 2)
        #expect(after["portcullis_inspection_duration_seconds_count"] == 5)
        #expect(after["portcullis_request_duration_seconds_count"] == 5)
        #expect(after[#"portcullis_inspection_duration_seconds_bucket{le="+Inf"}"#] == 5)
        #expect(after["portcullis_inspection_duration_seconds_sum"] > 0)
        #expect(after["portcullis_client_received_bytes_total"] > before["portcullis_client_received_bytes_total"])
        #expect(after["portcullis_client_sent_bytes_total"] > 0)
        #expect(after["portcullis_client_connections"] == 1, "the keep-alive client is still open")
        #expect(after["portcullis_upstream_connections"] >= 1)
        let setLabel = after.samples.keys.first { $0.hasPrefix("portcullis_rule_set_info{") }
        #expect(setLabel?.contains(#"name="guarded""#) == true)

        // A reload that works, one that fails, and the set's id follows the file.
        rules.write(RuleReloadTests.allowAll)
        #expect((try? reloader.reload().get()) != nil)
        rules.write("name: broken\nrules: [")
        #expect((try? reloader.reload().get()) == nil)
        let reloaded = try scrape(admin.port)
        #expect(reloaded[#"portcullis_rule_reloads_total{result="ok"}"#] == 1)
        #expect(reloaded[#"portcullis_rule_reloads_total{result="failed"}"#] == 1)
        let newLabel = reloaded.samples.keys.first { $0.hasPrefix("portcullis_rule_set_info{") }
        #expect(newLabel?.contains(#"name="open""#) == true)
        #expect(newLabel != setLabel)
        #expect(reloaded.samples.keys.filter { $0.hasPrefix("portcullis_rule_set_info{") }.count == 1, "only the set in force")
    }

    @Test func upstreamErrorsAreCountedByKind() throws {
        let proxy = try ProxyHarness(upstreamPort: ScriptedUpstream.closedPort())
        defer { proxy.stop() }
        let client = try proxy.client()
        try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try #require(client.readResponse()).status == 502)
        let scrape = try Scrape(String(decoding: proxy.server.scrapeMetrics(), as: UTF8.self))
        #expect(scrape[#"portcullis_upstream_errors_total{kind="refused"}"#] == 1)
        #expect(scrape[#"portcullis_upstream_errors_total{kind="timeout"}"#] == 0)
        #expect(scrape[#"portcullis_requests_total{verdict="allow",status_class="5xx"}"#] == 1)
    }

    @Test func histogramsAreWrittenFromCumulativeBuckets() throws {
        var buckets = LatencyBuckets()
        for ns: UInt64 in [5_000, 10_000, 30_000, 2_000_000_000, 20_000_000_000] { buckets.record(ns) }
        var out: [UInt8] = []
        HistogramText.append(name: "t_seconds", help: "test", buckets, to: &out)
        let scrape = try Scrape(String(decoding: out, as: UTF8.self))
        #expect(scrape.types["t_seconds"] == "histogram")
        #expect(scrape.samples[#"t_seconds_bucket{le="0.00001"}"#] == 2, "a value on a bound is in that bucket")
        #expect(scrape.samples[#"t_seconds_bucket{le="0.000025"}"#] == 2)
        #expect(scrape.samples[#"t_seconds_bucket{le="0.00005"}"#] == 3)
        #expect(scrape.samples[#"t_seconds_bucket{le="2.5"}"#] == 4)
        #expect(scrape.samples[#"t_seconds_bucket{le="10.0"}"#] == 4)
        #expect(scrape.samples[#"t_seconds_bucket{le="+Inf"}"#] == 5)
        #expect(scrape.samples["t_seconds_count"] == 5)
        #expect(scrape.samples["t_seconds_sum"] == 22.000045)
    }

    @Test func anAdminAddressOffLoopbackIsTold() throws {
        #expect(try SocketAddress.resolve("127.0.0.1:9901").isLoopback)
        #expect(try SocketAddress.resolve("127.8.9.10:9901").isLoopback)
        #expect(try SocketAddress.resolve("[::1]:9901").isLoopback)
        #expect(try !SocketAddress.resolve("0.0.0.0:9901").isLoopback)
        #expect(try !SocketAddress.resolve("[::]:9901").isLoopback)
    }
}
