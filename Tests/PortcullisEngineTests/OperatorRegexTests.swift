import Testing
@testable import PortcullisEngine

private func re(_ p: String, ci: Bool = false) -> OperatorSpec { .regex(p, caseInsensitive: ci) }
private func any(_ p: [String], ci: Bool = false) -> OperatorSpec { .regexAny(p, caseInsensitive: ci) }

private let regexTable: [OperatorCase] = [
    OperatorCase(re("abc"), "xxabcxx", .match(2..<5)),
    OperatorCase(re("abc"), "xxabxcx", .noMatch),
    OperatorCase(re("ABC"), "abc", .noMatch, "case-sensitive"),
    OperatorCase(re("ABC", ci: true), "xAbC", .match(1..<4), "case-insensitive"),
    OperatorCase(re("^abc$"), "abc", .match(0..<3), "anchored, whole value"),
    OperatorCase(re("c$"), "abc", .match(2..<3), "at end"),
    OperatorCase(re("^$"), "", .match(0..<0), "empty value, empty match"),
    OperatorCase(re("x"), "", .noMatch, "empty value"),
    OperatorCase(re("abcd"), "abc", .noMatch, "value shorter than pattern"),
    OperatorCase(re(#"a\x00b"#), [0x00, 0x61, 0x00, 0x62], .match(1..<4), "NUL inside"),
    OperatorCase(re(#"\xff+"#), [0x41, 0xFF, 0xFF, 0x42], .match(1..<3), "bytes ≥ 0x80"),
    OperatorCase(re(#"\xe9"#, ci: true), [0xC9], .noMatch, "no folding ≥ 0x80"),
    OperatorCase(re(#"^.{2}$"#), [0xC3, 0xA9], .match(0..<2), "byte semantics, not UTF-8"),
    OperatorCase(re(#"(?i)\bunion\b[\s\S]{0,100}?\bselect\b"#), "1 UNION ALL SELECT x", .match(2..<18)),
]

private let regexAnyTable: [OperatorCase] = [
    OperatorCase(any(["foo", "bar"]), "xbar", .match(1..<4)),
    OperatorCase(any(["foo", "bar"]), "baz", .noMatch),
    OperatorCase(any(["foo", "bar"]), "", .noMatch, "empty value"),
    OperatorCase(any(["bar", "foo"]), "foo bar", .match(0..<3), "joined: leftmost of all"),
    OperatorCase(any(["a|b", "c"]), "xb", .match(1..<2), "alternation inside an entry"),
    OperatorCase(any(["ABC", "x"], ci: true), "abc", .match(0..<3), "case-insensitive"),
    OperatorCase(any(["ABC", "x"]), "abc", .noMatch, "case-sensitive"),
    OperatorCase(any(["(?i)abc", "DEF"]), "ABC", .match(0..<3), "inline option applies to its entry"),
    OperatorCase(any(["(?i)abc", "DEF"]), "def", .noMatch, "inline option does not leak into the next entry"),
    OperatorCase(any(["^a", "b$"]), "xxb", .match(2..<3), "anchors per entry"),
    OperatorCase(any(["^a", "b$"]), "bx", .noMatch),
    // Entries that must stay separate: joined they would mean something else.
    OperatorCase(any(["x(y)", "(a)\\1"]), "aa", .match(0..<2), "numbered back-reference"),
    OperatorCase(any(["x(y)", "(a)(?1)"]), "aa", .match(0..<2), "numbered subroutine"),
    OperatorCase(any(["(?<n>a)\\k<n>", "(?<n>b)"]), "b", .match(0..<1), "duplicate group names"),
    OperatorCase(any(["a(*COMMIT)b", "ac"]), "ac", .match(0..<2), "(*COMMIT) would fail the whole alternation"),
    OperatorCase(any(["\\Qa)b", "c"]), "a)b", .match(0..<3), "\\Q quoting to the end"),
    OperatorCase(any(["(?x)a # comment", "b"]), "b", .match(0..<1), "extended-mode comment"),
    OperatorCase(any(["(y)?(?(1)a|b)", "z"]), "b", .match(0..<1), "conditional on a group number"),
    OperatorCase(any([#"\xff"#, "\\x00"]), [0x41, 0x00], .match(1..<2), "NUL"),
]

@Test("regex", arguments: regexTable) func operatorRegex(_ row: OperatorCase) throws { try opCheck(row) }
@Test("regex_any", arguments: regexAnyTable) func operatorRegexAny(_ row: OperatorCase) throws { try opCheck(row) }

@Test func operatorRegexTablesAreNotEmpty() {
    #expect(regexTable.count > 10)
    #expect(regexAnyTable.count > 15)
}

private let catastrophic = Array(repeating: UInt8(ascii: "a"), count: 40) + [UInt8(ascii: "b")]
private let lowLimits = MatchLimits(matchLimit: 2_000)

@Test func operatorRegexLimitHit() throws {
    let op = try OperatorFactory.make(.regex("(a+)+$", caseInsensitive: false))
    #expect(opEvaluate(op, catastrophic, limits: lowLimits) == .limitHit)
    #expect(opEvaluate(op, opBytes("aaaa"), limits: lowLimits) == .match(0..<4))
}

@Test func operatorRegexAnyLimitHitRetriesEntriesSeparately() throws {
    // The joined alternation runs out of budget in (a+)+$ before reaching "b"; each entry alone
    // gets its own budget, so "b" is found.
    let op = try RegexAnyOperator(["(a+)+$", "b"], caseInsensitive: false)
    #expect(op.joined != nil)
    #expect(opEvaluate(op, catastrophic, limits: lowLimits) == .match(40..<41))
    let none = try RegexAnyOperator(["(a+)+$", "zzz"], caseInsensitive: false)
    #expect(opEvaluate(none, catastrophic, limits: lowLimits) == .limitHit)
    let separate = try RegexAnyOperator(["(a+)+$", "(x)\\1"], caseInsensitive: false)
    #expect(separate.joined == nil)
    #expect(opEvaluate(separate, catastrophic, limits: lowLimits) == .limitHit)
}

@Test func operatorRegexAnyJoinsWhatItCan() throws {
    let op = try RegexAnyOperator(["a", "(b)\\1", "c", "d"], caseInsensitive: false)
    #expect(op.joinedIndices == [0, 2, 3])
    #expect(op.separateIndices == [1])
    #expect(op.joined?.pattern == "(?:a)|(?:c)|(?:d)")
    let single = try RegexAnyOperator(["a"], caseInsensitive: true)
    #expect(single.joined == nil)
    #expect(single.separateIndices == [0])
    #expect(opEvaluate(single, opBytes("A")) == .match(0..<1))
}

private let joinableTable: [(String, Bool)] = [
    ("abc", true), (#"\bselect\b"#, true), ("(a|b)+", true), ("(?:x)", true), ("(?i)x", true),
    ("(?i:x)", true), ("(?=a)", true), ("(?<=a)b", true), ("(?<!a)b", true), ("(?>a+)", true),
    ("(?|(a)|(b))", true), ("(?#note)a", true), ("(?-i)a", true), ("(?^)a", true), (#"\(\*"#, true),
    (#"\d\w\s\x41\0"#, true),
    (#"(a)\1"#, false), (#"\g1"#, false), (#"\k<n>"#, false), ("(?<n>a)", false), ("(?'n'a)", false),
    ("(?P<n>a)", false), ("(?1)", false), ("(?R)", false), ("(?&n)", false), ("(?(1)a|b)", false),
    ("(*COMMIT)", false), ("(*UTF)", false), (#"\Qa"#, false), ("(?x)a", false), ("(?ix:a)", false),
    ("(?C1)", false), ("(", false), (#"a\"#, false), ("(?", false), ("(?<", false),
]

@Test func operatorRegexAnyJoinability() {
    #expect(joinableTable.count > 30)
    for (pattern, expected) in joinableTable {
        #expect(RegexAnyOperator.isJoinable(pattern) == expected, "\(pattern)")
    }
}

/// Joined and separate evaluation agree on random lists of simple patterns and random values.
@Test func operatorRegexAnyJoinedAgreesWithSeparate() throws {
    var rng = OperatorTestRNG(seed: 0x5eed_0002)
    let atoms = ["a", "b", "ab", "a+", "b?a", "[ab]c", "^a", "c$", "(a|c)b", #"\bab"#, "(?i)C"]
    var checked = 0
    for _ in 0..<300 {
        let patterns = (0..<Int.random(in: 2...5, using: &rng)).map { _ in
            (0..<Int.random(in: 1...2, using: &rng)).map { _ in atoms.randomElement(using: &rng)! }.joined()
        }
        let op = try RegexAnyOperator(patterns, caseInsensitive: false)
        #expect(op.joined != nil)
        let singles = try patterns.map { try Regex($0) }
        for _ in 0..<10 {
            let value = (0..<Int.random(in: 0...8, using: &rng)).map { _ in
                [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "c"), UInt8(ascii: "C"), 0x20].randomElement(using: &rng)!
            }
            let results = singles.map { $0.firstMatch(in: value) }
            let result = opEvaluate(op, value)
            if case .match(let range) = result {
                // The range is the leftmost match of some entry, and no entry matches further left.
                #expect(results.contains(.match(range)) || results.contains { r in
                    if case .match(let other) = r { return other.lowerBound == range.lowerBound }
                    return false
                }, "\(patterns) on \(value)")
                let leftmost = results.compactMap { r -> Int? in
                    if case .match(let other) = r { return other.lowerBound }
                    return nil
                }.min()
                #expect(leftmost == range.lowerBound)
            } else {
                #expect(result == .noMatch)
                #expect(results.allSatisfy { $0 == .noMatch }, "\(patterns) on \(value)")
            }
            checked += 1
        }
    }
    #expect(checked == 3_000)
}
