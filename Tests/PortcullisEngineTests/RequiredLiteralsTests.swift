import Testing
@testable import PortcullisEngine

/// `RequiredLiterals`: every match of a pattern must contain one of the literals found, so a
/// wrong entry here would let an attack through; nil (no screen) is always safe.
struct RequiredLiteralsTests {
    static let cases: [(pattern: String, expected: Set<String>?)] = [
        ("select", ["select"]),
        ("SeLeCt", ["select"]),
        (#"\bunion(?:\s{1,5}(?:all|distinct))?\s{0,5}\(?\s{0,5}select\b"#, ["select"]),
        ("abc|de", ["abc", "de"]),
        ("a(?:b|c)d", ["abd", "acd"]),
        (#"<\?(?:php\b|=)"#, ["<?php", "<?="]),
        ("(?:ab)?cd", ["cd"]),
        ("x*", nil),
        ("a|b*", nil),
        ("(?:abc)+", ["abc"]),
        ("(?:abc){2,3}z", ["abc"]),
        (#"\x00"#, ["\u{0}"]),
        (#"%(?:25)?00"#, ["00"]),
        ("[ab]cd", ["acd", "bcd"]),
        ("[a-z]{2,5}", nil),
        ("[^a]bc", ["bc"]),
        (#"(?i)eval\("#, ["eval("]),
        (#"(?<=x)yz"#, ["yz"]),
        (#"(?!ab)cd"#, ["cd"]),
        (#"\.\.[\\/]"#, ["../", "..\\"]),
        (#"a\sb"#, ["a"]),   // either side is required; the first is kept
        ("(a)\\1", ["a"]),   // a back reference matches unknown text; what is beside it stays required
        ("(ab)c\\1d", ["abc"]),
        ("(x)(y)(z)(a)(b)(c)(d)(e)(f)(g)q\\10", nil),   // \\10: a reference or octal — not understood
        (#"\Qa.b\E"#, nil),
        ("(?x) a b", nil),
        ("(*UTF)abc", nil),
        ("(?(1)a|b)", nil),
        ("a{,3}b", nil),
        ("a{x", ["a{x"]),
        ("", nil),
        (".", nil),
    ]

    @Test(arguments: cases)
    func requiredLiterals(_ pattern: String, _ expected: Set<String>?) {
        let found = RequiredLiterals.of(pattern).map { Set($0.map { String(decoding: $0, as: UTF8.self) }) }
        if let expected {
            // The chosen set may differ in wording when several are valid; these are unique.
            #expect(found == expected, "pattern \(pattern)")
        } else {
            #expect(found == nil, "pattern \(pattern)")
        }
    }

    /// For every rule regex of the default set: on each of the rule's own `block` examples that
    /// the regex matches, one of its literals occurs (folded) — the screen never hides a match.
    @Test func literalsOccurInEveryMatchOfTheDefaultRules() throws {
        let set = try RuleSetLoader().load(contentsOf: "Rules/default.yaml")
        var checked = 0
        for rule in set.headerRules + set.bodyRules {
            for regex in Self.regexes(rule.condition) {
                guard let literals = RequiredLiterals.of(regex.pattern) else { continue }
                for example in rule.examples where example.expectation == .block {
                    let text = Array(example.request.utf8)
                    guard case .match = regex.firstMatch(in: text) else { continue }
                    let screen = LiteralScreen([literals])
                    let hits = text.withUnsafeBytes { screen.hits(in: $0) }
                    #expect(hits.contains(0), "rule \(rule.id) pattern \(regex.pattern) example \(example.request)")
                    checked += 1
                }
            }
        }
        #expect(checked > 10)
    }

    static func regexes(_ condition: Condition) -> [Regex] {
        switch condition {
        case .check(let check):
            if let op = check.op as? RegexOperator { return [op.regex] }
            if let op = check.op as? RegexAnyOperator { return op.patterns }
            return []
        case .all(let parts), .any(let parts): return parts.flatMap(regexes)
        case .not(let inner): return regexes(inner)
        case .label: return []
        }
    }

    @Test func screenReportsEachChecksLiterals() {
        let sets: [[String]] = [["select", "union"], ["<script"], ["abc"]]
        let screen = LiteralScreen(sets.map { Set($0.map { Array($0.utf8) }) })
        func hits(_ s: String) -> [Bool] {
            let h = Array(s.utf8).withUnsafeBytes { screen.hits(in: $0) }
            return [h.contains(0), h.contains(1), h.contains(2)]
        }
        #expect(hits("x UNION y") == [true, false, false])
        #expect(hits("<ScRiPt>abc") == [false, true, true])
        #expect(hits("nothing here") == [false, false, false])
        #expect(hits("xxabxabc") == [false, false, true])
    }
}
