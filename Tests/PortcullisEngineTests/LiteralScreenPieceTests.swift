@testable import PortcullisEngine
import Testing

/// `LiteralScreen.Tables.summarize(_:pieces:exactBytes:into:groups:)` summarizes a text and pieces
/// of it in one pass; each piece's literal hits and memo must be exactly what a scan of the piece
/// alone gives (literals that start before the piece or run past it do not count for it), and
/// its bytes its own or (no hits, not asked to be exact) `ByteSet.all`.
@Suite struct LiteralScreenPieceTests {
    static let literalSets: [Set<[UInt8]>] = [
        ["select", "union"], ["ab"], ["abab", "bab"], ["="], ["a=b"], ["&x"], ["script"], ["b"],
        ["aaaa"], ["ba&"], ["xyz", "yz"],
    ].map { Set($0.map { Array($0.utf8) }) }

    /// Runs the pass over `text` with `pieces` (piece `k` in group `k % 2`, or `groupOf[k]`) and
    /// checks every result against scans of each piece alone.
    func check(_ text: [UInt8], _ pieces: [Range<Int>], _ screen: LiteralScreen, groupOf: [Int]? = nil) {
        let groupOf = groupOf ?? pieces.indices.map { $0 % 2 }
        for exact in [false, true] {
            var summaries = (Array(repeating: RequestCache.ValueSummary(), count: pieces.count),
                             Array(repeating: RequestCache.ValueSummary(), count: pieces.count))
            var memos = (Array(repeating: UInt64(0), count: pieces.count), Array(repeating: UInt64(0), count: pieces.count))
            var groups = (LiteralScreen.GroupTotal(), LiteralScreen.GroupTotal())
            let placed = pieces.indices.map { LiteralScreen.Piece(range: pieces[$0], slot: Int32(2 * $0 + groupOf[$0])) }
            let whole = text.withUnsafeBytes { raw in
                placed.withUnsafeBufferPointer { placed in
                    summaries.0.withUnsafeMutableBufferPointer { s0 in
                        summaries.1.withUnsafeMutableBufferPointer { s1 in
                            memos.0.withUnsafeMutableBufferPointer { m0 in
                                memos.1.withUnsafeMutableBufferPointer { m1 in
                                    screen.tables.summarize(
                                        raw, pieces: placed, exactBytes: exact,
                                        into: (LiteralScreen.PieceOutput(summaries: s0.baseAddress!, unchanged: m0.baseAddress!),
                                               LiteralScreen.PieceOutput(summaries: s1.baseAddress!, unchanged: m1.baseAddress!)),
                                        groups: &groups)
                                }
                            }
                        }
                    }
                }
            }
            let label = "'\(String(decoding: text, as: UTF8.self))' exact: \(exact)"
            #expect(whole.literals == text.withUnsafeBytes { screen.hits(in: $0) }, "whole of \(label)")
            #expect(whole.bytes == ByteSet(of: text), "whole of \(label)")
            var expected = (LiteralScreen.GroupTotal(), LiteralScreen.GroupTotal())
            for (k, range) in pieces.enumerated() {
                let piece = Array(text[range])
                let alone = RequestCache.ValueSummary(bytes: ByteSet(of: piece),
                                                      literals: piece.withUnsafeBytes { screen.hits(in: $0) })
                let memo = TransformationIdentity.unchangedMask(of: piece)
                let g = groupOf[k]
                let got = g == 0 ? summaries.0[k] : summaries.1[k]
                #expect(got.literals == alone.literals, "piece \(range) of \(label)")
                #expect((g == 0 ? memos.0[k] : memos.1[k]) == memo, "memo of piece \(range) of \(label)")
                // Its own bytes, or (no hits, not exact) any byte.
                let own = exact || alone.literals != LiteralScreen.Hits()
                #expect(got.bytes == (own ? alone.bytes : ByteSet.all), "bytes of piece \(range) of \(label)")
                if g == 0 {
                    expected.0.summary.formUnion(alone)
                    expected.0.unchanged &= memo
                } else {
                    expected.1.summary.formUnion(alone)
                    expected.1.unchanged &= memo
                }
            }
            #expect(groups.0.summary.bytes == expected.0.summary.bytes, "names of \(label)")
            #expect(groups.0.summary.literals == expected.0.summary.literals, "names of \(label)")
            #expect(groups.0.unchanged == expected.0.unchanged, "names of \(label)")
            #expect(groups.1.summary.bytes == expected.1.summary.bytes, "values of \(label)")
            #expect(groups.1.summary.literals == expected.1.summary.literals, "values of \(label)")
            #expect(groups.1.unchanged == expected.1.unchanged, "values of \(label)")
        }
    }

    @Test func formPiecesMatchScansOfEachPieceAlone() {
        let screen = LiteralScreen(Self.literalSets)
        let text = Array("xunion=select&ab=abab&q=a%3Db&scr=ipt&b=".utf8)
        // Each name and value of the form, as the urlencoded parser cuts them.
        var pieces: [Range<Int>] = []
        var start = 0
        for i in 0...text.count where i == text.count || text[i] == UInt8(ascii: "&") || text[i] == UInt8(ascii: "=") {
            pieces.append(start..<i)
            start = i + 1
        }
        check(text, pieces, screen)
    }

    @Test func randomTextsAndPieces() {
        let screen = LiteralScreen(Self.literalSets)
        var rng = OperatorTestRNG(seed: 7)
        let alphabet = Array("abxyz=&selctunorip".utf8)
        for _ in 0..<2000 {
            let length = Int.random(in: 0...40, using: &rng)
            let text = (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
            var pieces: [Range<Int>] = []
            var at = 0
            while at < length {
                let skip = Int.random(in: 0...3, using: &rng)
                let size = Int.random(in: 0...8, using: &rng)
                let lower = min(length, at + skip)
                let upper = min(length, lower + size)
                pieces.append(lower..<upper)
                at = upper
                if Bool.random(using: &rng) && upper == length { break }
            }
            check(text, pieces, screen, groupOf: pieces.map { _ in Int.random(in: 0...1, using: &rng) })
        }
    }

    /// Every piece length the pass's rounds and tails split differently (0 to 11 bytes), with a
    /// literal at every offset: wholly inside, straddling either end, in the gap, and right at
    /// the round and tail boundaries; empty pieces between.
    @Test(arguments: 0...11)
    func everyLengthWithALiteralAtEveryOffset(_ length: Int) {
        let screen = LiteralScreen(Self.literalSets)
        for literal in ["ab", "bab", "aaaa", "Xyz", "=", "ba&"] {
            for at in -3...(length + 1) {
                // "q…q" of `length` bytes with the literal written over from `at` (clipped to
                // the text), framed by bytes that extend literals across the ends.
                var text = Array("ba&".utf8) + [UInt8](repeating: UInt8(ascii: "q"), count: length) + Array("&ab=".utf8)
                for (i, c) in literal.utf8.enumerated() where (0..<text.count).contains(3 + at + i) {
                    text[3 + at + i] = c
                }
                let pieces = [0..<2, 3..<(3 + length), (3 + length)..<(3 + length), (4 + length)..<(6 + length)]
                check(text, pieces, screen)
                check(text, pieces, screen, groupOf: [1, 1, 0, 1])
            }
        }
    }

    /// Pieces of one group only and of bytes outside ASCII letters (where the memos differ).
    @Test(arguments: [
        ("a%41=b+c&Z=\u{0}x", [0..<4, 5..<8, 9..<10, 11..<13]),
        ("  <!-- x -->&/a/../b", [0..<12, 13..<20]),
        ("\u{C3}\u{A9}t\u{E9}=\\x&*/", [0..<7, 8..<10, 11..<13]),
    ])
    func oneGroupAndChangingBytes(_ text: String, _ pieces: [Range<Int>]) {
        let screen = LiteralScreen(Self.literalSets)
        let bytes = Array(text.utf8)
        check(bytes, pieces, screen, groupOf: pieces.map { _ in 0 })
        check(bytes, pieces, screen, groupOf: pieces.map { _ in 1 })
    }

    /// The states just after `&`, `=`, `%` or `+`, and only those, lie at or above
    /// `separatorFloor`, so the form's pass finds its boundaries and escapes by the compare it
    /// makes for outputs; with literals that hold such bytes or none.
    @Test(arguments: [[["select", "union"], ["ab"], ["="], ["a=b"], ["&x"], ["ba&"], ["xyz", "yz"]],
                      [["select"]], [["a&b", "=="], ["&"], ["%27", "+or+"]]])
    func separatorsLeadAboveTheFloor(_ words: [[String]]) {
        let screen = LiteralScreen(words.map { Set($0.map { Array($0.utf8) }) })
        let tables = screen.tables
        var seen: Set<Int> = [0]
        var queue = [0]
        while let s = queue.popLast() {
            for b in 0..<256 {
                let entry = tables.table[s + Int(tables.classes[b])]
                let next = Int(entry & ~LiteralScreen.Tables.hasOutputs)
                let separator = LiteralScreen.Tables.formBytes.contains(b)
                #expect((UInt32(next) >= tables.separatorFloor) == separator, "state \(s) byte \(b)")
                #expect(entry >= tables.separatorFloor || !separator)
                if seen.insert(next).inserted { queue.append(next) }
            }
        }
        #expect(seen.count > 2)
        withExtendedLifetime(screen) {}
    }

    /// The form's pass (cutting as it goes) against the pass over the parsed arguments, on
    /// random texts of this suite's literals (several hold `&` or `=`) and escapes, with
    /// argument limits that drop some.
    @Test func formPassCutsAsTheParserDoes() {
        let screen = LiteralScreen(Self.literalSets)
        var rng = OperatorTestRNG(seed: 5)
        let alphabet = Array("abxyz=&&selctunorip%+2".utf8)
        for round in 0..<1500 {
            let text = (0..<Int.random(in: 1...40, using: &rng)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
            BodyPiecePassTests.compareCuts(text, screen.tables, exact: round % 2 == 0,
                                           limit: [-1, 0, 1, 2, 5, 100][round % 6])
        }
        withExtendedLifetime(screen) {}
    }

    /// `fold` reads 256 flags into a byte set: every pattern of eight flags, at every word.
    @Test func foldGathersEveryFlagPattern() {
        var flags = [UInt8](repeating: 0, count: 256)
        for pattern in 0..<256 {
            for w in 0..<32 {
                for n in 0..<8 { flags[8 * w + n] = UInt8((pattern >> n) & 1) }
            }
            // Shift the pattern per word so each word's flags differ.
            for b in 0..<256 where (b * 7 + pattern) % 5 == 0 { flags[b] = 0 }
            var expected = ByteSet()
            for b in 0..<256 where flags[b] != 0 { expected.insert(UInt8(b)) }
            let got = flags.withUnsafeMutableBufferPointer { LiteralScreen.Tables.fold($0.baseAddress!) }
            #expect(got == expected, "pattern \(pattern)")
        }
    }
}
