import Testing
@testable import PortcullisEngine

/// One row of the match table: pattern, options, subject bytes, expected result.
struct RegexCase: Sendable, CustomTestStringConvertible {
    let pattern: String
    var options: RegexOptions = []
    let subject: [UInt8]
    let expected: RegexMatchResult
    var testDescription: String { "\(pattern) on \(subject.count) bytes" }
}

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

private let matchTable: [RegexCase] = [
    RegexCase(pattern: "abc", subject: bytes("xxabcxx"), expected: .match(2..<5)),
    RegexCase(pattern: "abc", subject: bytes("xxabxcx"), expected: .noMatch),
    RegexCase(pattern: "^abc", subject: bytes("xabc"), expected: .noMatch),
    RegexCase(pattern: "ABC", options: .caseless, subject: bytes("--abc"), expected: .match(2..<5)),
    RegexCase(pattern: "ABC", subject: bytes("--abc"), expected: .noMatch),
    RegexCase(pattern: "^b$", options: .multiline, subject: bytes("a\nb\nc"), expected: .match(2..<3)),
    RegexCase(pattern: "a.c", subject: bytes("a\nc"), expected: .noMatch),
    RegexCase(pattern: "a.c", options: .dotAll, subject: bytes("a\nc"), expected: .match(0..<3)),
    RegexCase(pattern: "x*", subject: [], expected: .match(0..<0)),
    RegexCase(pattern: "x", subject: [], expected: .noMatch),
    // A CRS-like SQL injection pattern: case-insensitive, bounded lazy gap, word boundaries.
    RegexCase(pattern: #"(?i)\bunion\b[\s\S]{0,100}?\bselect\b"#,
              subject: bytes("id=1 UNION ALL SELECT password FROM users"), expected: .match(5..<21)),
    RegexCase(pattern: #"(?i)\bunion\b[\s\S]{0,100}?\bselect\b"#,
              subject: bytes("q=union station selected"), expected: .noMatch),
    RegexCase(pattern: #"(?i)\bunion\b[\s\S]{0,100}?\bselect\b"#,
              subject: bytes("union" + String(repeating: " ", count: 101) + "select"), expected: .noMatch),
    // Byte semantics: bytes ≥ 0x80 and NUL are ordinary subject bytes, invalid UTF-8 is fine.
    RegexCase(pattern: #"\xff\xfe"#, subject: [0x41, 0xff, 0xfe, 0x42], expected: .match(1..<3)),
    RegexCase(pattern: #"a\x00b"#, subject: [0x00, 0x61, 0x00, 0x62], expected: .match(1..<4)),
    RegexCase(pattern: "b", subject: [0x00, 0x00, 0x62], expected: .match(2..<3)),
    RegexCase(pattern: #"^.{3}$"#, subject: [0xc3, 0xa9, 0x80], expected: .match(0..<3)),
    RegexCase(pattern: "é", subject: [0x20, 0xc3, 0xa9], expected: .match(1..<3)),
]

@Test("match table", arguments: matchTable)
func matchTableCase(_ row: RegexCase) throws {
    let regex = try Regex(row.pattern, options: row.options)
    var scratch = MatchScratch()
    let result = row.subject.withUnsafeBytes { regex.firstMatch(in: $0, scratch: &scratch) }
    #expect(result == row.expected)
}

@Test func tableIsNotEmpty() {
    #expect(matchTable.count > 10)
}

@Test func scratchIsReusedAcrossCallsAndStartOffsets() throws {
    let word = try Regex(#"\bcat\b"#)
    var scratch = MatchScratch()
    let subject = bytes("cat concat cat")
    subject.withUnsafeBytes { raw in
        #expect(word.firstMatch(in: raw, scratch: &scratch) == .match(0..<3))
        #expect(word.firstMatch(in: raw, from: 1, scratch: &scratch) == .match(11..<14))
        #expect(word.firstMatch(in: raw, from: 12, scratch: &scratch) == .noMatch)
    }
}

@Test func utfCannotBeSwitchedOnFromThePattern() {
    // PCRE2_NEVER_UTF: a (*UTF) verb would let pcre2_jit_match misread invalid UTF-8.
    #expect(throws: RegexError.self) { try Regex("(*UTF)abc") }
}

struct BadPattern: Sendable {
    let pattern: String
    let offset: Int
    let messageContains: String
}

@Test("bad pattern reports PCRE2's message and offset", arguments: [
    BadPattern(pattern: "abc(def", offset: 7, messageContains: "missing closing parenthesis"),
    BadPattern(pattern: "a{2,1}", offset: 5, messageContains: "out of order"),
    BadPattern(pattern: "x[b-a]", offset: 4, messageContains: "range out of order"),
    BadPattern(pattern: "*a", offset: 0, messageContains: "quantifier does not follow"),
])
func badPattern(_ bad: BadPattern) {
    do {
        _ = try Regex(bad.pattern)
        Issue.record("pattern \(bad.pattern) compiled but should not")
    } catch {
        #expect(error.pattern == bad.pattern)
        #expect(error.offset == bad.offset)
        #expect(error.message.contains(bad.messageContains), "message was: \(error.message)")
        #expect(error.code != 0)
    }
}

@Test func catastrophicBacktrackingHitsTheMatchLimit() throws {
    let regex = try Regex("(a+)+$")
    let subject = Array(repeating: UInt8(ascii: "a"), count: 40) + [UInt8(ascii: "b")]
    var tight = MatchScratch(limits: MatchLimits(matchLimit: 10_000))
    let result = subject.withUnsafeBytes { regex.firstMatch(in: $0, scratch: &tight) }
    #expect(result == .limitHit)
    // The same scratch still answers ordinary subjects afterwards.
    let fine = bytes("aaaa").withUnsafeBytes { regex.firstMatch(in: $0, scratch: &tight) }
    #expect(fine == .match(0..<4))
}

@Test func jitIsInUse() throws {
    let regex = try Regex(#"(?i)\bunion\b[\s\S]{0,100}?\bselect\b"#)
    #expect(regex.isJITCompiled)
    #expect(regex.jitSize > 0)
}

@Test func sharedAcrossTasks() async throws {
    let regex = try Regex("needle")
    let results = await withTaskGroup(of: RegexMatchResult.self) { group in
        for i in 0..<8 {
            group.addTask {
                regex.firstMatch(in: bytes(String(repeating: "h", count: i) + "needle"))
            }
        }
        var all: [RegexMatchResult] = []
        for await r in group { all.append(r) }
        return all
    }
    #expect(results.count == 8)
    #expect(results.allSatisfy { if case .match = $0 { true } else { false } })
}
