import Testing
@testable import PortcullisEngine
import PortcullisHTTP

/// `Transformation.outputBound`: evaluation skips transforming a value when the bound says no
/// reader of the chain could match the result, so the bound must never be below a real output.
@Suite struct TransformationBoundTests {
    /// Bytes that make transformations grow or shrink output: escapes of every decoder, entity
    /// syntax, base64 and hex digits, comment openers, whitespace, NUL and UTF-8 lead bytes.
    static let alphabet: [UInt8] = Array("%uU0123456789abcdefABCDEFxX&#;\\/*-+= \t\n'\"<>!.,^()lgtqopsamz".utf8)
        + [0x00, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F]

    /// Deterministic pseudo-random values: mostly from `alphabet`, sometimes any byte.
    static func values(count: Int, seed: UInt64) -> [[UInt8]] {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        var out: [[UInt8]] = []
        for _ in 0..<count {
            let length = Int(next() % 65)
            var value: [UInt8] = []
            for _ in 0..<length {
                let r = next()
                value.append(r % 8 == 0 ? UInt8(truncatingIfNeeded: r >> 8) : alphabet[Int(r >> 3) % alphabet.count])
            }
            out.append(value)
        }
        return out
    }

    @Test(arguments: Transformation.allCases)
    func boundHoldsOnRandomValues(_ transformation: Transformation) {
        for value in Self.values(count: 3000, seed: UInt64(transformation.ordinal) &+ 17) {
            guard let bound = transformation.outputBound(value.count) else { return }
            let output = transformation.apply(value)
            #expect(output.count <= bound, "\(transformation) made \(output.count) bytes of \(value.count)")
        }
    }

    @Test(arguments: [
        (Transformation.urlDecodeUni, "%u0041%uFF21%c3%a9"), (.htmlEntityDecode, "&#x10FFFF;&#1114111;&lt;&amp"),
        (.jsDecode, "\\u0041\\x41\\101\\n"), (.cssDecode, "\\10FFFF \\41\\"), (.base64Decode, "QUJD"),
        (.base64Decode, "QUJDRA=="), (.base64Decode, "QUJDRA"), (.hexDecode, "41424"), (.cmdLine, "A,B;C  D"),
        (.normalizePathWin, "a\\..\\b\\.\\c"), (.replaceComments, "/*x*/"), (.length, ""), (.sha1, ""), (.md5, "x"),
    ])
    func boundHoldsOnEdgeCases(_ transformation: Transformation, _ text: String) throws {
        let value = Array(text.utf8)
        let bound = try #require(transformation.outputBound(value.count))
        #expect(transformation.apply(value).count <= bound)
    }

    /// Through the engine: a base64 value just long enough to hold the needle is decoded and
    /// matched; short names and values (whose decoding could not hold it) change nothing.
    @Test(arguments: [
        ("/?foo=XyQkTkRfRlVOQyQkXw==", true),          // exactly the 13-byte needle
        ("/?a=1&XyQkTkRfRlVOQyQkXw==x=2", true),        // in a name
        ("/?ab=cd&foo=XyQkTkRfRlVOQyQ", false),         // 17 characters: decodes to 12 bytes at most
        ("/?x=eHh4XyQkTkRfRlVOQyQkXw==", true),         // needle after other bytes
    ])
    func shortValuesAreSkippedWithoutChangingVerdicts(_ target: String, _ blocked: Bool) throws {
        let set = try RuleSetLoader().load(yaml: """
            name: t
            default_action: allow
            rules:
              - id: 1
                name: node-func
                action: block
                when: { contains: '_$$ND_FUNC$$_', in: [query.args, query.arg_names], transforms: [base64_decode] }
            """, sourcePath: "t.yaml")
        let (head, body) = try EvaluationCacheTests.parsed("GET \(target) HTTP/1.1\r\nHost: a\r\n\r\n")
        var scratch = EvaluationScratch()
        let (verdict, _) = Inspector(ruleSet: set).decide(RequestView(head: head, clientAddress: Array("192.0.2.1".utf8), body: body),
                                                          scratch: &scratch)
        #expect((EvaluationCacheTests.blockingRule(verdict) != nil) == blocked)
    }
}
