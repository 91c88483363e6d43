@testable import PortcullisEngine
import Testing

/// The form's pass in two lanes (`LiteralScreen.Tables.scanFormInLanes`) must give exactly what
/// the single walk gives, on bodies long enough to split: literals across the split, escapes,
/// limits that end before or after it, pairs without `=`, empty pieces.
@Suite struct FormLaneTests {
    /// Fragments of the default rules' literals, the form's bytes, escapes and plain text.
    static let fragments = ["select", "union", "<script", "alert(", "../", "etc/passwd", "=", "&", "&&", "==", "a",
                            "Z9", " or ", "1=1", "&#", "a=b", "javascript:", "\\", "\u{C3}\u{A9}", "--", "/*", "%27",
                            "+", "%3C", "%", "%2", "+or+", "%3D", "%26", "&amp;", "&lt;", "field01=value01",
                            "abcdefghijklmnop", "&x=", "=&", "&=&"]

    static func randomBody(_ rng: inout OperatorTestRNG, _ fragments: [String], pieces: ClosedRange<Int>) -> [UInt8] {
        Array((0..<Int.random(in: pieces, using: &rng))
            .map { _ in fragments[Int.random(in: 0..<fragments.count, using: &rng)] }.joined().utf8)
    }

    /// What `RequestCache.summarizeForm` gives for `body`, walked in lanes where it can be split
    /// (`laneMinimum` 0) or in one walk.
    static func cut(_ body: [UInt8], _ screen: LiteralScreen.Tables, exact: Bool, limit: Int,
                    lanes: Bool) -> RequestCache.BodyPieces {
        var cache = RequestCache()
        let shape = body.withUnsafeBufferPointer { bytes in
            bytes.baseAddress.map { RequestView.FormShape($0, count: bytes.count, limit: limit,
                                                          laneMinimum: lanes ? 0 : Int.max) } ?? RequestView.FormShape()
        }
        body.withUnsafeBytes { text in
            cache.summarizeForm(text, shape: shape, limit: limit, screen: screen, exactBytes: exact)
        }
        return cache.bodyPieces
    }

    static func expectSame(_ a: RequestCache.BodyPieces, _ b: RequestCache.BodyPieces, _ label: String) {
        #expect(a.ready && b.ready, "\(label)")
        #expect(a.whole.bytes == b.whole.bytes && a.whole.literals == b.whole.literals, "whole of \(label)")
        #expect(a.textLength == b.textLength, "\(label)")
        for (x, y) in [(a.names, b.names), (a.values, b.values)] {
            #expect(x.summaries.map(\.literals) == y.summaries.map(\.literals), "\(label)")
            #expect(x.summaries.map(\.bytes) == y.summaries.map(\.bytes), "\(label)")
            #expect(x.memos == y.memos, "\(label)")
            #expect(x.union.bytes == y.union.bytes && x.union.literals == y.union.literals, "\(label)")
            #expect(x.unchangedByAll == y.unchangedByAll && x.longest == y.longest, "\(label)")
        }
    }

    /// The shape a form body is given before its pass (`RequestView.FormShape`): its
    /// argument count and overflow, and the lanes' split with the arguments before it, counted
    /// in the same pass. (body, limit, laneMinimum, count, overflow, split offset, arguments before it)
    @Test(arguments: [
        ("a=1&b=2&c=3&d=4", -1, 0, 4, false, 8, 2),
        ("a=1&b=2&c=3&d=4", 3, 0, 3, true, 8, 2),
        ("a=1&b=2&c=3&d=4", 1, 0, 1, true, 8, 2),
        ("a=1&b=2&c=3&d=4", 0, 0, 0, true, 8, 2),
        ("a=1&b=2&c=3&d=4", -1, 16, 4, false, -1, 0),
        ("&&a&&b&&c&&", -1, 0, 3, false, 7, 2),
        ("&&&&&&&&&&&", -1, 0, 0, false, 6, 0),
        ("x&&&&&&&&&y", -1, 0, 2, false, 6, 1),
        ("abcdefgh", -1, 0, 1, false, -1, 0),
        ("a&bcdefghijklmnop", -1, 0, 2, false, -1, 0),
        ("abcdefghijklmn&op", 5, 0, 2, false, -1, 0),
        ("ab&cd&ef&gh&ij&kl&mn&op", 5, 0, 5, true, 12, 4),
    ])
    func formShapeCountsAndSplits(_ body: String, _ limit: Int, _ laneMinimum: Int, _ count: Int, _ overflow: Bool,
                                  _ offset: Int, _ before: Int) {
        let bytes = Array(body.utf8)
        let shape = bytes.withUnsafeBufferPointer {
            RequestView.FormShape($0.baseAddress!, count: $0.count, limit: limit, laneMinimum: laneMinimum)
        }
        #expect(shape.count == count && shape.overflow == overflow)
        #expect(shape.split == (offset < 0 ? nil : FormSplit(offset: offset, before: before)))
        let parsed = bytes.withUnsafeBufferPointer { URLEncodedArguments.shape($0.baseAddress!, count: $0.count, limit: limit) }
        #expect(parsed.arguments == count && parsed.overflow == overflow)
    }

    /// The split is the `&` nearest the middle that leaves each lane a quarter (a tie: the one
    /// after it), as a plain search for it finds, on random bodies of `&`s and letters.
    @Test func splitIsTheAmpersandNearestTheMiddle() {
        var rng = OperatorTestRNG(seed: 53)
        for round in 0..<3000 {
            let body = Self.randomBody(&rng, ["a", "b", "&", "xyz", "&&", "lorem"], pieces: 1...(round % 7 == 0 ? 300 : 40))
            let middle = body.count / 2, quarter = body.count / 4
            // Every offset just after an `&` that leaves each lane a quarter, nearest first.
            let best = body.indices.filter { body[$0] == UInt8(ascii: "&") && $0 >= quarter && $0 < body.count - quarter }
                .min { (abs($0 - middle), $0 < middle ? 1 : 0) < (abs($1 - middle), $1 < middle ? 1 : 0) }
            let expected = body.count >= 4 ? best.map { $0 + 1 } : nil
            let got = body.withUnsafeBufferPointer { LiteralScreen.Tables.formSplit($0.baseAddress!, $0.count, laneMinimum: 0) }
            #expect(got == expected, "\(String(decoding: body, as: UTF8.self))")
        }
    }

    /// Random bodies of the default rules' literals: the lanes give what one walk gives, and
    /// what the pass over the parsed arguments gives; most bodies are split.
    @Test func lanesGiveWhatOneWalkGives() throws {
        let owner = try #require(try EmbeddedRules.load().plan.screen)
        var rng = OperatorTestRNG(seed: 41)
        var split = 0
        let rounds = 600
        for round in 0..<rounds {
            let body = Self.randomBody(&rng, Self.fragments, pieces: 2...60)
            let limit = [-1, 100, 0, 1, 2, 3, 5, 8, 13][round % 9]
            let exact = round % 2 == 0
            let label = String(decoding: body, as: UTF8.self) + " (limit \(limit), exact \(exact))"
            withExtendedLifetime(owner) {
                let tables = owner.tables
                if body.withUnsafeBufferPointer({ LiteralScreen.Tables.formSplit($0.baseAddress!, $0.count, laneMinimum: 0) }) != nil {
                    split += 1
                }
                Self.expectSame(Self.cut(body, tables, exact: exact, limit: limit, lanes: true),
                                Self.cut(body, tables, exact: exact, limit: limit, lanes: false), label)
                BodyPiecePassTests.compareCuts(body, tables, exact: exact, limit: limit, laneMinimum: 0)
            }
        }
        #expect(split > rounds / 2, "\(split) of \(rounds) bodies split")
    }

    /// The same with a screen whose literals hold `&` and `=` inside (so states just after an
    /// `&` stand for more than it), on an alphabet that makes them often.
    @Test func lanesKeepLiteralsAcrossTheSplit() {
        let screen = LiteralScreen(LiteralScreenPieceTests.literalSets
                                   + [["xa&by", "b&&a", "z=&", "&&&x", "=a&b=c&"]].map { Set($0.map { Array($0.utf8) }) })
        var rng = OperatorTestRNG(seed: 43)
        let letters = ["a", "b", "x", "y", "z", "&", "&", "=", "%", "+", "%2", "ab", "ba&", "xa&by", "b&&a", "&&&x"]
        for round in 0..<1500 {
            let body = Self.randomBody(&rng, letters, pieces: 1...80)
            let limit = [-1, 0, 1, 2, 4, 7, 100][round % 7]
            let exact = round % 2 == 1
            let label = String(decoding: body, as: UTF8.self) + " (limit \(limit), exact \(exact))"
            Self.expectSame(Self.cut(body, screen.tables, exact: exact, limit: limit, lanes: true),
                            Self.cut(body, screen.tables, exact: exact, limit: limit, lanes: false), label)
        }
        withExtendedLifetime(screen) {}
    }

    /// The fact the lanes rest on: just after any `&`, a walk from the root over the last
    /// `separatorDepth` bytes is in the state the walk from the text's start is in.
    @Test func aWalkOfSeparatorDepthBytesReachesTheStateAfterAnAmpersand() throws {
        let owner = try #require(try EmbeddedRules.load().plan.screen)
        let small = LiteralScreen([["xa&by", "b&&a", "z=&", "&&&x", "=a&b=c&"]].map { Set($0.map { Array($0.utf8) }) })
        var rng = OperatorTestRNG(seed: 47)
        for screen in [owner, small] {
            let tables = screen.tables
            #expect(tables.separatorDepth >= 1)
            for _ in 0..<200 {
                let body = Self.randomBody(&rng, Self.fragments + ["xa&by", "b&&a", "z=&", "&&&x", "=a&b=c&"], pieces: 1...30)
                var s = 0
                for (i, b) in body.enumerated() {
                    s = Int(tables.table[s + Int(tables.classes[Int(b)])] & ~LiteralScreen.Tables.hasOutputs)
                    guard b == UInt8(ascii: "&") else { continue }
                    var t = 0
                    for c in body[max(0, i + 1 - tables.separatorDepth)...i] {
                        t = Int(tables.table[t + Int(tables.classes[Int(c)])] & ~LiteralScreen.Tables.hasOutputs)
                    }
                    #expect(t == s, "after byte \(i) of \(String(decoding: body, as: UTF8.self))")
                }
            }
            withExtendedLifetime(screen) {}
        }
    }
}
