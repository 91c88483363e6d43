import PortcullisHTTP
import Testing
@testable import PortcullisEngine

/// String operators in the literal screen (`NeedleScreen`) and checks over `base64_decode` ruled
/// out before decoding (`Base64Preimage`): both only skip work, so every verdict and match must be
/// what an evaluation without any prefilter finds.
@Suite struct NeedleScreenTests {
    /// Wants every step: the inspector then runs every operator over every value, no prefilter.
    struct Unfiltered: InspectionObserver {
        static var wantsSteps: Bool { true }
    }

    static func set(_ rules: String) throws -> CompiledRuleSet {
        try RuleSetLoader().load(yaml: "name: t\ndefault_action: allow\nrules:\n" + rules, sourcePath: "t.yaml")
    }

    static func check(_ set: CompiledRuleSet, rule: Int) -> CheckInfo {
        let program = (set.plan.headerRules + set.plan.bodyRules).first { $0.rule.id == RuleID(rule) }!
        return set.plan.flat.checks[program.singleCheck]
    }

    /// `count` rules only, so every rule runs and every match is recorded.
    static let rules = """
          - { id: 1, name: r1, action: count, when: { regex: 'zq[0-9]', in: [query.args, header:x-data] } }
          - { id: 2, name: r2, action: count, when: { contains: 'Evil', in: [query.args] } }
          - { id: 3, name: r3, action: count, when: { contains: 'evil', in: [query.args], case_insensitive: true } }
          - { id: 4, name: r4, action: count, when: { starts_with: 'Ab', in: [query.args] } }
          - { id: 5, name: r5, action: count, when: { ends_with: '$x', in: [query.args], case_insensitive: true } }
          - { id: 6, name: r6, action: count, when: { equals: 'abc', in: [query.args], case_insensitive: true } }
          - { id: 7, name: r7, action: count, when: { equals: '', in: [query.args] } }
          - { id: 8, name: r8, action: count, when: { contains_word: 'cat', in: [query.args, header:x-data] } }
          - { id: 9, name: r9, action: count, when: { contains: 'Evil', in: [query.args], negate: true } }
          - { id: 10, name: r10, action: count, when: { contains: '_$$ND_FUNC$$_', in: [query.args], transforms: [base64_decode] } }
          - { id: 11, name: r11, action: count, when: { contains: 'evil', in: [query.args], transforms: [base64_decode], case_insensitive: true } }
          - { id: 12, name: r12, action: count, when: { regex: 'select\\s+from', in: [query.args], transforms: [base64_decode] } }
          - { id: 13, name: r13, action: count, when: { contains: 'Evil', in: [query.args], transforms: [base64_decode], negate: true } }
          - { id: 14, name: r14, action: count, when: { phrases: ['<?php', 'cat'], in: [query.args], transforms: [base64_decode] } }
          - { id: 15, name: r15, action: count, when: { contains: 'Evil', in: [header:x-data] } }
          - { id: 16, name: r16, action: count, when: { size: { gt: 4 }, in: [header:x-data], transforms: [base64_decode] } }
          - { id: 17, name: r17, action: count, when: { contains: 'cat', in: [header:x-data], transforms: [base64_decode] } }
        """

    @Test func stringChecksScreenWhereTheSlotIsSummarizedAnyway() throws {
        let set = try Self.set(Self.rules)
        for id in [2, 3, 4, 5, 6, 9] {
            #expect(Self.check(set, rule: id).screens, "rule \(id)")
            #expect(Self.check(set, rule: id).screenBit >= 0, "rule \(id)")
        }
        // `equals ''` has no literal; rule 8 reads two slots, both screened by rule 1.
        #expect(!Self.check(set, rule: 7).screens)
        #expect(Self.check(set, rule: 8).screens)
        // The decoded slot is screened for rules 12 and 14 (a regex and phrases), so the string
        // checks over it screen too; all five have a preimage (the chain is `[base64_decode]`).
        for id in [10, 11, 12, 13, 14] {
            #expect(Self.check(set, rule: id).screens, "rule \(id)")
            #expect(Self.check(set, rule: id).preimage >= 0, "rule \(id)")
        }
        #expect(Self.check(set, rule: 2).preimage == -1)
        #expect(Self.check(set, rule: 7).preimage == -1)
        #expect(Self.check(set, rule: 16).preimage == -1)
        #expect(Self.check(set, rule: 17).preimage >= 0)
    }

    /// A `size` check with a lower bound over slots summarized anyway is ruled out by length;
    /// the bound is exact (one byte shorter is out, the bound itself in), and a string check
    /// that got a screen bit is decided with the others once its slots are resolved.
    @Test func sizeChecksScreenByLengthAndStringChecksJoinTheBulkDecision() throws {
        #expect(SlotNumbering.shortestMatch(ofSize: SizeOperator(.gt, 8192)) == 8193)
        #expect(SlotNumbering.shortestMatch(ofSize: SizeOperator(.ge, 5)) == 5)
        #expect(SlotNumbering.shortestMatch(ofSize: SizeOperator(.eq, 5)) == 5)
        #expect(SlotNumbering.shortestMatch(ofSize: SizeOperator(.ge, 0)) == nil)
        #expect(SlotNumbering.shortestMatch(ofSize: SizeOperator(.gt, Int.max)) == nil)
        for comparison in [Comparison.lt, .le, .ne] {
            #expect(SlotNumbering.shortestMatch(ofSize: SizeOperator(comparison, 5)) == nil)
        }
        let set = try Self.set("""
              - { id: 1, name: a, action: count, when: { regex: 'zq', in: [query.args] } }
              - { id: 2, name: b, action: block, when: { size: { gt: 5 }, in: [query.args] } }
              - { id: 3, name: c, action: block, when: { size: { lt: 2 }, in: [query.args] } }
              - { id: 4, name: d, action: block, when: { contains: 'nee', in: [query.args] } }
            """)
        #expect(Self.check(set, rule: 2).screens)
        #expect(!Self.check(set, rule: 3).screens)
        #expect(Self.check(set, rule: 4).chainsMasked)
        let inspector = Inspector(ruleSet: set)
        for (query, rule) in [("q=abcde", nil), ("q=abcdef", 2), ("q=abc&r=x", 3), ("q=anee&r=xx", 4), ("q=aneedleb", 2),
                              ("q=neo&r=neo", nil), ("q=ne&r=ee", nil)] as [(String, Int?)] {
            let (head, body) = try EvaluationCacheTests.parsed("GET /p?\(query) HTTP/1.1\r\nHost: a\r\n\r\n")
            var scratch = EvaluationScratch()
            let (verdict, _) = inspector.decide(RequestView(head: head, clientAddress: [], body: body), scratch: &scratch)
            #expect(EvaluationCacheTests.blockingRule(verdict) == rule.map { RuleID($0) }, "\(query)")
        }
    }

    /// A string check alone on its slot is not screened (summarizing would cost more than the
    /// search), with or without `base64_decode`; the decoding one still has its preimage, and so
    /// has a regex over a chain that only keeps or case-maps bytes (`BytePreimage`).
    @Test func aCheckAloneOnItsSlotIsNotScreened() throws {
        let set = try Self.set("""
              - { id: 1, name: a, action: block, when: { contains: 'x1', in: [path] } }
              - { id: 2, name: b, action: block, when: { contains: 'x1', in: [path], transforms: [base64_decode] } }
              - { id: 3, name: c, action: block, when: { regex: 'x2', in: [path], transforms: [lowercase] } }
            """)
        #expect(!Self.check(set, rule: 1).screens)
        #expect(!Self.check(set, rule: 2).screens)
        #expect(Self.check(set, rule: 2).preimage >= 0)
        #expect(Self.check(set, rule: 3).preimage >= 0)
    }

    /// More literal sets than the screen has bits: the string check comes last, gets no bit,
    /// keeps its byte prefilter, and still matches.
    @Test func aFullScreenLeavesTheStringCheckItsPrefilter() throws {
        var rules = ""
        for k in 0..<(LiteralScreen.capacity + 2) {
            rules += "  - { id: \(k + 1), name: r\(k), action: count, when: { regex: 'lit\(k)x', in: [query.args] } }\n"
        }
        rules += "  - { id: 999, name: s, action: block, when: { contains: 'Needle!', in: [query.args] } }\n"
        rules += "  - { id: 1000, name: t, action: count, when: { regex: 'zz!x', in: [query.args], transforms: [base64_decode] } }\n"
        rules += "  - { id: 1001, name: u, action: count, when: { contains: 'zz!x', in: [query.args], transforms: [base64_decode] } }\n"
        let set = try Self.set(rules)
        let info = Self.check(set, rule: 999)
        #expect(info.screenBit == -1)
        #expect(info.screens)
        // A regex without a screen bit runs on every decoded value, so it gets no preimage
        // either (skipping it must match what the screen would skip); a needle always does.
        #expect(Self.check(set, rule: 1000).screenBit == -1)
        #expect(Self.check(set, rule: 1000).preimage == -1)
        #expect(Self.check(set, rule: 1001).preimage >= 0)
        let inspector = Inspector(ruleSet: set)
        for (query, blocked) in [("q=aNeedle!b", true), ("q=needle!", false), ("q=Needle", false), ("q=lit3x", false)] {
            let (head, body) = try EvaluationCacheTests.parsed("GET /p?\(query) HTTP/1.1\r\nHost: a\r\n\r\n")
            var scratch = EvaluationScratch()
            let (verdict, _) = inspector.decide(RequestView(head: head, clientAddress: [], body: body), scratch: &scratch)
            #expect(EvaluationCacheTests.blockingRule(verdict) == (blocked ? RuleID(999) : nil), "\(query)")
        }
    }

    /// Rule 1950 of the default set: its base64 check has a preimage filter, and the filter
    /// rules out the `post` bench request's values.
    @Test func defaultRuleNodeMarkerHasAPreimage() throws {
        let set = try RuleSetLoader().load(contentsOf: "Rules/default.yaml")
        let program = try #require(set.plan.bodyRules.first { $0.rule.id == RuleID(1950) }
            ?? set.plan.headerRules.first { $0.rule.id == RuleID(1950) })
        guard case .any(let parts) = program.condition, case .check(let index) = parts[1] else {
            Issue.record("rule 1950 is not any: [regex, contains]")
            return
        }
        let info = set.plan.flat.checks[index]
        let preimage = try #require(info.preimage >= 0 ? set.plan.preimages[Int(info.preimage)] : nil)
        #expect(!preimage.mayDecodeToMatch(ByteSet(of: Array("value01abcdefghijklmnopqrstuvwxyz0123456789".utf8))))
        #expect(preimage.mayDecodeToMatch(ByteSet(of: Array("XyQkTkRfRlVOQyQkXwo=".utf8))))
    }

    /// Random requests: the screened evaluation finds exactly the matches of the unfiltered one.
    @Test func screenedEvaluationFindsWhatUnfilteredEvaluationFinds() throws {
        let inspector = Inspector(ruleSet: try Self.set(Self.rules))
        var g = Base64PreimageTests.Generator(state: 0x5C7EE)
        let pieces: [[UInt8]] = ["Evil", "EVIL", "evil", "Ab", "ab", "$x", "$X", "abc", "ABC", "cat", "concat",
                                 "_$$ND_FUNC$$_", "select  from", "SELECT from", "<?php", "zq1", " ", "-", "_"]
            .map { Array($0.utf8) }
        var matched = Set<RuleID>()
        for round in 0..<300 {
            var query: [String] = []
            for arg in 0..<(1 + g.below(4)) {
                var value: [UInt8] = []
                for _ in 0..<g.below(4) {
                    switch g.below(4) {
                    case 0: value += pieces[g.below(pieces.count)]
                    case 1: value += Base64PreimageTests.disguise(Base64PreimageTests.encode(
                                (0..<g.below(3)).map { _ in g.byte() } + pieces[g.below(pieces.count)]), &g)
                    case 2: value += Base64PreimageTests.encode(pieces[g.below(pieces.count)])
                    default: value += (0..<g.below(6)).map { _ in g.byte() }
                    }
                }
                query.append("a\(arg)=" + value.map { "%" + String($0, radix: 16, uppercase: true).leftPadded }.joined())
            }
            let piece = pieces[g.below(pieces.count)]
            let header = g.below(2) == 0
                ? String(decoding: Base64PreimageTests.encode((0..<g.below(3)).map { _ in g.byte() } + piece), as: UTF8.self)
                : "q" + String(decoding: piece.filter { $0 > 0x20 }, as: UTF8.self)
            let raw = "GET /p?\(query.joined(separator: "&")) HTTP/1.1\r\nHost: a\r\nX-Data: \(header)\r\n\r\n"
            let (head, body) = try EvaluationCacheTests.parsed(raw)
            let request = RequestView(head: head, clientAddress: [], body: body)
            var scratch = EvaluationScratch()
            let (plainVerdict, plain) = inspector.decide(request, scratch: &scratch)
            var observer = Unfiltered()
            let (fullVerdict, full) = inspector.decide(request, scratch: &scratch, observer: &observer)
            #expect(plainVerdict == fullVerdict, "round \(round)")
            #expect(plain.matches == full.matches, "round \(round): \(raw)")
            matched.formUnion(full.matches.map(\.ruleID))
        }
        // The generator reaches every rule (the comparison is not vacuous).
        #expect(matched == Set((1...17).map { RuleID($0) }))
    }
}

private extension String {
    var leftPadded: String { count == 1 ? "0" + self : self }
}
