import Testing
@testable import PortcullisEngine

/// A value a transformation may or may not change, seen in the middle of other bytes (as a
/// request value is a slice of the request's buffer).
struct InPlaceCase: Sendable, CustomTestStringConvertible {
    let value: [UInt8]
    var testDescription: String { String(decoding: value, as: UTF8.self) }

    init(_ value: String) { self.value = Array(value.utf8) }
    init(bytes: [UInt8]) { self.value = bytes }
}

/// Values at the edges of each transformation's "nothing to do" scan: an opener or escape at the
/// very start or end, cut short, or only completed by a byte just outside the value.
private let inPlaceCases: [InPlaceCase] = [
    InPlaceCase(""), InPlaceCase("/index.html"), InPlaceCase("peer-bench/1.0 (wrk)"),
    InPlaceCase("/"), InPlaceCase("."), InPlaceCase(".."), InPlaceCase("../a"), InPlaceCase("a/../b"),
    InPlaceCase("/a/"), InPlaceCase("//"), InPlaceCase("/a/./b"), InPlaceCase("a\\b"), InPlaceCase("\\"),
    InPlaceCase("/"), InPlaceCase("*"), InPlaceCase("/*"), InPlaceCase("*/"), InPlaceCase("-"), InPlaceCase("--"),
    InPlaceCase("<!-"), InPlaceCase("<!--"), InPlaceCase("#"), InPlaceCase("a-b-c"), InPlaceCase("x/**/y"),
    InPlaceCase(" "), InPlaceCase("  "), InPlaceCase("a b"), InPlaceCase("a  b"), InPlaceCase(" a "),
    InPlaceCase("\ta\n"), InPlaceCase("%"), InPlaceCase("%4"), InPlaceCase("%41"), InPlaceCase("%zz"),
    InPlaceCase("a+b"), InPlaceCase("%u0041"), InPlaceCase("%u004"), InPlaceCase("&"), InPlaceCase("&lt;"),
    InPlaceCase("&#x41;"), InPlaceCase("&lt"), InPlaceCase("\\x41"), InPlaceCase("\\"), InPlaceCase("\\41 "),
    InPlaceCase("AbC"), InPlaceCase("abc"), InPlaceCase("ABC"), InPlaceCase("c^at /et\"c\"/pa''ss\\wd"),
    InPlaceCase("a ;b"), InPlaceCase("a /b"), InPlaceCase("QUJD"), InPlaceCase("QUJ"), InPlaceCase("4142"),
    InPlaceCase("414"), InPlaceCase("zz"), InPlaceCase("1%27%20OR%20%271%27%3D%271"), InPlaceCase("1' OR '1'='1"),
    InPlaceCase(bytes: [0]), InPlaceCase(bytes: [0x41, 0, 0x42]), InPlaceCase(bytes: [0xA0]),
    InPlaceCase(bytes: [0xC3, 0xA9]), InPlaceCase(bytes: [0xC3]), InPlaceCase(bytes: [0xE0, 0x80, 0xAF]),
    InPlaceCase(bytes: [0xFF, 0xFE]), InPlaceCase(String(repeating: "abcdefgh", count: 9) + "/*"),
    InPlaceCase(String(repeating: "x", count: 70)), InPlaceCase(String(repeating: "a/", count: 40)),
]

/// Bytes around the value that transformations act on, in two different orders: a scan that
/// strayed past either end of the slice would see different bytes in each and answer differently.
private let before = Array("/./ %41&lt;\\x41 A*/*--#\\".utf8) + [0, 0xA0, 0xC3]
private let after = Array("\\* --#%41&amp; /../ Z".utf8) + [0, 0xA0, 0xC3, 0xA9]
private let surroundings: [([UInt8], [UInt8])] = [
    (before, after), (after, before), (Array("zz".utf8), Array("zz".utf8)), ([], []),
]

/// `t.changed` over `value` placed between `head` and `tail`.
private func changedInPlace(_ t: Transformation, _ value: [UInt8], _ head: [UInt8], _ tail: [UInt8]) -> [UInt8]? {
    let buffer = head + value + tail
    return buffer.withUnsafeBufferPointer { all in
        t.changed(UnsafeBufferPointer(rebasing: all[head.count..<(head.count + value.count)]))
    }
}

/// Checks one value: the same answer (nil included) whatever surrounds it, the output `apply`
/// gives a copy of it, and nil only for a value that comes out unchanged.
private func expectInPlaceAgreement(_ t: Transformation, _ value: [UInt8]) {
    let expected = t.apply(value)
    let answers = surroundings.map { changedInPlace(t, value, $0.0, $0.1) }
    for answer in answers {
        #expect(answer == answers[0], "\(t.rawValue) on \(value): the answer depends on the bytes around it")
        #expect((answer ?? value) == expected, "\(t.rawValue) on \(value): changed and apply differ")
    }
}

@Suite("Transformations over bytes in place")
struct TransformationInPlaceTests {
    /// `changed` over a slice in the middle of other bytes gives what `apply` gives for a copy of
    /// it, and the same answer whatever the neighbouring bytes are: the engine runs steps over
    /// request values in place and skips copying a value on a nil answer.
    @Test("changed agrees with apply", arguments: Transformation.allCases, inPlaceCases)
    func changedAgreesWithApply(_ t: Transformation, _ row: InPlaceCase) {
        expectInPlaceAgreement(t, row.value)
    }

    /// The same on random values over an alphabet dense in the bytes transformations act on.
    @Test("changed agrees with apply on random values", arguments: Transformation.allCases)
    func changedAgreesOnRandomValues(_ t: Transformation) {
        let alphabet = Array("aZ09/.\\*-#<!>% +&;x4u\"'^,(".utf8) + [0, 0x09, 0x0A, 0xA0, 0xC3, 0xA9, 0xE0]
        var rng = SplitMix64(seed: 0x1A_9CE0 | UInt64(t.ordinal))
        for _ in 0..<1_000 {
            let count = Int(rng.next() % 24)
            expectInPlaceAgreement(t, (0..<count).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
        }
    }
}
