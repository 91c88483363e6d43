import Testing
@testable import PortcullisEngine

/// `Base64Preimage`: a value it rules out is never decoded, so a value whose `base64_decode`
/// contains the literal must always pass — on any alignment, with noise, padding and either
/// alphabet between the digits.
@Suite struct Base64PreimageTests {
    static let nodeMarker = Array("_$$ND_FUNC$$_".utf8)

    /// A Base64 encoder of its own (standard alphabet, `=` padding), independent of the decoder.
    static func encode(_ bytes: [UInt8]) -> [UInt8] {
        let digits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            var group = 0
            for k in 0..<3 { group = group << 8 | (k < n ? Int(bytes[i + k]) : 0) }
            for k in 0..<4 { out.append(k <= n ? digits[(group >> (18 - 6 * k)) & 0x3F] : UInt8(ascii: "=")) }
            i += 3
        }
        return out
    }

    static func contains(_ hay: [UInt8], _ needle: [UInt8], folding: Bool) -> Bool {
        guard needle.count <= hay.count else { return false }
        func f(_ b: UInt8) -> UInt8 { folding ? ByteSearch.fold(b) : b }
        for start in 0...(hay.count - needle.count)
        where (0..<needle.count).allSatisfy({ f(hay[start + $0]) == f(needle[$0]) }) { return true }
        return false
    }

    /// Deterministic generator (PCG-style LCG).
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
    }

    static let noise: [UInt8] = Array(" \t\r\n.,:;!*%&=\"'<>{}[]()".utf8) + [0x00, 0x80, 0xC3, 0xFF]

    /// An encoding of `prefix + literal + suffix` made as hostile as the decoder allows: digits
    /// swapped to the URL-safe alphabet, noise and `=` between them (only where `=` is skipped).
    static func disguise(_ encoded: [UInt8], _ g: inout Generator) -> [UInt8] {
        var out: [UInt8] = []
        for b in encoded {
            if g.below(4) == 0 { out.append(noise[g.below(noise.count)]) }
            switch b {
            case UInt8(ascii: "+") where g.below(2) == 0: out.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/") where g.below(2) == 0: out.append(UInt8(ascii: "_"))
            default: out.append(b)
            }
        }
        if g.below(3) == 0 { out += Array("==  \n".utf8) }
        return out
    }

    static func randomLiteral(_ g: inout Generator) -> [UInt8] {
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$()<>/+-=".utf8)
        return (0..<(2 + g.below(10))).map { _ in g.below(5) == 0 ? g.byte() : letters[g.below(letters.count)] }
    }

    /// The property: every value whose decoding contains the literal (in the checked case mode)
    /// passes the filter, over random literals, alignments, surroundings and disguises.
    @Test(arguments: [false, true])
    func neverRulesOutAValueThatDecodesToTheLiteral(_ caseInsensitive: Bool) throws {
        var g = Generator(state: caseInsensitive ? 0xB64 : 0x64B)
        var checked = 0
        for _ in 0..<400 {
            let literal = Self.randomLiteral(&g)
            let preimage = try #require(Base64Preimage(literals: [literal], caseInsensitive: caseInsensitive))
            for _ in 0..<10 {
                var inner = literal
                if caseInsensitive {
                    inner = inner.map { ($0 | 0x20) &- 0x61 < 26 && g.below(2) == 0 ? $0 ^ 0x20 : $0 }
                }
                let prefix = (0..<g.below(7)).map { _ in g.byte() }
                let suffix = (0..<g.below(4)).map { _ in g.byte() }
                let value = Self.disguise(Self.encode(prefix + inner + suffix), &g)
                let decoded = Transformation.base64Decode.apply(value)
                // A `=` after a lone sextet empties the output: the precondition then fails.
                guard Self.contains(decoded, literal, folding: caseInsensitive) else { continue }
                checked += 1
                #expect(preimage.mayDecodeToMatch(ByteSet(of: value)),
                        "\(literal) in \(value) (decodes to \(decoded))")
            }
        }
        #expect(checked > 2000)
    }

    /// Random values, not built around the literal: whichever happen to decode to one of the
    /// literals pass, and most values of a shape the literals cannot come from are ruled out.
    @Test func randomValuesThatDecodeToALiteralPass() throws {
        var g = Generator(state: 77)
        let literals: Set<[UInt8]> = [Array("ab".utf8), Array("<?".utf8), Array("zz9".utf8)]
        let preimage = try #require(Base64Preimage(literals: literals, caseInsensitive: true))
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_= .".utf8)
        var hits = 0, ruledOut = 0
        for _ in 0..<20_000 {
            let value = (0..<g.below(24)).map { _ in alphabet[g.below(alphabet.count)] }
            if !preimage.mayDecodeToMatch(ByteSet(of: value)) { ruledOut += 1 }
            let decoded = Transformation.base64Decode.apply(value)
            guard literals.contains(where: { Self.contains(decoded, $0, folding: true) }) else { continue }
            hits += 1
            #expect(preimage.mayDecodeToMatch(ByteSet(of: value)), "\(value)")
        }
        #expect(hits >= 10)
        #expect(ruledOut > 5_000)
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var value: String
        var literal: String
        var caseInsensitive: Bool
        var may: Bool
        var why: String
        var testDescription: String { why }
        init(_ value: String, _ literal: String, _ caseInsensitive: Bool, _ may: Bool, _ why: String) {
            (self.value, self.literal, self.caseInsensitive, self.may, self.why) = (value, literal, caseInsensitive, may, why)
        }
    }

    static let table: [Row] = [
        Row("XyQkTkRfRlVOQyQkXwo=", "_$$ND_FUNC$$_", false, true, "rule 1950's example"),
        Row("AF8kJE5EX0ZVTkMkJF8=", "_$$ND_FUNC$$_", false, true, "second alignment"),
        Row("AABfJCRORF9GVU5DJCRf", "_$$ND_FUNC$$_", false, true, "third alignment"),
        Row("X y Q k T k R f R l V O Q y Q k X w", "_$$ND_FUNC$$_", false, true, "digits apart"),
        Row("value01abcdefghijklmnopqrstuvwxyz0123456789", "_$$ND_FUNC$$_", false, false, "no upper case"),
        Row("hello world", "_$$ND_FUNC$$_", false, false, "ordinary text"),
        Row("", "_$$ND_FUNC$$_", false, false, "empty"),
        Row("PHNjcmlwdD4=", "<script>", false, true, "standard"),
        Row("PHNjcmlwdD4=", "<SCRIPT>", false, false, "case-sensitive literal in another case"),
        Row("PHNjcmlwdD4=", "<SCRIPT>", true, true, "case folded"),
        Row("Pz8_", "???", false, true, "URL-safe 63"),
        Row("Pz8/", "???", false, true, "standard 63"),
        Row("Pz8", "???", false, false, "63 missing"),
    ]

    @Test(arguments: Base64PreimageTests.table)
    func tableRow(_ row: Row) throws {
        let preimage = try #require(Base64Preimage(literals: [Array(row.literal.utf8)],
                                                   caseInsensitive: row.caseInsensitive))
        #expect(preimage.mayDecodeToMatch(ByteSet(of: Array(row.value.utf8))) == row.may, "\(row.why)")
    }

    /// Literals that fix no sextet at some alignment make no filter.
    @Test func shortOrMissingLiteralsMakeNoFilter() {
        #expect(Base64Preimage(literals: [], caseInsensitive: false) == nil)
        #expect(Base64Preimage(literals: [[0x41]], caseInsensitive: false) == nil)
        #expect(Base64Preimage(literals: [[0x41, 0x42], [0x43]], caseInsensitive: true) == nil)
        #expect(Base64Preimage(literals: [[0x41, 0x42]], caseInsensitive: false) != nil)
    }

    /// The digit sets come from the decoder's table: both alphabets for 62 and 63.
    @Test func digitSetsCoverBothAlphabets() {
        #expect(Base64Preimage.digitBytes[62] == ByteSet(Array("+-".utf8)))
        #expect(Base64Preimage.digitBytes[63] == ByteSet(Array("/_".utf8)))
        #expect(Base64Preimage.digitBytes[0] == ByteSet([UInt8(ascii: "A")]))
        var digits = 0
        for set in Base64Preimage.digitBytes { digits += (0..<256).filter { set.contains(UInt8($0)) }.count }
        #expect(digits == 66)
    }
}
