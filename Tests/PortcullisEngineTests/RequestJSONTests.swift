import Testing
@testable import PortcullisEngine

/// One row: a JSON document, the entries expected in document order (`path=value`; keys marked
/// `K `, scalars bare) and how the scan ends.
struct ReqJSONCase: Sendable, CustomTestStringConvertible {
    let json: String
    var maxDepth = 64
    var maxScalars = 1000
    var expected: [String] = []
    var outcome: JSONScanner.Outcome = .complete
    var overflow = false
    var testDescription: String { json.count > 60 ? String(json.prefix(60)) + "…" : json }
}

private let jsonTable: [ReqJSONCase] = [
    ReqJSONCase(json: #"{"a":"b"}"#, expected: ["K a=a", "a=b"]),
    ReqJSONCase(json: #"{"user":{"name":"x","age":30}}"#,
                expected: ["K user=user", "K user.name=name", "user.name=x", "K user.age=age", "user.age=30"]),
    ReqJSONCase(json: #"{"items":[1,"two",true,false,null,{"id":5},[6]]}"#,
                expected: ["K items=items", "items.0=1", "items.1=two", "items.2=true", "items.3=false",
                           "items.4=null", "K items.5.id=id", "items.5.id=5", "items.6.0=6"]),
    ReqJSONCase(json: "[[1,2],[3]]", expected: ["0.0=1", "0.1=2", "1.0=3"]),
    ReqJSONCase(json: "[0,1,2,3,4,5,6,7,8,9,10,11]",
                expected: (0...11).map { "\($0)=\($0)" }),
    // Top-level scalars have an empty name.
    ReqJSONCase(json: #""top""#, expected: ["=top"]),
    ReqJSONCase(json: " 42 ", expected: ["=42"]),
    ReqJSONCase(json: "-1.5e+3", expected: ["=-1.5e+3"]),
    ReqJSONCase(json: "[0, -0, 0.5, 1E9, 2e-7]", expected: ["0=0", "1=-0", "2=0.5", "3=1E9", "4=2e-7"]),
    ReqJSONCase(json: "null", expected: ["=null"]),
    // Whitespace anywhere between tokens.
    ReqJSONCase(json: " {\r\n\t\"a\" :\n[ 1 ,\t\"x\" ] } \n", expected: ["K a=a", "a.0=1", "a.1=x"]),
    // Empty containers give nothing of their own; an empty body is no document.
    ReqJSONCase(json: "{}", expected: []),
    ReqJSONCase(json: "[]", expected: []),
    ReqJSONCase(json: #"{"a":{},"b":[]}"#, expected: ["K a=a", "K b=b"]),
    ReqJSONCase(json: "", expected: []),
    ReqJSONCase(json: " \n ", expected: []),
    // Escapes.
    ReqJSONCase(json: #"["a\"b\\c\/d"]"#, expected: [#"0=a"b\\c/d"#]),
    ReqJSONCase(json: #"["\b\f\n\r\t"]"#, expected: [#"0=\x08\x0C\x0A\x0D\x09"#]),
    ReqJSONCase(json: #"["\u0041\u00e9\u20AC"]"#, expected: [#"0=A\xC3\xA9\xE2\x82\xAC"#]),
    ReqJSONCase(json: #"["\u0000"]"#, expected: [#"0=\x00"#]),
    ReqJSONCase(json: #"["\u003cscript\u003E"]"#, expected: ["0=<script>"]),
    // Surrogate pairs, and lone surrogates as U+FFFD.
    ReqJSONCase(json: #"["\uD83D\uDE00"]"#, expected: [#"0=\xF0\x9F\x98\x80"#]),
    ReqJSONCase(json: #"["\ud83d\ude00x"]"#, expected: [#"0=\xF0\x9F\x98\x80x"#]),
    ReqJSONCase(json: #"["\uD800x"]"#, expected: [#"0=\xEF\xBF\xBDx"#]),
    ReqJSONCase(json: #"["\uD800"]"#, expected: [#"0=\xEF\xBF\xBD"#]),
    ReqJSONCase(json: #"["\uDC00"]"#, expected: [#"0=\xEF\xBF\xBD"#]),
    ReqJSONCase(json: #"["\uD800\u0041"]"#, expected: [#"0=\xEF\xBF\xBDA"#]),
    ReqJSONCase(json: #"["\uD800\uD83D\uDE00"]"#, expected: [#"0=\xEF\xBF\xBD\xF0\x9F\x98\x80"#]),
    // Raw UTF-8 passes through.
    ReqJSONCase(json: "[\"é\"]", expected: [#"0=\xC3\xA9"#]),
    // Keys are decoded too, and repeated keys kept.
    ReqJSONCase(json: #"{"\u0075ser":1,"a":1,"a":2}"#, expected: ["K user=user", "user=1", "K a=a", "a=1", "K a=a", "a=2"]),
    ReqJSONCase(json: #"{"a.b":1,"a":{"b":2}}"#, expected: ["K a.b=a.b", "a.b=1", "K a=a", "K a.b=b", "a.b=2"]),
    ReqJSONCase(json: #"{"":1}"#, expected: ["K =", "=1"]),
    // Invalid JSON.
    ReqJSONCase(json: "{", outcome: .incomplete),
    ReqJSONCase(json: #"{"a":"#, expected: ["K a=a"], outcome: .incomplete),
    ReqJSONCase(json: #"["abc"#, outcome: .incomplete),
    ReqJSONCase(json: "[1", expected: [], outcome: .incomplete),
    ReqJSONCase(json: "[1,", expected: ["0=1"], outcome: .incomplete),
    ReqJSONCase(json: "tru", outcome: .incomplete),
    ReqJSONCase(json: #"["\u12"#, outcome: .incomplete),
    ReqJSONCase(json: #"{"a":}"#, expected: ["K a=a"], outcome: .malformed),
    ReqJSONCase(json: #"{"a" 1}"#, expected: ["K a=a"], outcome: .malformed),
    ReqJSONCase(json: "[1,]", expected: ["0=1"], outcome: .malformed),
    ReqJSONCase(json: #"{"a":1,}"#, expected: ["K a=a", "a=1"], outcome: .malformed),
    ReqJSONCase(json: "{,}", outcome: .malformed),
    ReqJSONCase(json: "{1:2}", outcome: .malformed),
    ReqJSONCase(json: "[01]", expected: ["0=0"], outcome: .malformed),
    ReqJSONCase(json: "[1.]", outcome: .malformed),
    ReqJSONCase(json: "[.5]", outcome: .malformed),
    ReqJSONCase(json: "[+1]", outcome: .malformed),
    ReqJSONCase(json: "[1e]", outcome: .malformed),
    ReqJSONCase(json: "[-]", outcome: .malformed),
    ReqJSONCase(json: "[1 2]", expected: ["0=1"], outcome: .malformed),
    ReqJSONCase(json: "trux", outcome: .malformed),
    ReqJSONCase(json: "[NaN]", outcome: .malformed),
    ReqJSONCase(json: "['a']", outcome: .malformed),
    ReqJSONCase(json: #"{"a":1}x"#, expected: ["K a=a", "a=1"], outcome: .malformed),
    ReqJSONCase(json: "{}{}", outcome: .malformed),
    ReqJSONCase(json: "[1]/*c*/", expected: ["0=1"], outcome: .malformed),
    ReqJSONCase(json: "\u{FEFF}{}", outcome: .malformed),
    ReqJSONCase(json: "[\"a\u{01}\"]", outcome: .malformed),
    ReqJSONCase(json: "[\"a\nb\"]", outcome: .malformed),
    ReqJSONCase(json: #"["\q"]"#, outcome: .malformed),
    ReqJSONCase(json: #"["\u12G4"]"#, outcome: .malformed),
    ReqJSONCase(json: "[}", outcome: .malformed),
    ReqJSONCase(json: "{]", outcome: .malformed),
    // Depth.
    ReqJSONCase(json: #"[[["a"]]]"#, maxDepth: 3, expected: ["0.0.0=a"]),
    ReqJSONCase(json: #"[[[["a"]]]]"#, maxDepth: 3, outcome: .tooDeep),
    ReqJSONCase(json: #"{"a":{"b":{"c":{}}}}"#, maxDepth: 3, expected: ["K a=a", "K a.b=b", "K a.b.c=c"], outcome: .tooDeep),
    ReqJSONCase(json: String(repeating: "[", count: 64) + String(repeating: "]", count: 64), expected: []),
    ReqJSONCase(json: String(repeating: "[", count: 65) + String(repeating: "]", count: 65), outcome: .tooDeep),
    ReqJSONCase(json: String(repeating: "[", count: 100_000), outcome: .tooDeep),
    // Scalar limit: keys do not count.
    ReqJSONCase(json: "[1,2,3]", maxScalars: 2, expected: ["0=1", "1=2"], overflow: true),
    ReqJSONCase(json: #"{"a":1,"b":2}"#, maxScalars: 2, expected: ["K a=a", "a=1", "K b=b", "b=2"]),
]

@Suite struct RequestJSONTests {
    @Test("JSON documents", arguments: jsonTable)
    func jsonDocuments(_ row: ReqJSONCase) {
        let result = JSONScanner.scan(Array(row.json.utf8), maxDepth: row.maxDepth, maxScalars: row.maxScalars)
        let all = row.expected.map { $0.hasPrefix("K ") ? String($0.dropFirst(2)) : $0 }
        let scalars = row.expected.filter { !$0.hasPrefix("K ") }
        #expect(result.all.map(reqRender) == all)
        #expect(result.scalars.map(reqRender) == scalars)
        #expect(result.outcome == row.outcome)
        #expect(result.overflow == row.overflow)
    }

    @Test func jsonTableRuns() {
        #expect(jsonTable.count > 60)
        #expect(jsonTable.contains { $0.outcome == .malformed })
        #expect(jsonTable.contains { $0.outcome == .tooDeep })
    }
}
