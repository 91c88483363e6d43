import PortcullisHTTP
import Testing
@testable import PortcullisEngine

/// One event loop's scratch serves request after request: `Inspector.finish` hands the request's
/// cache tables to `EvaluationScratch` and the next request takes them (`exchangeTables`). What
/// one request found (values, summaries, the body pass's pieces and their unions) must not reach
/// the next: each decision is the one a fresh scratch gives.
@Suite struct CacheRecyclingTests {
    static let rules = """
          - id: 1
            name: word
            action: block
            when: { regex: 'attack', in: [body.args, body.arg_names], transforms: [url_decode, lowercase] }
          - id: 2
            name: agent
            action: block
            when: { regex: 'evilbot', in: header:User-Agent }
          - id: 3
            name: query
            action: block
            when: { regex: 'union\\s+select', in: query.args, transforms: [url_decode] }
        """

    static func request(_ target: String, agent: String, body: String?) throws -> RequestView {
        let head = "\(body == nil ? "GET" : "POST") \(target) HTTP/1.1\r\nHost: h\r\nUser-Agent: \(agent)\r\n"
        let raw = body.map {
            head + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \($0.utf8.count)\r\n\r\n\($0)"
        } ?? head + "\r\n"
        let (parsed, bytes) = try EvaluationCacheTests.parsed(raw)
        return RequestView(head: parsed, clientAddress: Array("192.0.2.1".utf8), body: bytes)
    }

    /// (target, user agent, body, deciding rule or nil), in the order one loop sees them: a body
    /// whose pass found a literal is followed by bodies that lack it, longer and shorter ones.
    static let sequence: [(String, String, String?, Int?)] = [
        ("/", "curl", "a=1&name=an+attack&z=2", 1),
        ("/", "curl", "a=1&name=peaceful&z=2", nil),
        ("/", "curl", "x=1", nil),
        ("/", "curl", "ATTACK=1", 1),
        ("/?q=union%20select", "curl", nil, 3),
        ("/?q=plain", "curl", "b=2", nil),
        ("/", "evilbot/1", "c=3", 2),
        ("/", "curl", "long=" + String(repeating: "abcdefgh", count: 64) + "&end=1", nil),
        ("/", "curl", "y=%61ttack", 1),
        ("/", "curl", "", nil),
    ]

    @Test func eachRequestIsDecidedAsWithAFreshScratch() throws {
        let set = try EvaluationCacheTests.set(Self.rules)
        let inspector = Inspector(ruleSet: set)
        var scratch = EvaluationScratch()
        // Twice round: the second pass starts from tables the first pass's last request left.
        for round in 0..<2 {
            for (index, (target, agent, body, deciding)) in Self.sequence.enumerated() {
                let view = try Self.request(target, agent: agent, body: body)
                let (verdict, state) = decideAgreeingWithTheFullWalk(inspector, view, scratch: &scratch,
                                                                     "round \(round) request \(index)")
                #expect(state.decidingRule.map { Int($0.value) } == deciding, "round \(round) request \(index)")
                if deciding == nil { #expect(verdict == .allow, "round \(round) request \(index)") }
                let spare = scratch.hasSpareCache
                #expect(spare, "the cache went back to the scratch")
            }
        }
    }
}
