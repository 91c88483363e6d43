import Testing
@testable import PortcullisEngine

private func phr(_ list: [String], ci: Bool = false) -> [[UInt8]] { list.map(opBytes) }

/// One phrase-matcher row, run against both layouts.
struct PhraseCase: Sendable, CustomTestStringConvertible {
    let phrases: [[UInt8]]
    let caseInsensitive: Bool
    let value: [UInt8]
    let expected: Range<Int>?
    let note: String
    var testDescription: String { note }

    init(_ phrases: [String], ci: Bool = false, _ value: String, _ expected: Range<Int>?, _ note: String) {
        self.init(phrases.map(opBytes), ci: ci, opBytes(value), expected, note)
    }

    init(_ phrases: [[UInt8]], ci: Bool = false, _ value: [UInt8], _ expected: Range<Int>?, _ note: String) {
        self.phrases = phrases
        self.caseInsensitive = ci
        self.value = value
        self.expected = expected
        self.note = note
    }
}

private let phraseTable: [PhraseCase] = [
    PhraseCase(["he", "she", "hers", "his"], "ushers", 1..<4, "he/she/hers: she and he end together, longest wins"),
    PhraseCase(["hers"], "ushers", 2..<6, "single phrase"),
    PhraseCase(["he", "she", "hers"], "hhe", 1..<3, "restart after a failed prefix"),
    PhraseCase(["he", "she", "hers"], "xhis", nil, "no match"),
    PhraseCase(["hers", "he"], "her", 0..<2, "shorter phrase ends first"),
    PhraseCase(["abcd", "bc"], "abcd", 1..<3, "phrase inside another ends first"),
    PhraseCase(["abcd", "bcx"], "abcx", 1..<4, "failure link into another phrase"),
    PhraseCase(["aaa"], "aaaa", 0..<3, "repeated byte"),
    PhraseCase(["a", "aa", "aaa"], "xaaa", 1..<2, "earliest end"),
    PhraseCase(["select", "union"], "x UNION select", 8..<14, "case-sensitive skips UNION"),
    PhraseCase(["SELECT", "union"], ci: true, "x UNION select", 2..<7, "case-insensitive"),
    PhraseCase(["select"], ci: true, "SeLeCt", 0..<6, "case-insensitive, whole value"),
    PhraseCase(["select"], "", nil, "empty value"),
    PhraseCase(["select"], "sel", nil, "value shorter than phrase"),
    PhraseCase(["abc"], "abc", 0..<3, "whole value"),
    PhraseCase(["abc"], "abcxx", 0..<3, "at start"),
    PhraseCase(["abc"], "xxabc", 2..<5, "at end"),
    PhraseCase(["dup", "dup", "x"], "a dup", 2..<5, "duplicate phrases"),
    PhraseCase([[0xFF, 0x00]], [0x01, 0xFF, 0x00, 0x02], 1..<3, "NUL and bytes ≥ 0x80"),
    PhraseCase([[0x00]], [0x61, 0x00], 1..<2, "NUL phrase"),
    PhraseCase([[0xC3, 0xA9]], ci: true, [0xC3, 0x89], nil, "no folding ≥ 0x80"),
    PhraseCase(["@"], ci: true, "`", nil, "@ and ` are not a case pair"),
    PhraseCase((0..<256).map { [UInt8($0)] }, [0x80], 0..<1, "all 256 bytes as phrases"),
    PhraseCase((0..<256).map { [UInt8($0)] } + [[0x41, 0x42, 0x43]], [0x43], 0..<1, "all bytes plus a longer phrase"),
    PhraseCase((0..<256).map { [UInt8($0), 0x61] }, ci: true, [0x00, 0x00, 0x41], 1..<3, "all bytes, folded"),
]

@Test("phrases", arguments: phraseTable, [PhraseMatcher.Layout.dense, .compact])
func operatorPhrases(_ row: PhraseCase, _ layout: PhraseMatcher.Layout) throws {
    let matcher = try PhraseMatcher(row.phrases, caseInsensitive: row.caseInsensitive, layout: layout)
    let found = row.value.withUnsafeBytes { matcher.firstMatch(in: $0) }
    #expect(found == row.expected)
    let op = PhrasesOperator(matcher: matcher)
    #expect(opEvaluate(op, row.value) == (row.expected.map { .match($0) } ?? .noMatch))
}

@Test func operatorPhraseTableIsNotEmpty() {
    #expect(phraseTable.count > 20)
}

@Test func operatorPhrasesChooseLayoutBySize() throws {
    let small = try PhraseMatcher(phr(["a", "b"]), caseInsensitive: false)
    #expect(small.layout == .dense)
    #expect(small.classCount == 3)
    #expect(small.stateCount == 3)
    let folded = try PhraseMatcher(phr(["aB", "Ab"]), caseInsensitive: true)
    #expect(folded.classCount == 3)
    #expect(folded.stateCount == 3)
    // 4,000 distinct 12-byte phrases over 200 byte values: far over the dense budget.
    var rng = OperatorTestRNG(seed: 7)
    let big = (0..<4_000).map { _ in (0..<12).map { _ in UInt8.random(in: 0...199, using: &rng) } }
    let matcher = try PhraseMatcher(big, caseInsensitive: false)
    #expect(matcher.layout == .compact)
    let hit = [0x20, 0x20] + big[1234] + [0x20]
    #expect(hit.withUnsafeBytes { matcher.firstMatch(in: $0) } == 2..<14)
}

/// The naive reference: for each end position in order, the longest phrase ending there.
private func naiveFirstMatch(_ phrasesByLength: [Int: Set<[UInt8]>], _ value: [UInt8], fold: Bool) -> Range<Int>? {
    let v = fold ? value.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 } : value
    let lengths = phrasesByLength.keys.sorted(by: >)
    for end in stride(from: 1, through: v.count, by: 1) {
        for length in lengths where length <= end {
            if phrasesByLength[length]!.contains(Array(v[(end - length)..<end])) { return (end - length)..<end }
        }
    }
    return nil
}

/// 5,000 phrases against a naive search on seeded random values, both layouts, with and without
/// case folding. Values are random bytes from the phrases' alphabet plus a few outsiders, half of
/// them with a (re-cased) phrase planted somewhere, so there are matches at every position,
/// overlapping candidates, and values without any match.
@Test(arguments: [false, true])
func operatorPhrasesAgreeWithNaiveSearch(caseInsensitive: Bool) throws {
    var rng = OperatorTestRNG(seed: caseInsensitive ? 0xC0FFEE : 0xBEEF)
    let alphabet: [UInt8] = [0x61, 0x62, 0x63, 0x64, 0x65, 0x41, 0x42, 0x43, 0x00, 0xFF, 0x80, 0x20, 0x2F, 0x3C, 0x7A, 0x5A]
    let outsiders: [UInt8] = [0x31, 0x32, 0xC3, 0x0A]
    let phrases = (0..<5_000).map { _ in
        (0..<Int.random(in: 4...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
    }
    let fold: (UInt8) -> UInt8 = { caseInsensitive && $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 }
    var byLength: [Int: Set<[UInt8]>] = [:]
    for p in phrases { byLength[p.count, default: []].insert(p.map(fold)) }

    let dense = try PhraseMatcher(phrases, caseInsensitive: caseInsensitive, layout: .dense)
    let compact = try PhraseMatcher(phrases, caseInsensitive: caseInsensitive, layout: .compact)
    let auto = try PhrasesOperator(phrases, caseInsensitive: caseInsensitive)
    var matched = 0, unmatched = 0
    for round in 0..<600 {
        var value = (0..<Int.random(in: 0...300, using: &rng)).map { _ in
            Int.random(in: 0..<10, using: &rng) == 0 ? outsiders.randomElement(using: &rng)!
                                                     : alphabet.randomElement(using: &rng)!
        }
        if round % 2 == 0 {
            let planted = phrases.randomElement(using: &rng)!.map { b -> UInt8 in
                guard caseInsensitive, Bool.random(using: &rng) else { return b }
                return b >= 0x61 && b <= 0x7A ? b - 32 : (b >= 0x41 && b <= 0x5A ? b + 32 : b)
            }
            let at = Int.random(in: 0...value.count, using: &rng)
            value.insert(contentsOf: planted, at: at)
        }
        let expected = naiveFirstMatch(byLength, value, fold: caseInsensitive)
        let fromDense = value.withUnsafeBytes { dense.firstMatch(in: $0) }
        let fromCompact = value.withUnsafeBytes { compact.firstMatch(in: $0) }
        #expect(fromDense == expected, "round \(round)")
        #expect(fromCompact == expected, "round \(round)")
        #expect(opEvaluate(auto, value) == (expected.map { .match($0) } ?? .noMatch))
        if expected == nil { unmatched += 1 } else { matched += 1 }
    }
    // The data must exercise both outcomes, or the cross-check proves little.
    #expect(matched > 100)
    #expect(unmatched > 25)
}
