import Testing
@testable import PortcullisEngine

/// An ordinary value, and the transformations that leave it unchanged although its bytes cannot
/// prove it (the table's known conservatism: a lone space, a normal path, …).
struct IdentityCase: Sendable, CustomTestStringConvertible {
    let value: [UInt8]
    let unchangedButUnproven: Set<Transformation>
    var testDescription: String { String(decoding: value, as: UTF8.self) }

    init(_ value: String, unproven: Set<Transformation> = []) {
        self.value = Array(value.utf8)
        self.unchangedButUnproven = unproven
    }
}

private func bit(_ t: Transformation) -> UInt64 { UInt64(1) << UInt64(t.ordinal) }

/// Values around one byte, tried in turn until one shows the byte can matter: the byte alone,
/// repeated, and in the contexts each transformation acts on (`%41`, `&lt;`, `/*`, a UTF-8 lead).
private let witnessContexts: [@Sendable (UInt8) -> [UInt8]] = [
    { [$0] }, { [$0, $0] }, { [$0, 0] }, { [$0] + Array("41".utf8) }, { [$0] + Array("lt;".utf8) },
    { [$0] + Array("n".utf8) }, { Array("/".utf8) + [$0] }, { [$0, 0x80, 0x80, 0x80] },
]

@Suite("Transformation identity by bytes")
struct TransformationIdentityTests {
    /// (a) Values made only of a transformation's inert bytes come out byte for byte unchanged,
    /// and the mask says so: this is what makes skipping the transformation safe.
    @Test("inert values come out unchanged", arguments: Transformation.allCases)
    func inertValuesAreUnchanged(_ t: Transformation) {
        let inert = (0...255).map(UInt8.init).filter { !t.changingBytes.contains($0) }
        var rng = SplitMix64(seed: 0x1DE7_0000 | UInt64(t.ordinal))
        let rounds = inert.isEmpty ? 1 : 4_000
        for _ in 0..<rounds {
            let count = inert.isEmpty ? 0 : Int(rng.next() % 65)
            let value = (0..<count).map { _ in inert[Int(rng.next() % UInt64(inert.count))] }
            let proven = TransformationIdentity.unchangedMask(of: value) & bit(t) != 0
            #expect(proven == !t.changesEmptyValue, "\(t.rawValue): mask of an inert value")
            if proven {
                #expect(t.apply(value) == value, "\(t.rawValue) changed \(value)")
            }
        }
    }

    /// (b) Every byte listed as changing has a value holding it that the transformation does
    /// change: the sets are not larger than they need to be.
    @Test("every changing byte can change a value", arguments: Transformation.allCases)
    func changingBytesHaveWitnesses(_ t: Transformation) {
        for byte in (0...255).map(UInt8.init) where t.changingBytes.contains(byte) {
            let witness = witnessContexts.lazy
                .map { $0(byte) }
                .first { t.apply($0) != $0 }
            #expect(witness != nil, "\(t.rawValue): no value with byte \(byte) changes")
        }
    }

    /// The written-out masks are the ones `changingBytes` and `changesEmptyValue` define; on a
    /// mismatch the message holds the literal to paste into `TransformationIdentity`.
    @Test func tablesMatchTheirDefinition() {
        var table = [UInt64](repeating: 0, count: 256)
        var judged: UInt64 = 0, empty: UInt64 = 0
        for t in Transformation.allCases {
            if !t.changesEmptyValue { empty |= bit(t) }
            if t.changingBytes == .all { continue }
            judged |= bit(t)
            for b in 0...255 where t.changingBytes.contains(UInt8(b)) { table[b] |= bit(t) }
        }
        #expect(TransformationIdentity.judgedByBytes == judged, "judgedByBytes: \(hexLiteral(judged))")
        #expect(TransformationIdentity.unchangedWhenEmpty == empty, "unchangedWhenEmpty: \(hexLiteral(empty))")
        #expect(TransformationIdentity.changing == table, "changing:\n\(tableLiteral(table))")
    }

    /// The empty value: only the transformations that replace every value change it.
    @Test func emptyValue() {
        for t in Transformation.allCases {
            #expect((t.apply([]) == []) == !t.changesEmptyValue, "\(t.rawValue)")
        }
    }

    /// (c) On ordinary values the mask claims exactly the transformations that leave the value
    /// unchanged, except the listed ones it cannot prove from bytes alone.
    @Test("agrees with running the transformations", arguments: [
        IdentityCase(""),
        IdentityCase("/index.html", unproven: [.normalizePath, .normalizePathWin]),
        IdentityCase("alice"),
        IdentityCase("12345"),
        IdentityCase("value01abc"),
        IdentityCase("Mozilla/5.0 (X11; Linux x86_64)",
                     unproven: [.compressWhitespace, .trim, .normalizePath, .normalizePathWin]),
        IdentityCase("5.0", unproven: [.normalizePath, .normalizePathWin]),
        IdentityCase("ab-cd", unproven: [.removeComments]),
        IdentityCase("a b", unproven: [.compressWhitespace, .trim, .cmdLine]),
        IdentityCase("zzzz", unproven: [.hexDecode]),
        IdentityCase("1", unproven: [.length]),
        IdentityCase("session=abc123; theme=dark", unproven: [.compressWhitespace, .trim]),
        IdentityCase("text/html,application/xhtml+xml", unproven: [.normalizePath, .normalizePathWin]),
        IdentityCase("ÄÖ", unproven: [.hexDecode]),
    ])
    func agreesWithRunning(_ row: IdentityCase) {
        let mask = TransformationIdentity.unchangedMask(of: row.value)
        #expect(mask == TransformationIdentity.unchangedMask(of: ByteSet(of: row.value)))
        for t in Transformation.allCases {
            let unchanged = t.apply(row.value) == row.value
            let proven = mask & bit(t) != 0
            if proven { #expect(unchanged, "\(t.rawValue) claimed unchanged but changes it") }
            #expect((unchanged && !proven) == row.unchangedButUnproven.contains(t),
                    "\(t.rawValue): unchanged \(unchanged), proven \(proven)")
        }
    }

    /// Random values over the bytes transformations act on (and some they do not): whatever the
    /// mask claims holds, and the `ByteSet` form gives the same mask as the byte pass.
    @Test func claimsHoldOnRandomValues() {
        var rng = SplitMix64(seed: 0x5AFE_1D)
        let alphabet = Array("%uU+&#;xX\\/*-<!>=.0189aAfFzZ \t\n\"'^,(".utf8)
            + [0x00, 0x0B, 0x0C, 0xA0, 0xC0, 0xC3, 0xE0, 0xF7, 0xF8, 0x80, 0xAF, 0xFF]
        for _ in 0..<5_000 {
            let count = Int(rng.next() % 24)
            let value = (0..<count).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let mask = TransformationIdentity.unchangedMask(of: value)
            #expect(mask == TransformationIdentity.unchangedMask(of: ByteSet(of: value)))
            for t in Transformation.allCases where mask & bit(t) != 0 {
                #expect(t.apply(value) == value, "\(t.rawValue) changed \(value)")
            }
        }
    }
}

private func hexLiteral(_ v: UInt64) -> String {
    let digits = String(v, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
}

/// The Swift literal of a 256-entry mask table, eight entries a line with their byte range.
private func tableLiteral(_ table: [UInt64]) -> String {
    stride(from: 0, to: 256, by: 8).map { row in
        "        " + (row..<row + 8).map { hexLiteral(table[$0]) + "," }.joined(separator: " ")
            + "  // \(hexLiteral(UInt64(row)).suffix(2))–\(hexLiteral(UInt64(row + 7)).suffix(2))"
    }.joined(separator: "\n")
}
