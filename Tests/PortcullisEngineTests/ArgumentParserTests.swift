import Testing
@testable import PortcullisEngine

/// One row: a query string or urlencoded body, the limit, the arguments expected (rendered
/// `name=value`, see `reqRender`) and whether the limit was exceeded.
struct ReqArgCase: Sendable, CustomTestStringConvertible {
    let input: String
    var limit = 1000
    let expected: [String]
    var overflow = false
    var testDescription: String { "\"\(input)\" limit \(limit)" }
}

private let argumentTable: [ReqArgCase] = [
    ReqArgCase(input: "a=1&b=2", expected: ["a=1", "b=2"]),
    // Repeated names are kept, in order.
    ReqArgCase(input: "a=1&a=2&b=3&a=4", expected: ["a=1", "a=2", "b=3", "a=4"]),
    // `+` is a space; `%2B` a literal plus (in either case of hex digits).
    ReqArgCase(input: "q=union+select", expected: ["q=union select"]),
    ReqArgCase(input: "q=1%2B1&r=1%2b1", expected: ["q=1+1", "r=1+1"]),
    ReqArgCase(input: "q=a%20b+c", expected: ["q=a b c"]),
    // `%26` and `%3D` inside a value do not split anything.
    ReqArgCase(input: "q=a%26b%3Dc&d=e", expected: ["q=a&b=c", "d=e"]),
    // Only the first `=` splits.
    ReqArgCase(input: "a=b=c", expected: ["a=b=c"]),
    // Missing `=`: a name with an empty value.
    ReqArgCase(input: "flag", expected: ["flag="]),
    ReqArgCase(input: "flag&x=1", expected: ["flag=", "x=1"]),
    ReqArgCase(input: "a=", expected: ["a="]),
    // `=value` is kept with an empty name, so the value is inspected.
    ReqArgCase(input: "=value", expected: ["=value"]),
    ReqArgCase(input: "=", expected: ["="]),
    // Empty input, empty pairs and a trailing `&` give nothing.
    ReqArgCase(input: "", expected: []),
    ReqArgCase(input: "&", expected: []),
    ReqArgCase(input: "a=1&", expected: ["a=1"]),
    ReqArgCase(input: "&&a=1&&&b=2&&", expected: ["a=1", "b=2"]),
    // `;` is not a separator (WHATWG, PHP, Go ≥ 1.17, Python ≥ 3.9.2).
    ReqArgCase(input: "a=1;b=2", expected: ["a=1;b=2"]),
    // Names are decoded like values.
    ReqArgCase(input: "%61%62=1&a+b=2&a%2Bb=3", expected: ["ab=1", "a b=2", "a+b=3"]),
    // Invalid escapes are kept as they are.
    ReqArgCase(input: "q=%zz", expected: ["q=%zz"]),
    ReqArgCase(input: "q=%4", expected: ["q=%4"]),
    ReqArgCase(input: "q=%", expected: ["q=%"]),
    ReqArgCase(input: "q=%%41", expected: ["q=%A"]),
    ReqArgCase(input: "q=%4g%41", expected: ["q=%4gA"]),
    ReqArgCase(input: "%=1", expected: ["%=1"]),
    // `%u` is not an escape here.
    ReqArgCase(input: "q=%u0041", expected: ["q=%u0041"]),
    // Decoded bytes may be anything: NUL, UTF-8, invalid UTF-8.
    ReqArgCase(input: "q=%00x", expected: ["q=\\x00x"]),
    ReqArgCase(input: "q=%C3%A9", expected: ["q=\\xC3\\xA9"]),
    ReqArgCase(input: "q=%FF", expected: ["q=\\xFF"]),
    // Double encoding is decoded once (the rest is for transformations).
    ReqArgCase(input: "q=%2527", expected: ["q=%27"]),
    // Limits: the count is of non-empty pairs; the rest is dropped and flagged.
    ReqArgCase(input: "a&b&c", limit: 2, expected: ["a=", "b="], overflow: true),
    ReqArgCase(input: "a&b", limit: 2, expected: ["a=", "b="]),
    ReqArgCase(input: "a&&b&&", limit: 2, expected: ["a=", "b="]),
    ReqArgCase(input: "a", limit: 0, expected: [], overflow: true),
    ReqArgCase(input: "", limit: 0, expected: []),
    ReqArgCase(input: "a=1&b=2&", limit: 2, expected: ["a=1", "b=2"]),
    ReqArgCase(input: "a=1&b=2&c", limit: 2, expected: ["a=1", "b=2"], overflow: true),
    // Empty names and values next to each other, and `=` alone between separators.
    ReqArgCase(input: "a=&=b", expected: ["a=", "=b"]),
    ReqArgCase(input: "&=&", expected: ["="]),
    ReqArgCase(input: "==", expected: ["=="]),
    // `+` alone, at the ends, and as name and value.
    ReqArgCase(input: "+=+", expected: [" = "]),
    ReqArgCase(input: "+a+=+b+&c=d", expected: [" a = b ", "c=d"]),
    // A bad escape in the name and the value; an escape cut by `&` is not joined across it.
    ReqArgCase(input: "%zz=%zz", expected: ["%zz=%zz"]),
    ReqArgCase(input: "a=%4&1", expected: ["a=%4", "1="]),
    ReqArgCase(input: "a=x%2", expected: ["a=x%2"]),
    // An encoded `=` in a name does not split it.
    ReqArgCase(input: "a%3D1=2", expected: ["a=1=2"]),
    // Plain and encoded pairs mixed: only the encoded ones change.
    ReqArgCase(input: "a=1&b=%41&c=3+4&d=5", expected: ["a=1", "b=A", "c=3 4", "d=5"]),
    // Long pieces (past the vectorised scans' blocks), with the escape far in.
    ReqArgCase(input: "name=" + String(repeating: "abcdefgh", count: 9) + "%21&x=" + String(repeating: "z", count: 70),
               expected: ["name=" + String(repeating: "abcdefgh", count: 9) + "!", "x=" + String(repeating: "z", count: 70)]),
    ReqArgCase(input: String(repeating: "k", count: 40) + "=" + String(repeating: "v", count: 40) + "&",
               expected: [String(repeating: "k", count: 40) + "=" + String(repeating: "v", count: 40)]),
]

@Suite struct RequestArgumentTests {
    @Test("urlencoded arguments", arguments: argumentTable)
    func urlencodedArguments(_ row: ReqArgCase) {
        let (values, overflow) = URLEncodedArguments.parse(Array(row.input.utf8), limit: row.limit)
        #expect(values.map(reqRender) == row.expected)
        #expect(overflow == row.overflow)
    }

    /// The same table counted: `shape` (what the engine's pass over a form body is told before
    /// it cuts) gives as many arguments as `parse` makes, and the same overflow, without
    /// cutting anything (`BodyPiecePassTests` holds the pass to the parse).
    @Test("urlencoded arguments counted", arguments: argumentTable)
    func shapeCountsWhatTheParseMakes(_ row: ReqArgCase) {
        let input = Array(row.input.utf8)
        let (values, overflow) = URLEncodedArguments.parse(input, limit: row.limit)
        let shape = input.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { URLEncodedArguments.shape($0, count: buffer.count, limit: row.limit) }
                ?? (arguments: 0, overflow: false)
        }
        #expect(shape.arguments == values.count && shape.overflow == overflow, "\(row.input)")
    }

    @Test func parsingAppendsAfterWhatIsThere() {
        var out = [TargetValue(name: Array("x".utf8), value: Array("0".utf8))]
        let overflow = URLEncodedArguments.parse(Array("a=1&b=%41&c".utf8)[2...], limit: 2, into: &out)
        #expect(out.map(reqRender) == ["x=0", "1=", "b=A"])
        #expect(overflow)
    }

    @Test func argumentTableRuns() {
        #expect(argumentTable.count > 30)
        #expect(argumentTable.contains { $0.overflow })
    }

    @Test("percent-decoding without plus", arguments: [
        ("a+b%20c", "a+b c"),
        ("%2", "%2"),
        ("100%", "100%"),
        ("%41%42%43", "ABC"),
    ])
    func decodeWithoutPlus(_ input: String, _ expected: String) {
        #expect(URLEncodedArguments.decode(Array(input.utf8)[...], plusAsSpace: false) == Array(expected.utf8))
    }
}
