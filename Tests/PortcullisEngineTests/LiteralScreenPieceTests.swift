@testable import PortcullisEngine
import Testing

/// `LiteralScreen.summarize(_:pieces:into:)` summarizes a text and pieces of it in one pass; each
/// piece's summary must be exactly what a scan of the piece alone gives (literals that start
/// before the piece or run past it do not count for it).
@Suite struct LiteralScreenPieceTests {
    static let literalSets: [Set<[UInt8]>] = [
        ["select", "union"], ["ab"], ["abab", "bab"], ["="], ["a=b"], ["&x"], ["script"], ["b"],
        ["aaaa"], ["ba&"], ["xyz", "yz"],
    ].map { Set($0.map { Array($0.utf8) }) }

    func check(_ text: [UInt8], _ pieces: [Range<Int>], _ screen: LiteralScreen) {
        var out = [RequestCache.ValueSummary](repeating: RequestCache.ValueSummary(), count: pieces.count)
        let whole = text.withUnsafeBytes { raw in
            pieces.withUnsafeBufferPointer { ranges in
                out.withUnsafeMutableBufferPointer { screen.summarize(raw, pieces: ranges, into: $0.baseAddress!) }
            }
        }
        let expected = text.withUnsafeBytes { screen.hits(in: $0) }
        #expect(whole.literals == expected, "whole of \(String(decoding: text, as: UTF8.self))")
        #expect(whole.bytes == ByteSet(of: text))
        for (k, range) in pieces.enumerated() {
            let piece = Array(text[range])
            let alone = piece.withUnsafeBytes { screen.hits(in: $0) }
            #expect(out[k].literals == alone,
                    "piece \(range) '\(String(decoding: piece, as: UTF8.self))' of '\(String(decoding: text, as: UTF8.self))'")
            #expect(out[k].bytes == ByteSet(of: piece))
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
            check(text, pieces, screen)
        }
    }
}
