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
        ("(?:abc){2,3}z", ["abcz"]),   // the last copy is followed by `z`
        (#"\x00"#, ["\u{0}"]),
        (#"%(?:25)?00"#, ["%25", "%0"]),   // `%` then `25` or, without it, `0`
        ("[ab]cd", ["acd", "bcd"]),
        ("[a-z]{2,5}", nil),
        ("[^a]bc", ["bc"]),
        (#"(?i)eval\("#, ["eval("]),
        (#"(?<=x)yz"#, ["yz"]),
        (#"(?!ab)cd"#, ["cd"]),
        (#"\.\.[\\/]"#, ["../", "..\\"]),
        (#"a\sb"#, ["a\tb", "a\nb", "a\u{0B}b", "a\u{0C}b", "a\rb", "a b"]),   // `\s`: six bytes without UCP
        (#"a\Sb"#, ["a"]),   // either side is required; the first is kept
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
    /// the regex matches, one literal of each of its sets occurs (folded) — the screen never
    /// hides a match.
    @Test func literalsOccurInEveryMatchOfTheDefaultRules() throws {
        let set = try RuleSetLoader().load(contentsOf: "Rules/default.yaml")
        var checked = 0
        var pairs = 0
        for rule in set.headerRules + set.bodyRules {
            for regex in Self.regexes(rule.condition) {
                let sets = RequiredLiterals.sets(of: regex.pattern)
                guard !sets.isEmpty else { continue }
                if sets.count == 2 { pairs += 1 }
                let screen = LiteralScreen(sets)
                for example in rule.examples where example.expectation == .block {
                    let text = Array(example.request.utf8)
                    guard case .match = regex.firstMatch(in: text) else { continue }
                    let hits = text.withUnsafeBytes { screen.hits(in: $0) }
                    for k in sets.indices {
                        #expect(hits.contains(k), "rule \(rule.id) pattern \(regex.pattern) set \(k) example \(example.request)")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked > 10)
        #expect(pairs > 10)
    }

    /// The default rules' sets fit the screen: every check with required sets has a bit for
    /// each (the screen holds 128), so none falls back to running its regex on every value.
    @Test func defaultRulesKeepABitForEverySet() throws {
        let plan = try RuleSetLoader().load(contentsOf: "Rules/default.yaml").plan
        var twoBits = 0
        for (k, check) in plan.checks.enumerated() {
            let sets = SlotNumbering.requiredLiteralSets(of: check.op)
            let info = plan.flat.checks[k]
            let bits = info.screenLow.nonzeroBitCount + info.screenHigh.nonzeroBitCount
            if !sets.isEmpty { #expect(bits == sets.count, "check \(k): \(sets.count) sets, \(bits) bits") }
            if bits == 2 { twoBits += 1 }
        }
        #expect(twoBits > 10)
    }

    /// `sets(of:)`: each set is required on its own, so a value lacking one cannot match —
    /// checked against PCRE2 itself on values that hold one set's literals but not the other's.
    static let setCases: [(pattern: String, sets: [Set<String>], ruledOut: [String], matching: [String])] = [
        (#"['"`)]\s{0,5}(?:or|and)\b"#, [joined(["'", "\"", "`", ")"], ["or", "and"]), ["or", "and"]],
         ["sort", "color", "black and white", "it's fine"], ["x' or 1", "a\") and b"]),
        (#"\b(?:user|version)\s{0,3}\(\s{0,3}\)"#, [joined(["user", "version"], ["("]), joined(["("], [")"])],
         ["user", "version=2", "f(x)"], ["user()", "version ( )"]),
        (#"\bor\s+1"#, [["or\t", "or\n", "or\u{0B}", "or\u{0C}", "or\r", "or "],
                         ["\t1", "\n1", "\u{0B}1", "\u{0C}1", "\r1", " 1"]],
         ["color", "or1", "for 2"], ["1 or 1=1", "x or\t1"]),
        // Branches sharing `(` share its set; the second set takes each branch's other one.
        (#"xx\s*\(|yy\s*\("#, [joined(["xx", "yy"], ["("]), ["("]], ["(z)", "xxyy", "xx"], ["xx (", "yy("]),
        // A second set holding a common single byte (`=`) is not kept (it would stop the screen
        // at every separator of a form for little gain), nor one the first implies (`.cookie`).
        (#"\.cookie\s{0,5}="#, [joined([".cookie"], ["="])], ["a.b=c", "cookie=1", ".cookies"], ["document.cookie =x"]),
        (#"(?:ab){1,3}c"#, [["abc"]], ["ab", "abac"], ["abababc"]),
        ("select", [["select"]], ["selec"], ["SELECT 1"]),
        // `t\s{0,5}\(`: `t` then either a whitespace byte or `(` — `(` alone in a User-Agent
        // (`Mozilla/5.0 (X11…`) no longer runs the regex.
        (#"\bt\s{0,5}\("#, [["t(", "t\t", "t\n", "t\u{0B}", "t\u{0C}", "t\r", "t "], ["("]],
         ["Mozilla/5.0 (X11; Linux)", "t", "tx("], ["T(java.lang.Runtime)", "t  (x"]),
        (#"ab?c"#, [["ab", "ac"]], ["a-c", "bc"], ["abc", "ac"]),
    ]

    /// Each of `heads` followed by a whitespace byte or one of `tails` (what `X\s{0,n}Y` requires).
    static func joined(_ heads: [String], _ tails: [String]) -> Set<String> {
        Set(heads.flatMap { head in (["\t", "\n", "\u{0B}", "\u{0C}", "\r", " "] + tails).map { head + $0 } })
    }

    @Test(arguments: setCases)
    func requiredSets(_ pattern: String, _ sets: [Set<String>], _ ruledOut: [String], _ matching: [String]) throws {
        let found = RequiredLiterals.sets(of: pattern).map { Set($0.map { String(decoding: $0, as: UTF8.self) }) }
        #expect(found == sets, "pattern \(pattern)")
        let regex = try Regex(pattern, options: .caseless)
        let screen = LiteralScreen(found.map { Set($0.map { Array($0.utf8) }) })
        for value in ruledOut {
            let hits = Array(value.utf8).withUnsafeBytes { screen.hits(in: $0) }
            #expect(found.indices.contains { !hits.contains($0) }, "\(value) should lack a set of \(pattern)")
            #expect(regex.firstMatch(in: Array(value.utf8)) == .noMatch, "\(pattern) matches \(value)")
        }
        for value in matching {
            let hits = Array(value.utf8).withUnsafeBytes { screen.hits(in: $0) }
            #expect(found.indices.allSatisfy { hits.contains($0) }, "\(value) lacks a set of \(pattern)")
            #expect(regex.firstMatch(in: Array(value.utf8)) != .noMatch, "\(pattern) does not match \(value)")
        }
    }

    /// `sets(anyOf:)`: one set per pattern in each union; a set shared by the patterns is chosen.
    @Test func setsOfRegexAnyShareASet() {
        let found = RequiredLiterals.sets(anyOf: [#"ab\s*\("#, #"cd\s*\("#])
            .map { Set($0.map { String(decoding: $0, as: UTF8.self) }) }
        #expect(found == [Self.joined(["ab", "cd"], ["("]), ["("]])
        #expect(RequiredLiterals.sets(anyOf: ["select", "x*"]).isEmpty)
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
