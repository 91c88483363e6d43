import PortcullisEngine
import PortcullisHTTP
import Testing

/// `portcullis bench` as a library: request files in their three forms, the counts of a run
/// bounded by passes (no timing assertions), the per-rule table, and verdict differences
/// between two rule sets.
@Suite struct RuleSetBenchmarkTests {
    static let rulesA = """
        name: a
        default_action: allow
        rules:
          - id: 1
            name: no-traversal
            action: block
            when: { contains: "../", in: [path] }
          - id: 2
            name: count-search
            action: count
            when: { starts_with: /search, in: [path] }
          - id: 3
            name: catastrophic
            action: count
            when: { regex: '(a+)+$', in: [query.arg:x] }
        """
    static let rulesB = """
        name: b
        default_action: allow
        rules:
          - id: 1
            name: no-traversal
            action: block
            when: { contains: "../", in: [path] }
          - id: 9
            name: no-search-bots
            action: block
            response: { status: 429 }
            when: { contains: bot, in: [header:User-Agent], case_insensitive: true }
        """

    static let urls = """
        # five requests
        /
        /search?q=chairs
        /../../etc/passwd

        POST http://shop.test/login
        /search?x=\(String(repeating: "a", count: 30))b
        """

    static func load(_ yaml: String) throws -> CompiledRuleSet {
        try RuleSetLoader().load(yaml: yaml, sourcePath: "\(yaml.prefix(7)).yaml")
    }

    @Test func urlLinesWithCommentsBlanksAndMethods() throws {
        let requests = try BenchRequestFile.parse(Array(Self.urls.utf8))
        #expect(requests.count == 5)
        #expect(requests.map(\.label).first == "line 2: /")
        #expect(requests[3].label == "line 6: POST http://shop.test/login")
        #expect(requests[3].head.method == .post)
        #expect(requests[3].head.authority.map { Array(requests[3].head.storage[$0]) } == Array("shop.test".utf8))
    }

    @Test func rawRequestsSeparatedByHashes() throws {
        let file = "GET /a HTTP/1.1\nHost: x\n\n###\n# a comment\nPOST /login HTTP/1.1\r\nContent-Type: "
            + "application/x-www-form-urlencoded\r\n\r\nuser=a&pw=b\n###\n"
        let requests = try BenchRequestFile.parse(Array(file.utf8))
        #expect(requests.count == 2)
        #expect(requests[1].label == "line 6: POST /login HTTP/1.1")
        #expect(requests[1].body == Array("user=a&pw=b".utf8))
    }

    @Test func blockLogLinesAreReplayedFromTheFieldsTheyHave() throws {
        let log = """
            {"time":"2026-11-29T05:00:00.000Z","client":"203.0.113.9","method":"GET","path":"/etc/passwd","http_version":"HTTP/1.0","host":"a.test","user_agent":"sqlmap/1.7","verdict":"block","matches":[{"id":1,"target":"path"}]}
            {"method":"DELETE","path":"/items/7","host":null,"user_agent":null,"extra":{"x":1}}
            """
        let requests = try BenchRequestFile.parse(Array(log.utf8))
        #expect(requests.count == 2)
        #expect(requests[0].client == Array("203.0.113.9".utf8))
        #expect(requests[0].head.version == .http10)
        let view = RequestView(head: requests[0].head, clientAddress: requests[0].client)
        #expect(view.values(for: TargetSelector(kind: .header, name: Array("user-agent".utf8))).map { Array($0.value) }
            == [Array("sqlmap/1.7".utf8)])
        #expect(requests[1].head.method == .delete)
        #expect(requests[1].client == Array(ExampleRequest.clientAddress.utf8))
    }

    @Test(arguments: [("/\n/a b c\n", 2), ("{\"method\":\"GET\"}\n", 1), ("{\"path\":\"/\"}\n{oops\n", 2),
                      ("GET / HTTP/1.1\nHost: a\n###\nGET /x HTTP/9\n", 4), ("# only a comment\n", 1)])
    func badLinesAreRefusedWithTheirLine(_ file: String, _ line: Int) {
        #expect(throws: BenchRequestError.self) { try BenchRequestFile.parse(Array(file.utf8)) }
        do {
            _ = try BenchRequestFile.parse(Array(file.utf8))
        } catch {
            #expect(error.line == line)
        }
    }

    @Test func aRunBoundedByPassesCountsEveryEvaluationAndProfilesEachRule() throws {
        let requests = try BenchRequestFile.parse(Array(Self.urls.utf8))
        var bench = try RuleSetBenchmark(ruleSet: Self.load(Self.rulesA), requests: requests, threads: 2,
                                         duration: nil, passes: 3)
        bench.profilePasses = 2
        let report = bench.run()
        #expect(report.evaluations == 2 * 3 * 5)
        #expect(report.allowed == 4)
        #expect(report.blocked == 1)
        #expect(report.p50Nanoseconds > 0)
        #expect(report.p99Nanoseconds >= report.p50Nanoseconds)
        let byID = Dictionary(uniqueKeysWithValues: report.rules.map { ($0.id.value, $0) })
        // Rule 1 runs on all 5 requests; 2 and 3 on the 4 it does not block; twice each.
        #expect(byID[1]?.evaluations == 10)
        #expect(byID[1]?.matches == 2)
        #expect(byID[2]?.evaluations == 8)
        #expect(byID[2]?.matches == 4)
        #expect(byID[3]?.evaluations == 8)
        #expect(byID[3]?.limitHits == 2)
        let text = report.text(top: 3)
        #expect(text.contains("requests   5 in the file: 4 allowed, 1 blocked"))
        #expect(text.contains("30 evaluations on 2 threads"))
        #expect(text.contains("⚠ regex hit its match limit"))
    }

    @Test func aRunNeedsABound() throws {
        let requests = try BenchRequestFile.parse(Array("/\n".utf8))
        #expect(throws: BenchmarkSetupError.self) {
            try RuleSetBenchmark(ruleSet: Self.load(Self.rulesA), requests: requests, duration: nil, passes: nil)
        }
    }

    @Test func verdictDifferencesBetweenTwoRuleSets() throws {
        let file = Self.urls + "\n/search?q=x\n"
        var requests = try BenchRequestFile.parse(Array(file.utf8))
        // One request with a bot user agent: blocked by B's rule 9 only.
        let bot = try ExplainRequest.url("/search?q=chairs", headers: ["User-Agent: FriendlyBot/2"]).get()
        requests.append(BenchRequest(label: "bot", head: bot.head, body: bot.body, client: requests[0].client))
        let result = RuleSetComparison(try Self.load(Self.rulesA), try Self.load(Self.rulesB)).run(requests)
        #expect(result.requests == 7)
        #expect(result.differences == [
            RuleSetComparison.Difference(request: "bot", verdictA: "allow", verdictB: "block 429",
                                         decidedByA: "default action", decidedByB: "rule 9 (no-search-bots)"),
        ])
        #expect(result.sameVerdictOtherRule == 0)
        let text = result.text(nameA: "a", nameB: "b")
        #expect(text.contains("7 requests: 1 verdict differ"))
        #expect(text.contains("bot      allow  block 429  default action   rule 9 (no-search-bots)"))
        let same = RuleSetComparison(try Self.load(Self.rulesA), try Self.load(Self.rulesA)).run(requests)
        #expect(same.differences.isEmpty)
    }
}
