@testable import PortcullisEngine
import Testing

/// `ValueScan` makes a value's byte set and literal hits in one pass; each must be exactly what
/// the separate scans give (`ByteSet(of:)`, `LiteralScreen.Tables.hits(in:)`), with a screen and
/// (`RequestCache.ValueSummary(_:screen:)`) without one.
@Suite struct ValueScanTests {
    static let literalSets: [Set<[UInt8]>] = [
        ["select", "union"], ["ab"], ["abab", "bab"], ["="], ["a=b"], ["&x"], ["script"], ["b"],
        ["aaaa"], ["ba&"], ["xyz", "yz"], ["\u{C3}\u{A9}t"],
    ].map { Set($0.map { Array($0.utf8) }) }

    static let screen = LiteralScreen(literalSets)

    /// Checks one value against the separate scans, with the screen and without one.
    func check(_ value: [UInt8], _ label: String) {
        let expectedBytes = ByteSet(of: value)
        for tables in [Self.screen.tables, nil] {
            let expectedHits = tables.map { t in value.withUnsafeBytes { t.hits(in: $0) } } ?? LiteralScreen.Hits()
            let with = tables == nil ? "without a screen" : "with the screen"
            if let tables {
                let got = value.withUnsafeBytes { ValueScan(tables).summary(of: $0) }
                #expect(got.bytes == expectedBytes, "bytes of \(label) \(with)")
                #expect(got.literals == expectedHits, "hits of \(label) \(with)")
            }
            // The summary's own initializer, which evaluation uses.
            let summary = value.withUnsafeBytes { RequestCache.ValueSummary($0, screen: tables) }
            #expect(summary.bytes == expectedBytes && summary.literals == expectedHits, "ValueSummary of \(label) \(with)")
        }
    }

    /// Values where a step left out shows: a literal or the only byte of its word at the first
    /// or last position, odd and even lengths (the pass takes two bytes a round), outputs on
    /// either byte of a round, bytes from 0x80 (another path for the bytes), each word's edges.
    @Test(arguments: [
        "", "a", "b", "ab", "ba", "abab", "xabab", "bab", "aaaa", "aaaaa", "baaaa",
        "select", "SELECT", "xselect", "selec", "unio", "union", "xunion", "unionx", "xyz", "yz", "xy",
        "=", "a=b", "xa=b", "&x", "x&", "ba&", "ba&x", "script", "scrip",
        "%", "x%", "%x", "a+", "A", "zA", "Az", "\t", "x\t", "x\u{0}", "\u{0}", "/a/../b", "*", "x*", "-", "#",
        "\\", "x\\", "&amp;", "x&", "\u{7F}", "x\u{7F}", "?", "x?", "@", "x@", "`", "x`", "{", "x{", "~",
        "\u{C3}\u{A9}t", "x\u{C3}\u{A9}t", "\u{C3}\u{A9}", "t\u{C3}", "é", "aé", "éa", "日本語",
        "user=alice&page=2", "Mozilla/5.0 (X11; Linux x86_64)", "/index.html?id=1%27%20OR%20%271%27%3D%271",
    ])
    func trickyValues(_ text: String) {
        check(Array(text.utf8), "'\(text)'")
    }

    /// Every byte value alone, after another byte, and last after a run.
    @Test func everyByteAnywhere() {
        for b in 0...255 {
            let byte = UInt8(b)
            check([byte], "[\(b)]")
            check([0x61, byte], "[a, \(b)]")
            check([byte, 0x61], "[\(b), a]")
            check(Array("abcdefg".utf8) + [byte], "abcdefg + [\(b)]")
        }
        check((0...255).map { UInt8($0) }, "all bytes")
        check((0...255).reversed().map { UInt8($0) }, "all bytes reversed")
    }

    /// `wordBits` is the table its comment describes (entry 64 + k is bit k, all others 0).
    @Test func wordBitsTable() {
        #expect(ValueScan.wordBits.count == 320)
        for i in 0..<320 {
            #expect(ValueScan.wordBits[i] == (i >= 64 && i < 128 ? UInt64(1) << UInt64(i - 64) : 0), "entry \(i)")
        }
    }

    @Test func randomValues() {
        var rng = SplitMix64(seed: 0x5CA1_AB1E)
        // Literal bytes (so outputs occur) and others, ASCII and not.
        let alphabet = Array("abxyzselctunorip=&%+ A/.*-#\\\t".utf8) + [0, 0x7F, 0x80, 0xA0, 0xC3, 0xA9, 0xF8, 0xFF]
        for round in 0..<3000 {
            let length = Int(rng.next() % 41)
            let value = (0..<length).map { _ in
                rng.next() % 8 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : alphabet[Int(rng.next() % UInt64(alphabet.count))]
            }
            check(value, "random value \(round) \(value)")
        }
    }
}
