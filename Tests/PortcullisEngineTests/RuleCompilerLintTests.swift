import Testing
@testable import PortcullisEngine

/// Patterns the backtracking heuristic must flag, with the fragment it must name.
private let risky: [(pattern: String, fragment: String)] = [
    ("(a+)+", "(a+)+"),
    ("^(a+)+$", "(a+)+"),
    (#"(\w+\s*)*$"#, #"(\w+\s*)*"#),
    ("(.*)*", "(.*)*"),
    ("(.*?,)+x", "(.*?,)+"),
    ("(a|a)*", "(a|a)*"),
    ("(a|ab)*c", "(a|ab)*"),
    (#"(?:\w|\d)+!"#, #"(?:\w|\d)+"#),
    ("(x+x+)+y", "(x+x+)+"),
    (#"([a-z]+|\d)+$"#, #"([a-z]+|\d)+"#),
    (#"(\w+-?\w+)*@"#, #"(\w+-?\w+)*"#),
    ("((ab)*c?)*d", "((ab)*c?)*"),
    ("(a{1,20}){2,}", "(a{1,20}){2,}"),
    ("id=(?<v>[0-9]+)+;", "(?<v>[0-9]+)+"),
    (#"<(\s*\w+\s*=?\s*)+>"#, #"(\s*\w+\s*=?\s*)+"#),
    ("(a|b*)+c", "(a|b*)+"),
]

/// Patterns it must leave alone.
private let safe: [String] = [
    #"\bunion\b[\s\S]{0,100}?\bselect\b"#,
    #"(\d+\.)+\d+"#,
    #"^[a-z0-9_-]+$"#,
    "(?>a+)+",
    "(a++)+",
    "(a+)++",
    "(?:POST|PUT|PATCH)+",
    #"(?:\.\./|\.\.\\)+"#,
    "(a|b)*",
    "<script[^>]*>",
    #"(\w+,)+"#,
    #"(?:[^"]*"[^"]*")*"#,
    "(ab){3}",
    "a{0,5}(b+)",
    #"(?i)(?:select|union)\s+"#,
    #"\x41+\x42"#,
    #"[\]\\]+x"#,
    #"(?=a+)+b"#,
    #"(?:%2e|\.){2,}"#,
]

@Test("risky regexes are flagged", arguments: risky)
func riskyRegex(_ pattern: String, _ fragment: String) {
    let findings = BacktrackingLint.findings(in: pattern)
    #expect(findings.map(\.fragment) == [fragment], "\(pattern): \(findings)")
    if let first = findings.first {
        let start = pattern.utf8.index(pattern.utf8.startIndex, offsetBy: first.offset)
        #expect(pattern[start...].hasPrefix(fragment))
    }
}

@Test("safe regexes are not flagged", arguments: safe)
func safeRegex(_ pattern: String) throws {
    _ = try Regex(pattern)   // the table holds valid patterns only
    #expect(BacktrackingLint.findings(in: pattern).isEmpty, "\(pattern)")
}

@Test func riskyTableIsValidPCRE2() throws {
    for (pattern, _) in risky { _ = try Regex(pattern) }
    #expect(risky.count >= 15 && safe.count >= 15)
}

/// A risky regex is a warning, placed at the fragment, and the file still loads.
@Test func backtrackingWarningIsLocated() throws {
    let yaml = """
    name: t
    rules:
      - id: 9
        name: slow
        action: block
        when:
          regex: '^x(\\w+\\s*)*$'
          in: [query]
    """
    let diagnosis = RuleSetLoader().diagnose(yaml: yaml, sourcePath: "w.yaml")
    #expect(diagnosis.errors.isEmpty)
    #expect(diagnosis.ruleSet?.ruleCount == 1)
    let warning = try #require(diagnosis.warnings.first)
    #expect(diagnosis.warnings.count == 1)
    #expect(warning.line == 7)
    #expect(warning.column == 17)   // the `(` after `'^x` (the quote is column 14)
    #expect(warning.description.hasPrefix("w.yaml:7:17: warning: rule 9: regex may backtrack catastrophically: "
        + #"nested quantifier in '(\w+\s*)*'"#))
}

/// A label test no earlier rule can satisfy is a warning.
@Test func unreachableLabelIsAWarning() {
    let yaml = """
    name: t
    rules:
      - { id: 1, name: uses, action: block, when: { label: "attack:" } }
      - { id: 2, name: sets, action: count, labels: [attack:x], when: { contains: x, in: path } }
      - { id: 3, name: later, action: block, when: { label: attack:x } }
    """
    let diagnosis = RuleSetLoader().diagnose(yaml: yaml, sourcePath: "l.yaml")
    #expect(diagnosis.errors.isEmpty)
    #expect(diagnosis.warnings.map(\.rule) == [.id(RuleID(1))])
    #expect(diagnosis.warnings.first?.message.contains("label condition 'attack:' can never match") == true)
}
