import Dispatch
import Foundation
import Glibc
import Logging
import PortcullisEngine
import PortcullisHTTP
@testable import PortcullisProxy
import Testing

/// The block log through the real proxy: one JSON object per line for every blocked request and
/// every count match, with redaction, truncation and request ids; the writer's drop counter and
/// reopen.
@Suite struct BlockLogTests {
    static let rules = """
        name: observed
        default_action: allow
        rules:
          - id: 10
            name: no-admin
            action: block
            labels: [area:admin]
            when: { starts_with: /admin, in: [path] }
          - id: 20
            name: count-session-cookie
            action: count
            labels: [signal:session]
            when: { regex: '.', in: [cookies] }
          - id: 21
            name: count-authorization
            action: count
            when: { regex: '.', in: ['header:authorization'] }
          - id: 40
            name: login-burst
            action: block
            labels: [abuse:login]
            rate_limit:
              limit: 2
              window: 1m
              by: [client_ip]
              when: { equals: /login, in: path }
          - id: 30
            name: sqli-union
            action: block
            labels: [attack:sqli]
            when:
              regex: 'union\\s+select'
              in: [query.args]
              transforms: [url_decode, lowercase]
        """

    private func start(sink: MemorySink, format: BlockLogFormat = BlockLogFormat(),
                       time: TimeSource = SystemTimeSource()) throws -> (ProxyHarness, ScriptedUpstream, BlockLogWriter) {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        let writer = BlockLogWriter(sink: sink, format: format, capacity: 64, logger: Logger(label: "test"))
        let set = try RuleSetLoader().load(yaml: Self.rules, sourcePath: "observed.yaml")
        var config = ProxyConfiguration(listen: try SocketAddress.resolve("127.0.0.1:0", allowPortZero: true),
                                        upstream: try SocketAddress.resolve("http://127.0.0.1:\(upstream.port)"), loops: 1)
        config.shutdownGrace = .seconds(2)
        let server = ProxyServer(configuration: config, ruleSet: set, time: time, logger: Logger(label: "test"), blockLog: writer)
        let port = try server.start()
        return (ProxyHarness(server: server, port: port), upstream, writer)
    }

    @Test func blockedAndCountedRequestsAreLoggedWithTheirFields() throws {
        let sink = MemorySink()
        let (proxy, upstream, writer) = try start(sink: sink)
        defer { proxy.stop(); upstream.stop(); writer.stop() }
        let client = try proxy.client()
        try client.send("GET /admin/x?y=1 HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: tester/1.0\r\n\r\n")
        let blocked = try #require(client.readResponse())
        #expect(blocked.status == 403)
        let blockedID = try #require(blocked.header("X-Request-Id"))
        try client.send("GET /search?q=1%20UNION%20SELECT%20pw HTTP/1.1\r\nHost: shop.example\r\n\r\n")
        #expect(try #require(client.readResponse()).status == 403)
        try client.send("GET /cart HTTP/1.1\r\nHost: shop.example\r\nCookie: theme=dark\r\n\r\n")
        let counted = try #require(client.readResponse())
        #expect(counted.status == 200)
        try client.send("GET /plain HTTP/1.1\r\nHost: shop.example\r\n\r\n")
        #expect(try #require(client.readResponse()).status == 200)
        writer.flush()

        let lines = try sink.objects()
        #expect(lines.count == 3, "two blocks and one count; the plain request is not logged")
        let first = try #require(lines.first)
        #expect(first["request_id"] as? String == blockedID)
        #expect(first["client"] as? String == "127.0.0.1")
        #expect(first["method"] as? String == "GET")
        #expect(first["path"] as? String == "/admin/x", "the query is not logged with the path")
        #expect(first["http_version"] as? String == "HTTP/1.1")
        #expect(first["host"] as? String == "shop.example")
        #expect(first["user_agent"] as? String == "tester/1.0")
        #expect(first["verdict"] as? String == "block")
        #expect(first["status"] as? Int == 403)
        #expect(first["rule"] as? Int == 10)
        #expect(first["rule_set"] as? String == "observed")
        #expect((first["inspection_us"] as? Double).map { $0 >= 0 } == true)
        let time = try #require(first["time"] as? String)
        #expect(time.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil, "\(time)")
        let match = try #require((first["matches"] as? [[String: Any]])?.first)
        #expect(match["id"] as? Int == 10)
        #expect(match["name"] as? String == "no-admin")
        #expect(match["action"] as? String == "block")
        #expect(match["labels"] as? [String] == ["area:admin"])
        #expect(match["target"] as? String == "path")
        #expect(match["value"] as? String == "/admin")
        #expect(match["offset"] as? Int == 0)

        let sqli = try #require((lines[1]["matches"] as? [[String: Any]])?.first)
        #expect(sqli["target"] as? String == "query.arg:q")
        #expect(sqli["value"] as? String == "union select")
        #expect(sqli["offset"] as? Int == 2, "offset within the transformed value")

        #expect(lines[2]["verdict"] as? String == "allow")
        #expect(lines[2]["status"] as? Int == 200, "a counted request is logged with the upstream's status")
        #expect(lines[2]["rule"] is NSNull)
        let countMatch = try #require((lines[2]["matches"] as? [[String: Any]])?.first)
        #expect(countMatch["action"] as? String == "count")
        #expect(countMatch["target"] as? String == "cookie:theme")
        #expect(countMatch["value"] as? String == "d")
        #expect(writer.counts.written == 3)
    }

    @Test func aRateLimitedRequestIsLoggedWithItsKeyAndCounts() throws {
        let sink = MemorySink()
        // A manual clock: the limit's window does not move while the test runs.
        let (proxy, upstream, writer) = try start(sink: sink, time: ManualTimeSource())
        defer { proxy.stop(); upstream.stop(); writer.stop() }
        let client = try proxy.client()
        var statuses: [Int] = []
        for _ in 0..<3 {
            try client.send("GET /login HTTP/1.1\r\nHost: a\r\n\r\n")
            statuses.append(try #require(client.readResponse()).status)
        }
        #expect(statuses == [200, 200, 429])
        writer.flush()
        let lines = try sink.objects()
        #expect(lines.count == 1, "requests within the limit are not logged")
        let line = try #require(lines.first)
        #expect(line["verdict"] as? String == "rate_limit")
        #expect(line["status"] as? Int == 429)
        #expect(line["rule"] as? Int == 40)
        let limit = try #require((line["rate_limits"] as? [[String: Any]])?.first)
        #expect(limit["id"] as? Int == 40)
        #expect(limit["decision"] as? String == "rejected")
        #expect(limit["enforced"] as? Bool == true)
        #expect((limit["key"] as? String)?.contains("127.0.0.1") == true, "\(limit)")
        #expect(limit["count"] as? Int == 2, "the two counted; a refused request takes no slot")
        #expect(limit["limit"] as? Int == 2)
        #expect(limit["window_s"] as? Double == 60)
        #expect((limit["retry_after_s"] as? Int).map { $0 > 0 } == true)
        let match = try #require((line["matches"] as? [[String: Any]])?.first)
        #expect(match["id"] as? Int == 40)
        #expect(match["target"] as? String == "rate_limit")

        let scrape = try MetricsEndpointTests.Scrape(String(decoding: proxy.server.scrapeMetrics(), as: UTF8.self))
        #expect(scrape[#"portcullis_rate_limit_rejections_total{rule="40"}"#] == 1)
        #expect(scrape[#"portcullis_requests_total{verdict="rate_limit",status_class="4xx"}"#] == 1)
        #expect(scrape[#"portcullis_requests_total{verdict="allow",status_class="2xx"}"#] == 2)
    }

    @Test func redactedFieldsNeverReachTheLogAndLongValuesAreCut() throws {
        let sink = MemorySink()
        let format = BlockLogFormat(valueLimit: 16, redact: ["cookie:session", "header:authorization"])
        let (proxy, upstream, writer) = try start(sink: sink, format: format)
        defer { proxy.stop(); upstream.stop(); writer.stop() }
        let client = try proxy.client()
        try client.send("GET /account HTTP/1.1\r\nHost: a\r\nCookie: session=s3cr3t-token\r\nAuthorization: Bearer abcdef\r\n\r\n")
        #expect(try #require(client.readResponse()).status == 200)
        let long = String(repeating: "x", count: 40)
        try client.send("GET /admin/\(long) HTTP/1.1\r\nHost: a\r\nUser-Agent: \(long)\r\n\r\n")
        #expect(try #require(client.readResponse()).status == 403)
        writer.flush()

        #expect(!sink.text.contains("s3cr3t"), "a redacted cookie's value is never written")
        #expect(!sink.text.contains("Bearer"), "a redacted header's value is never written")
        let lines = try sink.objects()
        #expect(lines.count == 2)
        let matches = try #require(lines[0]["matches"] as? [[String: Any]])
        #expect(matches.map { $0["target"] as? String } == ["cookie:session", "header:authorization"])
        #expect(matches.allSatisfy { $0["value"] as? String == "[redacted]" })
        #expect(lines[1]["path"] as? String == "/admin/xxxxxxxxx...")
        #expect(lines[1]["user_agent"] as? String == "xxxxxxxxxxxxxxxx...")
    }

    @Test func inspectionTimeComesFromTheProxyClock() throws {
        let sink = MemorySink()
        // Every clock reading moves 1 ms, so one phase measures exactly 1000 µs; a deadline sweep
        // reading the clock in between could add another step, never a fraction.
        let (proxy, upstream, writer) = try start(sink: sink, time: SteppingTimeSource(step: 1_000_000))
        defer { proxy.stop(); upstream.stop(); writer.stop() }
        let client = try proxy.client()
        try client.send("GET /admin HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try #require(client.readResponse()).status == 403)
        writer.flush()
        let line = try #require(try sink.objects().first)
        let micros = try #require(line["inspection_us"] as? Double)
        #expect(micros == 1000 || micros == 2000, "\(micros)")
    }

    @Test func theRequestIDGoesUpstreamAndReplacesTheClients() throws {
        let sink = MemorySink()
        let (proxy, upstream, writer) = try start(sink: sink)
        defer { proxy.stop(); upstream.stop(); writer.stop() }
        let client = try proxy.client()
        try client.send("GET /who HTTP/1.1\r\nHost: a\r\nX-Request-Id: forged\r\n\r\n")
        let response = try #require(client.readResponse())
        let id = try #require(response.header("X-Request-Id"))
        #expect(id != "forged")
        #expect(id.range(of: #"^[0-9a-f]{16}-0-[0-9a-f]+$"#, options: .regularExpression) != nil, "\(id)")
        #expect(response.bodyText.contains("X-Request-Id: \(id)\n"), "the upstream saw the proxy's id")
        #expect(!response.bodyText.contains("forged"), "the client's id is not forwarded")
        try client.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n")
        let next = try #require(client.readResponse())
        #expect(next.header("X-Request-Id") != id, "each request has its own id")
        let bad = try proxy.client()
        try bad.send("GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n")
        let rejected = try #require(bad.readResponse())
        #expect(rejected.status == 400)
        #expect(rejected.header("X-Request-Id") != nil, "a local answer to a malformed request has an id too")
    }

    @Test func aWriterThatCannotKeepUpDropsAndCounts() throws {
        let sink = StalledSink()
        let writer = BlockLogWriter(sink: sink, capacity: 4, logger: Logger(label: "test"))
        let event = try Self.sampleEvent()
        #expect(writer.submit(event))
        #expect(sink.writing.wait(timeout: .now() + 10) == .success, "the thread took the first event")
        for _ in 0..<4 { #expect(writer.submit(event)) }
        for _ in 0..<3 { #expect(!writer.submit(event), "the queue is full") }
        #expect(writer.counts.dropped == 3)
        sink.release.signal()
        sink.release.signal()
        writer.flush()
        #expect(sink.written == 5)
        #expect(writer.counts == BlockLogWriter.Counts(written: 5, dropped: 3, failed: 0, reopens: 0))
        writer.stop()
    }

    @Test func eventsWrittenInOneBatchAreOneObjectPerLine() throws {
        var json = JSONWriter()
        let format = BlockLogFormat()
        let event = try Self.sampleEvent()
        for _ in 0..<3 { format.encode(event, into: &json) }
        let lines = String(decoding: json.bytes, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 3)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["request_id"] as? String == "id", "\(line)")
        }
    }

    @Test func reopenFollowsARenamedFile() throws {
        var template = Array("/tmp/portcullis-log-XXXXXX".utf8CString)
        let dir = String(cString: try #require(mkdtemp(&template)))
        let path = dir + "/blocks.log"
        let writer = BlockLogWriter(sink: try FileLogSink(path: path), capacity: 16, logger: Logger(label: "test"))
        let event = try Self.sampleEvent()
        writer.submit(event)
        writer.flush()
        #expect(rename(path, path + ".1") == 0)
        writer.submit(event)     // still the old descriptor: lands in the renamed file
        writer.flush()
        writer.reopen()
        writer.submit(event)
        writer.flush()
        writer.stop()
        let rotated = try String(contentsOfFile: path + ".1", encoding: .utf8)
        let fresh = try String(contentsOfFile: path, encoding: .utf8)
        #expect(rotated.split(separator: "\n").count == 2)
        #expect(fresh.split(separator: "\n").count == 1, "after reopen, lines go to a new file at the path")
        #expect(writer.counts.reopens == 1)
    }

    static func sampleEvent() throws -> BlockLogEvent {
        var parser = RequestParser()
        let bytes = Array("GET /x HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        let (_, event) = bytes.withUnsafeBytes { parser.next($0) }
        guard case .head(let head) = event else { throw TestError("no head") }
        return BlockLogEvent(time: 0, requestID: Array("id".utf8), client: Array("127.0.0.1".utf8), head: head,
                             verdict: .block, status: 403, decidingRule: RuleID(1), ruleSet: "t", matches: [],
                             inspectionNanoseconds: 1500)
    }
}
