import Testing
import PortcullisHTTP
@testable import PortcullisEngine

private let second: UInt64 = 1_000_000_000

/// A rule set from YAML text, failing the test on errors.
private func ruleSet(_ yaml: String) throws -> CompiledRuleSet {
    try RuleSetLoader(wallClock: { .zero }).load(yaml: yaml, sourcePath: "t.yaml")
}

/// `text` (an example request: a request line, optionally header lines) as seen from `client` at `now`.
private func view(_ text: String, client: String = "203.0.113.9", at now: UInt64) throws -> RequestView {
    let parsed = try ExampleRequest.parse(text).get()
    return RequestView(head: parsed.head, clientAddress: Array(client.utf8), body: parsed.body, receivedAt: now)
}

/// The status each request gets (200 for allowed), in order.
private func statuses(_ set: CompiledRuleSet, _ requests: [(String, String, UInt64)]) throws -> [Int] {
    let inspector = Inspector(ruleSet: set)
    var scratch = EvaluationScratch()
    return try requests.map { text, client, now in
        let (verdict, _) = inspector.decide(try view(text, client: client, at: now), scratch: &scratch)
        if case .block(let response, _) = verdict { return response.status }
        return 200
    }
}

private let loginLimit = """
name: t
rules:
  - id: 10
    name: login
    action: block
    labels: [abuse:login]
    rate_limit:
      limit: 2
      window: 10s
      by: [client_ip]
      when: { equals: /login, in: path }
"""

@Test func limitedPathAnswers429WithRetryAfterAndOtherPathsAndClientsPass() throws {
    let set = try ruleSet(loginLimit)
    let inspector = Inspector(ruleSet: set)
    var scratch = EvaluationScratch()
    let t = 100 * second
    for _ in 0..<2 { #expect(inspector.decide(try view("GET /login", at: t), scratch: &scratch).0 == .allow) }
    let (verdict, state) = inspector.decide(try view("GET /login", at: t + second), scratch: &scratch)
    guard case .block(let response, let rule) = verdict else { Issue.record("not blocked: \(verdict)"); return }
    #expect(response.status == 429)
    #expect(rule == RuleID(10))
    // Allowed again at t + 5 s (one interval after the first): 4 s to wait.
    #expect(response.headers.map { String(decoding: $0.name + Array(": ".utf8) + $0.value, as: UTF8.self) }
        == ["Retry-After: 4"])
    #expect(state.rateLimits == [RateLimitOutcome(ruleID: RuleID(10), ruleName: "login", decision: .rejected,
                                                  enforced: true, key: "client_ip=203.0.113.9", count: 2, limit: 2,
                                                  windowNanoseconds: 10 * second, retryAfterSeconds: 4)])
    #expect(state.matches.map(\.ruleID) == [RuleID(10)])
    #expect(state.labels == [Label("abuse:login")])
    #expect(inspector.decide(try view("GET /other", at: t + second), scratch: &scratch).0 == .allow)
    #expect(inspector.decide(try view("GET /login", client: "198.51.100.7", at: t + second), scratch: &scratch).0 == .allow)
    #expect(inspector.decide(try view("GET /login", at: t + 5 * second), scratch: &scratch).0 == .allow)
}

struct KeyCase: Sendable, CustomTestStringConvertible {
    let name: String
    let by: String
    var fallback: String? = nil
    /// Requests (example text, client); the limit is 1, so a request is refused when an earlier
    /// one had the same key.
    let requests: [(String, String)]
    let expected: [Int]
    var testDescription: String { name }
}

let keyCases: [KeyCase] = [
    .init(name: "header key: each API key has its own counter", by: "[header:X-Api-Key]",
          requests: [("GET /\nX-Api-Key: a\n", "1.1.1.1"), ("GET /\nX-Api-Key: b\n", "1.1.1.1"),
                     ("GET /\nx-api-key: a\n", "2.2.2.2")],
          expected: [200, 200, 429]),
    .init(name: "a request without the key part is not counted", by: "[header:X-Api-Key]",
          requests: [("GET /", "1.1.1.1"), ("GET /", "1.1.1.1"), ("GET /\nX-Api-Key:\n", "1.1.1.1")],
          expected: [200, 200, 200]),
    .init(name: "fallback: requests without the part share one counter", by: "[header:X-Api-Key]", fallback: "anon",
          requests: [("GET /", "1.1.1.1"), ("GET /", "2.2.2.2"), ("GET /\nX-Api-Key: k\n", "1.1.1.1")],
          expected: [200, 429, 200]),
    .init(name: "cookie key", by: "[cookie:session]",
          requests: [("GET /\nCookie: session=s1\n", "1.1.1.1"), ("GET /\nCookie: session=s2\n", "1.1.1.1"),
                     ("GET /\nCookie: other=1; session=s1\n", "2.2.2.2")],
          expected: [200, 200, 429]),
    .init(name: "query argument key", by: "[query.arg:user]",
          requests: [("GET /?user=ann", "1.1.1.1"), ("GET /?user=bob", "1.1.1.1"), ("GET /x?user=ann", "2.2.2.2")],
          expected: [200, 200, 429]),
    .init(name: "client and path combined", by: "[client_ip, path]",
          requests: [("GET /a", "1.1.1.1"), ("GET /b", "1.1.1.1"), ("GET /a", "2.2.2.2"), ("GET /a?x=1", "1.1.1.1")],
          expected: [200, 200, 200, 429]),
    .init(name: "method key", by: "[method]",
          requests: [("GET /a", "1.1.1.1"), ("POST /a", "1.1.1.1"), ("GET /b", "2.2.2.2")],
          expected: [200, 200, 429]),
    .init(name: "no key: one counter for every matching request", by: "[]",
          requests: [("GET /a", "1.1.1.1"), ("GET /b", "2.2.2.2")],
          expected: [200, 429]),
    .init(name: "parts cannot be confused by moving bytes between them", by: "[query.arg:a, query.arg:b]",
          requests: [("GET /?a=xy&b=z", "1.1.1.1"), ("GET /?a=x&b=yz", "1.1.1.1")],
          expected: [200, 200]),
]

@Test("rate-limit keys", arguments: keyCases)
func rateLimitKeys(_ c: KeyCase) throws {
    let set = try ruleSet("""
    name: t
    rules:
      - id: 1
        name: k
        action: block
        rate_limit: { limit: 1, window: 1m, by: \(c.by)\(c.fallback.map { ", fallback: \($0)" } ?? "") }
    """)
    #expect(try statuses(set, c.requests.map { ($0.0, $0.1, 10 * second) }) == c.expected)
}

@Test func labelKeyCountsPerLabelOfTheNamespace() throws {
    let set = try ruleSet("""
    name: t
    rules:
      - { id: 1, name: gold, action: count, labels: [tier:gold], when: { equals: gold, in: header:X-Tier } }
      - { id: 2, name: free, action: count, labels: [tier:free], when: { not: { equals: gold, in: header:X-Tier } } }
      - id: 3
        name: per-tier
        action: block
        rate_limit: { limit: 1, window: 1m, by: [label:tier] }
    """)
    #expect(try statuses(set, [("GET /\nX-Tier: gold\n", "1.1.1.1", 0), ("GET /", "1.1.1.1", 0),
                                ("GET /\nX-Tier: gold\n", "2.2.2.2", 0)]) == [200, 200, 429])
}

// MARK: Trusted proxies

private let forwardedLimit = """
name: t
rate_limits: { trusted_proxies: [10.0.0.0/8] }
rules:
  - id: 1
    name: per-client
    action: block
    rate_limit: { limit: 1, window: 1m, by: [forwarded_ip] }
"""

struct ForwardedCase: Sendable, CustomTestStringConvertible {
    let name: String
    let peer: String
    let xff: [String]
    let client: String
    var testDescription: String { name }
}

let forwardedCases: [ForwardedCase] = [
    .init(name: "spoofed header from an untrusted peer changes nothing", peer: "203.0.113.9", xff: ["1.2.3.4"],
          client: "203.0.113.9"),
    .init(name: "trusted peer names the client", peer: "10.0.0.1", xff: ["198.51.100.7"], client: "198.51.100.7"),
    .init(name: "trusted hops are skipped from the right", peer: "10.0.0.1", xff: ["198.51.100.7, 10.1.1.1, 10.2.2.2"],
          client: "198.51.100.7"),
    .init(name: "a client cannot prepend a fake address", peer: "10.0.0.1", xff: ["6.6.6.6, 198.51.100.7"],
          client: "198.51.100.7"),
    .init(name: "several header fields read as one list", peer: "10.0.0.1", xff: ["6.6.6.6", "198.51.100.7, 10.3.3.3"],
          client: "198.51.100.7"),
    .init(name: "trusted peer without the header is the client", peer: "10.0.0.1", xff: [], client: "10.0.0.1"),
    .init(name: "garbage ends the walk at the last trusted hop", peer: "10.0.0.1", xff: ["198.51.100.7, junk, 10.9.9.9"],
          client: "10.9.9.9"),
    .init(name: "IPv6 is written canonically", peer: "10.0.0.1", xff: ["2001:DB8:0:0::1"],
          client: "2001:db8:0:0:0:0:0:1"),
]

@Test("forwarded_ip and trusted proxies", arguments: forwardedCases)
func forwardedClient(_ c: ForwardedCase) throws {
    let set = try ruleSet(forwardedLimit)
    let text = "GET /\n" + c.xff.map { "X-Forwarded-For: \($0)\n" }.joined()
    let request = try view(text, client: c.peer, at: 0)
    let address = ForwardedClient.address(peer: request.clientAddress, request: request, settings: set.rateLimitSettings)
    #expect(String(decoding: address, as: UTF8.self) == c.client)
}

@Test func spoofedForwardedForFromAnUntrustedPeerDoesNotDodgeTheLimit() throws {
    let set = try ruleSet(forwardedLimit)
    #expect(try statuses(set, [("GET /\nX-Forwarded-For: 1.1.1.1\n", "203.0.113.9", 0),
                                ("GET /\nX-Forwarded-For: 2.2.2.2\n", "203.0.113.9", 0),
                                ("GET /\nX-Forwarded-For: 1.1.1.1\n", "10.0.0.5", 0),
                                ("GET /\nX-Forwarded-For: 2.2.2.2\n", "10.0.0.5", 0),
                                ("GET /\nX-Forwarded-For: 2.2.2.2\n", "10.0.0.6", 0)]) == [200, 429, 200, 200, 429])
}

// MARK: Several limits, actions, modes

@Test func severalLimitsCommitOnlyWhenAllAllow() throws {
    let set = try ruleSet("""
    name: t
    rules:
      - id: 1
        name: per-client
        action: block
        rate_limit: { limit: 3, window: 1m, by: [client_ip] }
      - id: 2
        name: per-path
        action: block
        response: { status: 503, headers: { Retry-After: '120' } }
        rate_limit: { limit: 1, window: 1m, by: [path] }
    """)
    let inspector = Inspector(ruleSet: set)
    var scratch = EvaluationScratch()
    #expect(inspector.decide(try view("GET /a", at: 0), scratch: &scratch).0 == .allow)
    // /a is over its per-path limit: refused by rule 2 (its own response, its own Retry-After),
    // and the per-client limit is not charged.
    for _ in 0..<5 {
        let (verdict, state) = inspector.decide(try view("GET /a", at: 0), scratch: &scratch)
        guard case .block(let response, let rule) = verdict else { Issue.record("allowed"); return }
        #expect(rule == RuleID(2) && response.status == 503)
        #expect(response.headers.count == 1)
        #expect(state.rateLimits.map(\.decision) == [.notCommitted, .rejected])
    }
    #expect(inspector.decide(try view("GET /b", at: 0), scratch: &scratch).0 == .allow)
    #expect(inspector.decide(try view("GET /c", at: 0), scratch: &scratch).0 == .allow)
    let (verdict, state) = inspector.decide(try view("GET /d", at: 0), scratch: &scratch)
    guard case .block(let response, let rule) = verdict else { Issue.record("allowed"); return }
    #expect(rule == RuleID(1) && response.status == 429)
    #expect(state.rateLimits.map(\.decision) == [.rejected, .notCommitted])
    // /d was not counted: another client may still use it once.
    #expect(inspector.decide(try view("GET /d", client: "198.51.100.1", at: 0), scratch: &scratch).0 == .allow)
}

@Test func countActionAndDetectModeRecordTheRejectionAndLetTheRequestGo() throws {
    let counting = try ruleSet("""
    name: t
    rules:
      - { id: 1, name: watch, action: count, labels: [rate:over], rate_limit: { limit: 1, window: 1m } }
      - { id: 2, name: over, action: block, when: { label: rate:over } }
    """)
    // Labels of a rate-limit rule are attached when it rejects, at the end of the phase: a rule
    // of the same phase cannot see them (the loader warns), a body rule could.
    #expect(try statuses(counting, [("GET /", "1.1.1.1", 0), ("GET /", "1.1.1.1", 0)]) == [200, 200])
    let detect = try ruleSet("""
    name: t
    mode: detect
    rules:
      - { id: 1, name: limit, action: block, rate_limit: { limit: 1, window: 1m } }
    """)
    let inspector = Inspector(ruleSet: detect)
    var scratch = EvaluationScratch()
    _ = inspector.decide(try view("GET /", at: 0), scratch: &scratch)
    let (verdict, state) = inspector.decide(try view("GET /", at: 0), scratch: &scratch)
    #expect(verdict == .allow)
    #expect(state.matches.map(\.action) == ["block"])
    #expect(state.rateLimits.map(\.decision) == [.rejected])
    #expect(state.rateLimits.map(\.enforced) == [false])
}

@Test func rateLimitIsCheckedBeforeALaterAllowDecides() throws {
    let set = try ruleSet("""
    name: t
    rules:
      - { id: 1, name: limit, action: block, rate_limit: { limit: 1, window: 1m } }
      - { id: 2, name: static, action: allow, when: { starts_with: /static/, in: path } }
    """)
    #expect(try statuses(set, [("GET /static/a", "1.1.1.1", 0), ("GET /static/a", "1.1.1.1", 0)]) == [200, 429])
}

@Test func bodyPhaseRateLimitCountsWhatTheBodySays() throws {
    let set = try ruleSet("""
    name: t
    rules:
      - id: 1
        name: per-user-login
        action: block
        rate_limit: { limit: 1, window: 1m, by: [path], when: { equals: admin, in: body.arg:user } }
    """)
    #expect(set.bodyRules.count == 1)
    let admin = "POST /login\nContent-Type: application/x-www-form-urlencoded\n\nuser=admin"
    let other = "POST /login\nContent-Type: application/x-www-form-urlencoded\n\nuser=ann"
    #expect(try statuses(set, [(admin, "1.1.1.1", 0), (other, "1.1.1.1", 0), (admin, "2.2.2.2", 0)]) == [200, 200, 429])
}

// MARK: Reload

@Test func reloadKeepsCountersOfUnchangedLimitsOnly() throws {
    let old = try ruleSet("""
    name: t
    rules:
      - { id: 1, name: a, action: block, rate_limit: { limit: 1, window: 1m, when: { equals: /a, in: path } } }
      - { id: 2, name: b, action: block, rate_limit: { limit: 1, window: 1m, when: { equals: /b, in: path } } }
    """)
    #expect(try statuses(old, [("GET /a", "1.1.1.1", 0), ("GET /b", "1.1.1.1", 0)]) == [200, 200])
    // Rule 1 written differently (block style, quotes, key order) but meaning the same; rule 2's
    // limit changed.
    let fresh = try ruleSet("""
    name: t
    rules:
      - id: 1
        name: a-renamed
        action: block
        rate_limit:
          window: 1m
          limit: 1
          when:
            in: [path]
            equals: "/a"
      - { id: 2, name: b, action: block, rate_limit: { limit: 2, window: 1m, when: { equals: /b, in: path } } }
    """)
    let kept = fresh.keepingRateLimitState(of: old)
    #expect(kept.rateLimitRules[0].rateLimit?.store === old.rateLimitRules[0].rateLimit?.store)
    #expect(kept.rateLimitRules[1].rateLimit?.store !== old.rateLimitRules[1].rateLimit?.store)
    #expect(try statuses(kept, [("GET /a", "1.1.1.1", 0), ("GET /b", "1.1.1.1", 0), ("GET /b", "1.1.1.1", 0),
                                 ("GET /b", "1.1.1.1", 0)]) == [429, 200, 200, 429])
}

// MARK: Examples

@Test func rateLimitExamplesAreRepeatedUntilTheLimitTrips() throws {
    let report = RuleSetChecker(loader: RuleSetLoader(wallClock: { .zero })).check(yaml: """
    name: t
    rules:
      - { id: 1, name: other, action: block, when: { equals: /blocked, in: path } }
      - id: 2
        name: login
        action: block
        rate_limit: { limit: 3, window: 1m, burst: 1, when: { starts_with: /login, in: path } }
        examples:
          block: ['GET /login', 'GET /blocked', 'GET /elsewhere']
          allow: ['GET /home', 'GET /login']
    """, sourcePath: "t.yaml")
    #expect(report.examples.map(\.passed) == [true, false, false, true, false])
    #expect(report.failureLines == [
        "t.yaml:9: rule 2 (login): block example blocked before the limit: GET /blocked (request 1 of 5 was "
            + "blocked by rule 1 (other); expected 4 allowed, then this rule)",
        "t.yaml:9: rule 2 (login): block example never rate limited: GET /elsewhere (5 requests at one instant "
            + "were all allowed; expected the last one blocked by this rule (limit 4))",
        "t.yaml:10: rule 2 (login): allow example blocked: GET /login (request 5 of 5 sent at one instant was "
            + "blocked by rule 2 (login))",
    ])
}

@Test func aFloodOfClientAddressesThroughTheRulesStaysWithinMaxKeys() throws {
    let set = try ruleSet("""
    name: t
    rules:
      - { id: 1, name: per-client, action: block, rate_limit: { limit: 1, window: 1h, by: [client_ip], max_keys: 512 } }
    """)
    let inspector = Inspector(ruleSet: set)
    var scratch = EvaluationScratch()
    let parsed = try ExampleRequest.parse("GET /").get()
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<20_000 {
        let address = (0..<4).map { _ in String(UInt8.random(in: 0...255, using: &generator)) }.joined(separator: ".")
        let view = RequestView(head: parsed.head, clientAddress: Array(address.utf8), receivedAt: second)
        #expect(inspector.decide(view, scratch: &scratch).0 == .allow)
    }
    let store = try #require(set.rateLimitRules.first?.rateLimit?.store)
    #expect(store.capacity == 512)
    #expect(store.count == 512)
    // A client seen last is still counted; the oldest were forgotten.
    let last = RequestView(head: parsed.head, clientAddress: Array("203.0.113.77".utf8), receivedAt: second)
    #expect(inspector.decide(last, scratch: &scratch).0 == .allow)
    let again = RequestView(head: parsed.head, clientAddress: Array("203.0.113.77".utf8), receivedAt: second)
    guard case .block(let response, _) = inspector.decide(again, scratch: &scratch).0 else {
        Issue.record("second request of the newest client allowed"); return
    }
    #expect(response.status == 429)
    #expect(store.count == 512)
}
