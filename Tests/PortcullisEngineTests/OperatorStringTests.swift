import Testing
@testable import PortcullisEngine

private func eq(_ s: String, ci: Bool = false) -> OperatorSpec { .equals(opBytes(s), caseInsensitive: ci) }
private func has(_ s: String, ci: Bool = false) -> OperatorSpec { .contains(opBytes(s), caseInsensitive: ci) }
private func sw(_ s: String, ci: Bool = false) -> OperatorSpec { .startsWith(opBytes(s), caseInsensitive: ci) }
private func ew(_ s: String, ci: Bool = false) -> OperatorSpec { .endsWith(opBytes(s), caseInsensitive: ci) }
private func word(_ s: String, ci: Bool = false) -> OperatorSpec { .containsWord(opBytes(s), caseInsensitive: ci) }

private let equalsTable: [OperatorCase] = [
    OperatorCase(eq("abc"), "abc", .match(0..<3)),
    OperatorCase(eq("abc"), "abcd", .noMatch, "value longer"),
    OperatorCase(eq("abc"), "ab", .noMatch, "value shorter"),
    OperatorCase(eq("abc"), "", .noMatch, "empty value"),
    OperatorCase(eq("abc"), "ABC", .noMatch, "case-sensitive"),
    OperatorCase(eq("aBc", ci: true), "AbC", .match(0..<3), "case-insensitive"),
    OperatorCase(eq("", ci: false), "", .match(0..<0), "empty equals empty"),
    OperatorCase(eq(""), "a", .noMatch),
    OperatorCase(.equals([0x61, 0x00, 0x62], caseInsensitive: false), [0x61, 0x00, 0x62], .match(0..<3), "NUL inside"),
    OperatorCase(.equals([0x61, 0x00, 0x62], caseInsensitive: false), [0x61, 0x00, 0x63], .noMatch, "NUL then differs"),
    // ASCII-only folding: é (c3 a9) and É (c3 89) are different bytes, never folded.
    OperatorCase(.equals([0xC3, 0xA9], caseInsensitive: true), [0xC3, 0x89], .noMatch, "no folding ≥ 0x80"),
    OperatorCase(.equals([0xC3, 0xA9], caseInsensitive: true), [0xC3, 0xA9], .match(0..<2)),
    OperatorCase(eq("@[", ci: true), "`{", .noMatch, "@ and [ are not letters"),
    OperatorCase(eq("z", ci: true), "Z", .match(0..<1)),
]

private let containsTable: [OperatorCase] = [
    OperatorCase(has("select"), "1 union select 2", .match(8..<14)),
    OperatorCase(has("select"), "1 union SELECT 2", .noMatch, "case-sensitive"),
    OperatorCase(has("select", ci: true), "1 union SeLeCt 2", .match(8..<14), "case-insensitive"),
    OperatorCase(has("SELECT", ci: true), "select", .match(0..<6), "needle folded too"),
    OperatorCase(has("select"), "selec", .noMatch, "value shorter than needle"),
    OperatorCase(has("select"), "", .noMatch, "empty value"),
    OperatorCase(has("ab"), "abxx", .match(0..<2), "at start"),
    OperatorCase(has("ab"), "xxab", .match(2..<4), "at end"),
    OperatorCase(has("ab"), "xababab", .match(1..<3), "first occurrence"),
    OperatorCase(has("aab"), "aaab", .match(1..<4), "restart after partial"),
    OperatorCase(has("abc"), "abc", .match(0..<3), "whole value"),
    OperatorCase(has("x"), "aaax", .match(3..<4), "single byte"),
    OperatorCase(has("x", ci: true), "aaaX", .match(3..<4)),
    OperatorCase(.contains([0x61, 0x00, 0x62], caseInsensitive: false), [0x00, 0x61, 0x00, 0x62], .match(1..<4), "NUL"),
    OperatorCase(.contains([0x61, 0x00, 0x62], caseInsensitive: true), [0x00, 0x41, 0x00, 0x42], .match(1..<4), "NUL ci"),
    OperatorCase(.contains([0xFF, 0xFE], caseInsensitive: false), [0x41, 0xFF, 0xFE, 0x42], .match(1..<3), "high bytes"),
    OperatorCase(.contains([0xC3, 0xA9], caseInsensitive: true), [0x20, 0xC3, 0x89], .noMatch, "no folding ≥ 0x80"),
    OperatorCase(.contains([0xE9], caseInsensitive: true), [0x20, 0xC9], .noMatch, "latin-1 not folded"),
    OperatorCase(has("ab"), "a", .noMatch),
    OperatorCase(has("ba"), "aaaaaaaaab", .noMatch, "first byte found, rest not"),
]

private let startsWithTable: [OperatorCase] = [
    OperatorCase(sw("/admin"), "/admin/users", .match(0..<6)),
    OperatorCase(sw("/admin"), "/admin", .match(0..<6), "whole value"),
    OperatorCase(sw("/admin"), "/adm", .noMatch, "value shorter"),
    OperatorCase(sw("/admin"), "", .noMatch, "empty value"),
    OperatorCase(sw("/admin"), "x/admin", .noMatch, "not at start"),
    OperatorCase(sw("/admin"), "/ADMIN", .noMatch, "case-sensitive"),
    OperatorCase(sw("/admin", ci: true), "/AdMiN/x", .match(0..<6), "case-insensitive"),
    OperatorCase(.startsWith([0x00, 0xFF], caseInsensitive: false), [0x00, 0xFF, 0x01], .match(0..<2), "NUL, high"),
    OperatorCase(.startsWith([0xE9], caseInsensitive: true), [0xC9], .noMatch, "no folding ≥ 0x80"),
]

private let endsWithTable: [OperatorCase] = [
    OperatorCase(ew(".php"), "index.php", .match(5..<9)),
    OperatorCase(ew(".php"), ".php", .match(0..<4), "whole value"),
    OperatorCase(ew(".php"), "php", .noMatch, "value shorter"),
    OperatorCase(ew(".php"), "", .noMatch, "empty value"),
    OperatorCase(ew(".php"), "index.php.bak", .noMatch, "not at end"),
    OperatorCase(ew(".php"), "INDEX.PHP", .noMatch, "case-sensitive"),
    OperatorCase(ew(".PHP", ci: true), "index.pHp", .match(5..<9), "case-insensitive"),
    OperatorCase(.endsWith([0x00], caseInsensitive: false), [0x61, 0x00], .match(1..<2), "NUL at end"),
    OperatorCase(.endsWith([0xFF, 0x61], caseInsensitive: true), [0x00, 0xFF, 0x41], .match(1..<3), "high then folded"),
]

private let containsWordTable: [OperatorCase] = [
    OperatorCase(word("cat"), "cat", .match(0..<3), "whole value"),
    OperatorCase(word("cat"), "the cat sat", .match(4..<7), "spaces"),
    OperatorCase(word("cat"), "cat sat", .match(0..<3), "start of value"),
    OperatorCase(word("cat"), "a cat", .match(2..<5), "end of value"),
    OperatorCase(word("cat"), "concat cat", .match(7..<10), "skips occurrence inside a word"),
    OperatorCase(word("cat"), "cats", .noMatch, "followed by letter"),
    OperatorCase(word("cat"), "bobcat", .noMatch, "preceded by letter"),
    OperatorCase(word("cat"), "_cat", .noMatch, "underscore is a word byte"),
    OperatorCase(word("cat"), "cat_", .noMatch),
    OperatorCase(word("cat"), "9cat", .noMatch, "digit is a word byte"),
    OperatorCase(word("cat"), "cat0", .noMatch),
    OperatorCase(word("cat"), "a-cat-b", .match(2..<5), "punctuation bounds"),
    OperatorCase(word("cat"), "(cat)", .match(1..<4)),
    OperatorCase(.containsWord(opBytes("cat"), caseInsensitive: false), [0x00, 0x63, 0x61, 0x74, 0x00], .match(1..<4),
                 "NUL bounds"),
    OperatorCase(.containsWord(opBytes("cat"), caseInsensitive: false), [0xC3, 0x63, 0x61, 0x74, 0xA9], .match(1..<4),
                 "bytes ≥ 0x80 are not word bytes"),
    OperatorCase(word("cat"), "CAT", .noMatch, "case-sensitive"),
    OperatorCase(word("cat", ci: true), "the CaT", .match(4..<7), "case-insensitive"),
    OperatorCase(word("cat", ci: true), "CATS Cat", .match(5..<8)),
    OperatorCase(word("aa"), "aaa aa", .match(4..<6), "overlapping candidates"),
    OperatorCase(word("aa"), "aaaa", .noMatch),
    OperatorCase(word("cat"), "", .noMatch, "empty value"),
    OperatorCase(word("cat"), "ca", .noMatch, "value shorter"),
    OperatorCase(word("../"), "/../", .match(1..<4), "non-word needle bounded"),
    OperatorCase(word("../"), "x/../y", .noMatch, "non-word needle next to word bytes"),
    OperatorCase(word("union select"), "1 union select 2", .match(2..<14), "needle with space"),
]

@Test("equals", arguments: equalsTable) func operatorEquals(_ row: OperatorCase) throws { try opCheck(row) }
@Test("contains", arguments: containsTable) func operatorContains(_ row: OperatorCase) throws { try opCheck(row) }
@Test("starts_with", arguments: startsWithTable) func operatorStartsWith(_ row: OperatorCase) throws { try opCheck(row) }
@Test("ends_with", arguments: endsWithTable) func operatorEndsWith(_ row: OperatorCase) throws { try opCheck(row) }
@Test("contains_word", arguments: containsWordTable) func operatorContainsWord(_ row: OperatorCase) throws { try opCheck(row) }

@Test func operatorStringTablesAreNotEmpty() {
    #expect(equalsTable.count > 10)
    #expect(containsTable.count > 10)
    #expect(startsWithTable.count > 5)
    #expect(endsWithTable.count > 5)
    #expect(containsWordTable.count > 20)
}

/// contains, contains_word, starts_with, ends_with against a naive reference on random bytes:
/// the small alphabet makes partial matches and repeats common.
@Test func operatorStringOperatorsAgreeWithNaiveSearch() throws {
    var rng = OperatorTestRNG(seed: 0x5eed_0001)
    let alphabet: [UInt8] = [0x61, 0x41, 0x62, 0x42, 0x5F, 0x20, 0x00, 0xFF]
    var checked = 0
    for _ in 0..<2_000 {
        let needle = (0..<Int.random(in: 1...4, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
        let value = (0..<Int.random(in: 0...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
        let ci = Bool.random(using: &rng)
        let f: (UInt8) -> UInt8 = { ci && $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 }
        let fv = value.map(f), fn = needle.map(f)
        let occurrences = fv.count >= fn.count ? (0...(fv.count - fn.count)).filter { Array(fv[$0..<($0 + fn.count)]) == fn } : []
        let isWord: (UInt8) -> Bool = { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
        let wordAt = occurrences.first { at in
            (at == 0 || !isWord(value[at - 1])) && (at + needle.count == value.count || !isWord(value[at + needle.count]))
        }
        let m = needle.count
        let expectContains: OperatorResult = occurrences.first.map { .match($0..<($0 + m)) } ?? .noMatch
        let expectWord: OperatorResult = wordAt.map { .match($0..<($0 + m)) } ?? .noMatch
        let expectStart: OperatorResult = occurrences.first == 0 ? .match(0..<m) : .noMatch
        let expectEnd: OperatorResult = occurrences.last.map { $0 + m == value.count } == true
            ? .match((value.count - m)..<value.count) : .noMatch
        #expect(opEvaluate(try ContainsOperator(needle, caseInsensitive: ci), value) == expectContains)
        #expect(opEvaluate(try ContainsWordOperator(needle, caseInsensitive: ci), value) == expectWord)
        #expect(opEvaluate(try StartsWithOperator(needle, caseInsensitive: ci), value) == expectStart)
        #expect(opEvaluate(try EndsWithOperator(needle, caseInsensitive: ci), value) == expectEnd)
        checked += 1
    }
    #expect(checked == 2_000)
}

/// A small deterministic generator (SplitMix64) so random tests replay exactly.
struct OperatorTestRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
