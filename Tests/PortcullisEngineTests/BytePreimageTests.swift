import Testing
@testable import PortcullisEngine

/// `BytePreimage`: without an escape byte, a chain of byte-keeping steps makes nothing the raw
/// values do not spell (folded, plus the few bytes a step adds), so a check whose literals cannot
/// be spelt is ruled out without computing the chain — checked against the chain itself.
struct BytePreimageTests {
    static let xssChain: [Transformation] = [.urlDecodeUni, .htmlEntityDecode, .jsDecode, .lowercase, .removeNulls,
                                             .removeWhitespace]
    static let pathChain: [Transformation] = [.urlDecodeUni, .removeNulls, .normalizePathWin, .lowercase]

    static let cases: [(chain: [Transformation], literals: [String], ruledOut: [String], kept: [String])] = [
        (xssChain, ["javascript:", "vbscript:"], ["peer-bench/1.0 (wrk)", "JAVA SCRIPT", "vb-script"],
         ["java script:", "%6aavascript:", "&#106;avascript:", "\\x6aavascript:", "VBScript:"]),
        (pathChain, ["etc/passwd", "win.ini"], ["/index.html", "/etc/pass"],
         ["/ETC\\passwd", "/etc/./passwd", "c:\\windows\\win.ini", "%2fetc%2fpasswd"]),
        ([.compressWhitespace], ["a b"], ["b-c", "a\u{0}"], ["a\tb", "b a", "ab"]),   // a space may be added
        ([.normalizePath], ["x/y"], ["x-z"], ["x\\y", "xy"]),                          // a `/` may be added
    ]

    @Test(arguments: cases)
    func rulesOutWhatTheChainCannotSpell(_ chain: [Transformation], _ literals: [String], _ ruledOut: [String],
                                         _ kept: [String]) throws {
        let preimage = try #require(BytePreimage(chain: chain, literalSets: [Set(literals.map { Array($0.utf8) })]))
        for value in ruledOut {
            #expect(!preimage.mayDecodeToMatch(ByteSet(Array(value.utf8))), "\(value) should be ruled out")
            let out = Self.fold(Self.apply(chain, value))
            #expect(!literals.contains { out.contains($0) }, "\(value) makes \(out)")
        }
        for value in kept {
            #expect(preimage.mayDecodeToMatch(ByteSet(Array(value.utf8))), "\(value) should be kept")
        }
    }

    /// Random values over letters, separators and every escape byte: whenever the chain's output
    /// holds a literal, the filter let the value through.
    @Test(arguments: [xssChain, pathChain, [.replaceComments, .compressWhitespace, .lowercase]])
    func neverRulesOutAValueThatMakesTheLiteral(_ chain: [Transformation]) throws {
        let literals = ["ab:", "c/d", "e f", "bc"]
        let preimage = try #require(BytePreimage(chain: chain, literalSets: [Set(literals.map { Array($0.utf8) })]))
        let alphabet = Array("abcdefABCDEF:/ \t\\%&#;x0123456789*+.".utf8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var made = 0
        for _ in 0..<8_000 {
            var value: [UInt8] = []
            for _ in 0..<(Int(state >> 60) + 2) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                value.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            let out = Self.fold(Self.apply(chain, String(decoding: value, as: UTF8.self)))
            guard literals.contains(where: { out.contains($0) }) else { continue }
            made += 1
            #expect(preimage.mayDecodeToMatch(ByteSet(value)), "\(String(decoding: value, as: UTF8.self))")
        }
        #expect(made > 10)
    }

    /// Steps that may make any byte give no filter.
    @Test func decodersOfOtherKindsGiveNoFilter() {
        let sets: [Set<[UInt8]>] = [[Array("abc".utf8)]]
        #expect(BytePreimage(chain: [.base64Decode], literalSets: sets) == nil)
        #expect(BytePreimage(chain: [.lowercase, .hexDecode], literalSets: sets) == nil)
        #expect(BytePreimage(chain: [.cmdLine], literalSets: sets) == nil)
        #expect(BytePreimage(chain: [], literalSets: sets) == nil)
    }

    static func apply(_ chain: [Transformation], _ value: String) -> [UInt8] {
        chain.reduce(Array(value.utf8)) { $1.apply($0) }
    }

    static func fold(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.map(RequiredLiterals.Parser.fold), as: UTF8.self)
    }
}
