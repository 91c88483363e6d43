import PortcullisEngine
import PortcullisHTTP
import Testing

/// The per-request cache of `EvaluationState` (slots of the set's evaluation plan): it must
/// never hand one rule set's values to another, and the body phase must see the body.
@Suite struct EvaluationCacheTests {
    static func set(_ rules: String) throws -> CompiledRuleSet {
        try RuleSetLoader().load(yaml: "name: t\ndefault_action: allow\nrules:\n" + rules, sourcePath: "t.yaml")
    }

    /// One complete request through the proxy's parser.
    static func parsed(_ raw: String) throws -> (RequestHead, [UInt8]) {
        var parser = RequestParser()
        var head: RequestHead?
        var body: [UInt8] = []
        let bytes = Array(raw.utf8)
        var offset = 0
        while true {
            let (used, event) = bytes[offset...].withUnsafeBytes { parser.next($0) }
            switch event {
            case .head(let h): head = h
            case .body(let range): body += bytes[(offset + range.lowerBound)..<(offset + range.upperBound)]
            case .end: return (try #require(head), body)
            case .needMore: try #require(offset + used < bytes.count, "incomplete request")
            case .reject(let error): Issue.record("rejected: \(error)"); throw CancellationError()
            }
            offset += used
        }
    }

    static func blockingRule(_ verdict: Verdict?) -> RuleID? {
        if case .block(_, let rule) = verdict { return rule }
        return nil
    }

    static let headerSet = """
          - id: 1
            name: header-probe
            action: count
            when: { regex: 'zzz', in: [query.args, headers, path], transforms: [lowercase] }
        """
    static let bodySet = """
          - id: 2
            name: word-in-path-or-form
            action: block
            when: { regex: 'hello', in: [path, body.args], transforms: [lowercase] }
          - id: 4
            name: body-attack
            action: block
            when: { regex: 'attack', in: [body.args], transforms: [url_decode, lowercase] }
        """

    /// A reload between the phases: the body phase runs another set (other slot numbers) with the
    /// state the header phase filled.
    @Test func anotherSetBetweenPhasesStartsTheCacheOver() throws {
        let first = Inspector(ruleSet: try Self.set(Self.headerSet))
        let second = Inspector(ruleSet: try Self.set(Self.bodySet))
        let (head, body) = try Self.parsed("POST /p?q=HELLO HTTP/1.1\r\nHost: a\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 13\r\n\r\nx=AN%20ATTACK")
        var scratch = EvaluationScratch()
        var state = EvaluationState()
        let headers = RequestView(head: head, clientAddress: Array("192.0.2.1".utf8))
        #expect(first.evaluate(.requestHeaders, request: headers, state: &state, scratch: &scratch) == nil)
        let full = RequestView(head: head, clientAddress: Array("192.0.2.1".utf8), body: body)
        let verdict = second.evaluate(.requestBody, request: full, state: &state, scratch: &scratch)
        // With the first set's values in the second set's slots, the path would read "hello".
        #expect(Self.blockingRule(verdict) == RuleID(4))
        #expect(state.matches.map(\.ruleID) == [RuleID(4)])
    }

    /// The body phase reads the body of the view it is given (the header phase had none).
    @Test func bodyPhaseReadsTheBodyItWasGiven() throws {
        let inspector = Inspector(ruleSet: try Self.set(Self.bodySet))
        let (head, body) = try Self.parsed("POST /p HTTP/1.1\r\nHost: a\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 8\r\n\r\nx=attack")
        var scratch = EvaluationScratch()
        var state = EvaluationState()
        let headers = RequestView(head: head, clientAddress: Array("192.0.2.1".utf8))
        #expect(inspector.evaluate(.requestHeaders, request: headers, state: &state, scratch: &scratch) == nil)
        let full = RequestView(head: head, clientAddress: Array("192.0.2.1".utf8), body: body)
        let verdict = inspector.evaluate(.requestBody, request: full, state: &state, scratch: &scratch)
        #expect(Self.blockingRule(verdict) == RuleID(4))
    }

    /// A second body phase on the same state reads the body of the view it is given, not the
    /// (absent) body the first one saw.
    @Test func secondBodyPhaseReadsItsOwnBody() throws {
        let inspector = Inspector(ruleSet: try Self.set(Self.bodySet))
        let (head, body) = try Self.parsed("POST /p HTTP/1.1\r\nHost: a\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 8\r\n\r\nx=attack")
        var scratch = EvaluationScratch()
        var state = EvaluationState()
        let bodiless = RequestView(head: head, clientAddress: Array("192.0.2.1".utf8))
        #expect(inspector.evaluate(.requestBody, request: bodiless, state: &state, scratch: &scratch) == nil)
        let full = RequestView(head: head, clientAddress: Array("192.0.2.1".utf8), body: body)
        let verdict = inspector.evaluate(.requestBody, request: full, state: &state, scratch: &scratch)
        #expect(Self.blockingRule(verdict) == RuleID(4))
    }

    /// A header-phase rule that reads the body (only a set built by hand has one): the body
    /// phase still forgets what the header phase read of it.
    @Test func bodyReadInTheHeaderPhaseIsForgotten() throws {
        let loaded = try Self.set(Self.bodySet)
        let rules = loaded.bodyRules.map { rule in
            var moved = rule
            if rule.id == RuleID(2) { moved.phase = .requestHeaders }
            return moved
        }
        let set = CompiledRuleSet(name: "t", sourcePath: "t.yaml", defaultAction: loaded.defaultAction,
                                  body: loaded.body, rules: rules, loadedAt: .zero, loadDuration: .zero)
        let inspector = Inspector(ruleSet: set)
        let (head, body) = try Self.parsed("POST /p HTTP/1.1\r\nHost: a\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 8\r\n\r\nx=attack")
        var scratch = EvaluationScratch()
        var state = EvaluationState()
        let bodiless = RequestView(head: head, clientAddress: Array("192.0.2.1".utf8))
        #expect(inspector.evaluate(.requestHeaders, request: bodiless, state: &state, scratch: &scratch) == nil)
        let full = RequestView(head: head, clientAddress: Array("192.0.2.1".utf8), body: body)
        let verdict = inspector.evaluate(.requestBody, request: full, state: &state, scratch: &scratch)
        #expect(Self.blockingRule(verdict) == RuleID(4))
    }
}
