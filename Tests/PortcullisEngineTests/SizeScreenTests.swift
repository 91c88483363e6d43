import PortcullisHTTP
import Testing
@testable import PortcullisEngine

/// `size` checks with a lower bound decided in bulk (`SlotNumbering.screenSizeChecks`):
/// resolving a slot whose longest value reaches the floor adds the length bit to the request's
/// candidates, so a size check is ruled out without a walk only when none of its slots holds a
/// value that long.
/// Ruling out only skips work: verdicts and matches must be those of the unfiltered walk.
@Suite struct SizeScreenTests {
    /// `count` rules only (every rule runs, every match is recorded); the regexes make the
    /// argument, cookie and body slots summarized anyway, as the default rules' do.
    static let rules = """
          - { id: 1, name: r1, action: count, when: { regex: 'zq[0-9]', in: [query.args, query.arg_names, body.args, body.arg_names, cookie_names] } }
          - { id: 2, name: names, action: count, when: { size: { gt: 6 }, in: [query.arg_names, body.arg_names, cookie_names] } }
          - { id: 3, name: values, action: count, when: { size: { gt: 12 }, in: [query.args, body.args] } }
          - { id: 4, name: atLeast, action: count, when: { size: { ge: 20 }, in: [query.args] } }
          - { id: 5, name: shorter, action: count, when: { size: { lt: 2 }, in: [query.args] } }
        """

    static func set() throws -> CompiledRuleSet { try NeedleScreenTests.set(rules) }

    static func request(query: String, cookie: String? = nil, form: String? = nil) throws -> RequestView {
        var raw = (form == nil ? "GET" : "POST") + " /p\(query.isEmpty ? "" : "?" + query) HTTP/1.1\r\nHost: a\r\n"
        if let cookie { raw += "Cookie: \(cookie)\r\n" }
        if let form {
            raw += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\n\r\n" + form
        } else {
            raw += "\r\n"
        }
        let (head, body) = try EvaluationCacheTests.parsed(raw)
        return RequestView(head: head, clientAddress: [], body: body)
    }

    /// The rules that matched, screened and by the unfiltered walk (which must agree).
    static func matched(_ inspector: Inspector, _ request: RequestView) -> Set<RuleID> {
        var scratch = EvaluationScratch()
        let (_, plain) = inspector.decide(request, scratch: &scratch)
        var observer = NeedleScreenTests.Unfiltered()
        let (_, full) = inspector.decide(request, scratch: &scratch, observer: &observer)
        #expect(plain.matches == full.matches)
        return Set(plain.matches.map(\.ruleID))
    }

    @Test func sizeChecksOverSummarizedSlotsTakeTheLengthBit() throws {
        let set = try Self.set()
        let flat = set.plan.flat
        #expect(flat.lengthFloor == 7)
        for id in [2, 3, 4] {
            let info = NeedleScreenTests.check(set, rule: id)
            #expect(info.chainsMasked, "rule \(id)")
            // No screen bit of its own: a value's summary never holds the length bit, so each
            // value is still judged by its length alone.
            #expect(info.screenBit == -1, "rule \(id)")
            #expect(info.screenLow == 0 && info.screenHigh == SlotNumbering.lengthBit, "rule \(id)")
        }
        #expect(!NeedleScreenTests.check(set, rule: 5).chainsMasked)
        // The regex's own bit is not the length bit.
        let regex = NeedleScreenTests.check(set, rule: 1)
        #expect(regex.screenHigh & SlotNumbering.lengthBit == 0)
    }

    /// The default rules leave the screen's last bit free: their argument-name and
    /// argument-value size checks (1005, 1006) take it and are decided in bulk.
    @Test func defaultSizeChecksAreDecidedInBulk() throws {
        let set = try EmbeddedRules.load()
        #expect(set.plan.flat.lengthFloor == 257)
        for id in [1005, 1006] {
            let info = NeedleScreenTests.check(set, rule: id)
            #expect(info.chainsMasked && info.screenHigh == SlotNumbering.lengthBit, "rule \(id)")
        }
    }

    /// A short request is decided without the length bit among the candidates (the size checks
    /// ruled out in bulk) and matches none of them; a value one byte over a bound sets the bit
    /// and matches, in the query, a cookie name and a form.
    @Test func ruledOutOnlyWhereNoValueIsLongEnough() throws {
        let inspector = Inspector(ruleSet: try Self.set())
        func lengthBitAfterBodyPhase(_ request: RequestView) -> Bool {
            var state = EvaluationState()
            var scratch = EvaluationScratch()
            _ = inspector.evaluate(.requestHeaders, request: request, state: &state, scratch: &scratch)
            _ = inspector.evaluate(.requestBody, request: request, state: &state, scratch: &scratch)
            return state.cache.candidates.high & SlotNumbering.lengthBit != 0
        }
        let cases: [(query: String, cookie: String?, form: String?, bit: Bool, matched: Set<Int>)] = [
            ("abcdef=123456", nil, nil, false, []),                  // every value under the floor (7)
            ("abcdef=123456789012", nil, nil, true, []),             // both exactly at their bounds
            ("abcdefg=1", nil, nil, true, [2]),                      // a name one over
            ("a=1234567890123", nil, nil, true, [3]),                // a value one over
            ("a=12345678901234567890", nil, nil, true, [3, 4]),      // `ge` at its bound
            ("a=%41%41%41%41%41", nil, nil, false, []),              // decoded: 5 bytes, not 15
            ("a=1234567", nil, nil, true, []),                       // over the floor, under both bounds
            ("a=1", "abcdefg=1", nil, true, [2]),                    // a cookie name
            ("a=1", "abcdef=1", nil, false, []),
            ("", nil, "abcdefgh=1&b=2", true, [2]),                  // a form name
            ("", nil, "a=1234567890123", true, [3]),                 // a form value
            ("", nil, "a=1&b=2", false, []),
            ("", nil, nil, false, []),
        ]
        for c in cases {
            let request = try Self.request(query: c.query, cookie: c.cookie, form: c.form)
            #expect(lengthBitAfterBodyPhase(request) == c.bit, "\(c)")
            let sizeMatches = Self.matched(inspector, request).intersection([2, 3, 4].map { RuleID($0) })
            #expect(sizeMatches == Set(c.matched.map { RuleID($0) }), "\(c)")
        }
    }

    /// A `size` check over raw values of the query side (here summarized by no other check, as
    /// rule 1004's `query`) is judged on the request target's length first: when the target is
    /// no longer than the bound, the query is not even read; one byte over, it is, and matches.
    @Test func sizeOnTheQueryIsJudgedOnTheRequestTarget() throws {
        let set = try NeedleScreenTests.set("""
              - { id: 1, name: long, action: block, when: { size: { gt: 20 }, in: [query] } }
              - { id: 2, name: args, action: block, when: { size: { ge: 12 }, in: [query.args, path] } }
            """)
        for (id, shortest) in [(1, 21), (2, 12)] {
            let info = NeedleScreenTests.check(set, rule: id)
            #expect(info.preimage >= 0 && set.plan.preimages[Int(info.preimage)] == .length(shortest), "rule \(id)")
            // Where its target was read first, the length filter decides from the summary;
            // no length bit (that would summarize the target for it in every request).
            #expect(info.screens && !info.chainsMasked, "rule \(id)")
        }
        // Through a chain (even one keeping the length) or over a target the request does not
        // bound (a header), there is no length preimage.
        let others = try NeedleScreenTests.set("""
              - { id: 3, name: lowered, action: block, when: { size: { gt: 20 }, in: [query], transforms: [lowercase] } }
              - { id: 4, name: header, action: block, when: { size: { gt: 20 }, in: [query, header:x-a] } }
            """)
        #expect(NeedleScreenTests.check(others, rule: 3).preimage == -1)
        #expect(NeedleScreenTests.check(others, rule: 4).preimage == -1)

        let inspector = Inspector(ruleSet: set)
        let querySlot = try #require(set.plan.targets.firstIndex { $0.kind == .query })
        let cases: [(target: String, rule: Int?, queryRead: Bool)] = [
            ("/p?abcdefghijklmnop", nil, false),          // 19 bytes: the query is not read
            ("/p?q=abcdefghijklmno", 2, false),           // 20 bytes; an argument of 15
            ("/p?q=abcdefghijklmnopqr", 2, true),         // 21 bytes, a query of 20: rule 2's argument
            ("/p?q=abcdefghijklmnopqrs", 1, true),        // a query of 21
            ("/abcdefghijklmnopqrstuvwxyz?a", 2, true),   // a long path, a short query
            ("/p", nil, false),
            ("/p?a=%41%41%41%41&b=1", nil, true),         // 21 bytes, decoded arguments of 4 and 1
        ]
        for c in cases {
            let (head, body) = try EvaluationCacheTests.parsed("GET \(c.target) HTTP/1.1\r\nHost: a\r\n\r\n")
            let request = RequestView(head: head, clientAddress: [], body: body)
            var state = EvaluationState()
            var scratch = EvaluationScratch()
            let verdict = inspector.evaluate(.requestHeaders, request: request, state: &state, scratch: &scratch)
            #expect(EvaluationCacheTests.blockingRule(verdict) == c.rule.map { RuleID($0) }, "\(c.target)")
            #expect((state.cache.targetIndex[querySlot] != RequestCache.unread) == c.queryRead, "\(c.target)")
            var observer = NeedleScreenTests.Unfiltered()
            let (full, _) = inspector.decide(request, scratch: &scratch, observer: &observer)
            #expect(EvaluationCacheTests.blockingRule(full) == c.rule.map { RuleID($0) }, "\(c.target)")
        }
        // The query read first by another check: the size check then judges its summary.
        let readFirst = Inspector(ruleSet: try NeedleScreenTests.set("""
              - { id: 5, name: probe, action: count, when: { contains: 'zz', in: [query] } }
              - { id: 1, name: long, action: block, when: { size: { gt: 20 }, in: [query] } }
            """))
        for (target, blocked) in [("/p?q=abcdefghijklmnopqr", false), ("/p?q=abcdefghijklmnopqrs", true), ("/p?zz", false)] {
            let (head, body) = try EvaluationCacheTests.parsed("GET \(target) HTTP/1.1\r\nHost: a\r\n\r\n")
            let request = RequestView(head: head, clientAddress: [], body: body)
            var scratch = EvaluationScratch()
            let (plain, _) = readFirst.decide(request, scratch: &scratch)
            var observer = NeedleScreenTests.Unfiltered()
            let (full, _) = readFirst.decide(request, scratch: &scratch, observer: &observer)
            #expect(EvaluationCacheTests.blockingRule(plain) == (blocked ? RuleID(1) : nil), "\(target)")
            #expect(plain == full, "\(target)")
        }
    }

    /// Random queries, cookies and forms with names and values around the bounds: the screened
    /// evaluation finds exactly what the unfiltered walk finds, and both ways are reached.
    @Test func screenedSizeChecksAgreeWithTheFullWalk() throws {
        let inspector = Inspector(ruleSet: try Self.set())
        var g = Base64PreimageTests.Generator(state: 0x517E)
        var seen = Set<RuleID>()
        var quiet = 0
        func word() -> String {
            let letters = Array("abzq19%+".utf8)
            var bytes = (0..<g.below(24)).map { _ in letters[g.below(letters.count)] }
            // Keep escapes whole: `%` followed by two hex digits.
            for k in bytes.indices where bytes[k] == UInt8(ascii: "%") { bytes[k] = UInt8(ascii: "b") }
            if g.below(4) == 0 { bytes += Array("%41".utf8) }
            return String(decoding: bytes, as: UTF8.self)
        }
        func pairs() -> String { (0..<(1 + g.below(3))).map { _ in word() + "=" + word() }.joined(separator: "&") }
        for _ in 0..<300 {
            let request = try Self.request(query: g.below(3) == 0 ? "" : pairs(),
                                           cookie: g.below(2) == 0 ? nil : pairs().replacingAmpersands,
                                           form: g.below(2) == 0 ? nil : pairs())
            let found = Self.matched(inspector, request)
            seen.formUnion(found)
            if found.isDisjoint(with: [2, 3, 4].map { RuleID($0) }) { quiet += 1 }
        }
        #expect(seen.isSuperset(of: [2, 3, 4].map { RuleID($0) }))
        #expect(quiet > 0)
    }
}

private extension String {
    /// Cookie pairs are separated by `; `.
    var replacingAmpersands: String { split(separator: "&").joined(separator: "; ") }
}
