import PortcullisHTTP
import Testing
@testable import PortcullisEngine

/// Chains over the same values that differ only in leading steps the values do not need give
/// the same result: the first one computed serves the others (`RequestCache.shares`), unless one
/// of them empties a value as too short for its readers.
@Suite struct ChainShareTests {
    /// Two count rules over `query.args`, each with its own chain ending in `lowercase`.
    static func set(_ secondRegex: String) throws -> CompiledRuleSet {
        try EvaluationCacheTests.set("""
              - id: 1
                name: first
                action: count
                when: { regex: 'abc', in: query.args, transforms: [url_decode, lowercase] }
              - id: 2
                name: second
                action: count
                when: { regex: '\(secondRegex)', in: query.args, transforms: [html_entity_decode, lowercase] }
            """)
    }

    /// The state after the header phase of `GET /?q=VALUE`, and the chain entries of the two rules'
    /// slots.
    static func run(_ set: CompiledRuleSet, _ value: String) throws -> (EvaluationState, [Int32]) {
        let (head, body) = try EvaluationCacheTests.parsed("GET /?q=\(value) HTTP/1.1\r\nHost: h\r\n\r\n")
        let view = RequestView(head: head, clientAddress: Array("192.0.2.1".utf8), body: body)
        let inspector = Inspector(ruleSet: set)
        var state = EvaluationState()
        var scratch = EvaluationScratch()
        _ = inspector.evaluate(.requestHeaders, request: view, state: &state, scratch: &scratch)
        let checks = set.plan.headerRules.map(\.singleCheck)
        let slots = checks.map { Int(set.plan.flat.targets[Int(set.plan.flat.checks[$0].firstTarget)].chain) }
        return (state, slots.map { state.cache.chainIndex[$0] })
    }

    @Test(arguments: [
        // value as sent, second rule's regex, shared, rules matched
        ("ABC", "abc", true, [1, 2]),            // both decoders leave it: one lowercase for both
        ("A%2542Cb", "abc", false, [1]),         // "A%42Cb": url_decode changes it, html does not
        ("AB%26amp;C", "ab&c", false, [2]),      // "AB&amp;C": html_entity_decode changes it
        // The second chain empties "ABC" (too short): no share. (Its regex needs only bytes "ABC"
        // holds, or `BytePreimage` would leave the slot unread.)
        ("ABC", "abcabcabca", false, [1]),
    ])
    func sharesOnlyWhatIsTheSame(_ value: String, _ regex: String, _ shared: Bool, _ matched: [Int]) throws {
        let (state, entries) = try Self.run(try Self.set(regex), value)
        #expect(entries.allSatisfy { $0 >= 0 }, "both slots read: \(entries)")
        #expect((entries[0] == entries[1]) == shared, "entries \(entries)")
        #expect(state.matches.map { Int($0.ruleID.value) } == matched)
    }
}
