import PortcullisEngine
import PortcullisHTTP
import Testing

/// Verdicts of a rule set that uses every operator family, over attacks in evasion forms and
/// ordinary requests; each request is also parsed byte by byte and in seeded random splits, and
/// the verdict and matched rules must not change. For a firewall this is an evasion test.
@Suite struct EngineVerdictSplitTests {
    static let rules = """
        name: split-test
        default_action: allow
        rules:
          - id: 1
            name: sqli
            action: block
            labels: [attack:sqli]
            when:
              regex: '\\bunion\\b[\\s\\S]{0,100}?\\bselect\\b'
              in: [query.args, body.args, cookies]
              transforms: [url_decode, replace_comments, lowercase, compress_whitespace]
          - id: 2
            name: traversal
            action: block
            when:
              contains: /etc/passwd
              in: [uri]
              transforms: [url_decode, normalize_path]
          - id: 3
            name: scanners
            action: block
            when:
              phrases: [sqlmap, nikto, masscan]
              in: [header:User-Agent]
              case_insensitive: true
          - id: 4
            name: xss-in-json
            action: block
            when:
              regex: '<script|javascript:|\\bon\\w+\\s*='
              in: [body.json]
              transforms: [js_decode, html_entity_decode, lowercase]
          - id: 5
            name: count-long-args
            action: count
            labels: [suspicious:long]
            when: { size: { gt: 200 }, in: [query.args] }
          - id: 6
            name: long-and-quoted
            action: block
            when:
              all:
                - label: "suspicious:"
                - contains: "'"
                  in: [query.args]
          - id: 7
            name: partner-allow
            priority: -1
            action: allow
            when: { ip_in: [198.51.100.0/24], in: [client_ip] }
          - id: 8
            name: method-allowlist
            action: block
            when:
              not: { regex: '^(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$', in: [method] }
          - id: 9
            name: password-field-excluded
            action: block
            when:
              contains: "drop table"
              in: [body.args]
              except: [body.arg:password]
              transforms: [url_decode, lowercase]
        """

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let raw: String
        /// nil = allowed; otherwise the rule that must block it.
        let blockedBy: Int?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "plain union select", raw: "GET /s?q=1%20UNION%20SELECT%20pw HTTP/1.1\r\nHost: a\r\n\r\n", blockedBy: 1),
        Case(name: "comment-split union select", raw: "GET /s?q=1%20UN/**/ION/**/SEL/**/ECT%201 HTTP/1.1\r\nHost: a\r\n\r\n", blockedBy: nil),
        Case(name: "union/**/select with comments as separators", raw: "GET /s?q=1/**/union/**/select/**/1 HTTP/1.1\r\nHost: a\r\n\r\n", blockedBy: 1),
        Case(name: "double-encoded union select in a cookie", raw: "GET / HTTP/1.1\r\nHost: a\r\nCookie: s=abc; t=1%20union%0a%20select%20x\r\n\r\n", blockedBy: 1),
        Case(name: "mixed case in a form body", raw: "POST /f HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 23\r\n\r\nq=1+UnIoN++aLL+SeLeCt+1", blockedBy: 1),
        Case(name: "chunked form body", raw: "POST /f HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nq=union\r\n9\r\n+select+1\r\n0\r\n\r\n", blockedBy: 1),
        Case(name: "union station is fine", raw: "GET /s?q=union+station+to+selection HTTP/1.1\r\nHost: a\r\n\r\n", blockedBy: nil),
        Case(name: "encoded traversal", raw: "GET /static/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", blockedBy: 2),
        Case(name: "dot-segment traversal with doubled slashes", raw: "GET /a/b/..//../etc//passwd HTTP/1.1\r\nHost: a\r\n\r\n", blockedBy: 2),
        Case(name: "scanner user agent, mixed case", raw: "GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: Mozilla/5.0 SQLMap/1.7\r\n\r\n", blockedBy: 3),
        Case(name: "script in JSON with unicode escapes", raw: "POST /api HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 44\r\n\r\n{\"c\":{\"t\":[\"ok\",\"\\u003cscript>alert(1)\"]}}  ", blockedBy: 4),
        Case(name: "ordinary JSON", raw: "PUT /api/1 HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 38\r\n\r\n{\"name\":\"O'Brien\",\"note\":\"select one\"}", blockedBy: nil),
        Case(name: "long quoted argument: count label then block", raw: "GET /s?q=" + String(repeating: "a", count: 210) + "%27 HTTP/1.1\r\nHost: a\r\n\r\n", blockedBy: 6),
        Case(name: "long argument without quote only counts", raw: "GET /s?q=" + String(repeating: "b", count: 210) + " HTTP/1.1\r\nHost: a\r\n\r\n", blockedBy: nil),
        Case(name: "disallowed method", raw: "TRACE / HTTP/1.1\r\nHost: a\r\n\r\n", blockedBy: 8),
        Case(name: "excluded password field", raw: "POST /login HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 32\r\n\r\nuser=bob&password=drop+table+xyz", blockedBy: nil),
        Case(name: "same text in another field", raw: "POST /login HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 29\r\n\r\nuser=drop+table+x&password=ok", blockedBy: 9),
    ]

    /// Parses `bytes` fed in the given pieces and evaluates the request.
    static func verdict(_ bytes: [UInt8], pieces: [Range<Int>], client: String, set: CompiledRuleSet)
        -> (Int?, [Int])? {
        var parser = RequestParser()
        var head: RequestHead?
        var body: [UInt8] = []
        var complete = false
        outer: for piece in pieces {
            var offset = piece.lowerBound
            while true {
                let (used, event) = bytes[offset..<piece.upperBound].withUnsafeBytes { parser.next($0) }
                let start = offset
                offset += used
                switch event {
                case .needMore: continue outer
                case .head(let h): head = h
                case .body(let r): body.append(contentsOf: bytes[(start + r.lowerBound)..<(start + r.upperBound)])
                case .end: complete = true; break outer
                case .reject: return nil
                }
            }
        }
        guard complete, let head else { return nil }
        let view = RequestView(head: head, clientAddress: Array(client.utf8), body: body)
        var scratch = EvaluationScratch()
        let (verdict, state) = Inspector(ruleSet: set).decide(view, scratch: &scratch)
        let blockedBy: Int?
        switch verdict {
        case .allow: blockedBy = nil
        case .block(_, let rule): blockedBy = rule?.value ?? 0
        }
        return (blockedBy, state.matches.map(\.ruleID.value))
    }

    static func splits(of count: Int, seed: UInt64) -> [Range<Int>] {
        var state = seed
        var cuts: [Range<Int>] = []
        var at = 0
        while at < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            let len = Int((z ^ (z >> 31)) % 17) + 1
            cuts.append(at..<min(count, at + len))
            at += len
        }
        return cuts
    }

    @Test(arguments: cases)
    func verdictHoldsAndDoesNotDependOnSplits(_ c: Case) throws {
        let set = try RuleSetLoader().load(yaml: Self.rules, sourcePath: "split-test")
        let bytes = Array(c.raw.utf8)
        let whole = try #require(Self.verdict(bytes, pieces: [0..<bytes.count], client: "192.0.2.1", set: set))
        #expect(whole.0 == c.blockedBy, "\(c.name): blocked by \(String(describing: whole.0)), matches \(whole.1)")
        let byteByByte = Self.verdict(bytes, pieces: bytes.indices.map { $0..<($0 + 1) }, client: "192.0.2.1", set: set)
        #expect(byteByByte?.0 == whole.0 && byteByByte?.1 == whole.1)
        for seed in [1, 2, 3, 42, 1234] as [UInt64] {
            let split = Self.verdict(bytes, pieces: Self.splits(of: bytes.count, seed: seed), client: "192.0.2.1", set: set)
            #expect(split?.0 == whole.0 && split?.1 == whole.1, "seed \(seed)")
        }
    }

    @Test func allowListedClientSkipsTheBlockingRules() throws {
        let set = try RuleSetLoader().load(yaml: Self.rules, sourcePath: "split-test")
        let bytes = Array("GET /s?q=1%20UNION%20SELECT%20pw HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        let result = try #require(Self.verdict(bytes, pieces: [0..<bytes.count], client: "198.51.100.7", set: set))
        #expect(result.0 == nil)
        #expect(result.1 == [7])
    }

    @Test func tableIsNotEmpty() { #expect(Self.cases.count > 10) }
}
