import Testing
@testable import PortcullisEngine

/// One row: the values of one or more Cookie fields and the cookies expected (`name=value`).
struct ReqCookieCase: Sendable, CustomTestStringConvertible {
    let fields: [String]
    let expected: [String]
    var testDescription: String { fields.joined(separator: " | ") }
}

private let cookieTable: [ReqCookieCase] = [
    ReqCookieCase(fields: ["a=1; b=2"], expected: ["a=1", "b=2"]),
    ReqCookieCase(fields: ["a=1;b=2"], expected: ["a=1", "b=2"]),
    // Spaces and tabs around names and values are trimmed, not inside them.
    ReqCookieCase(fields: ["  a = 1 ;\tb=2\t "], expected: ["a=1", "b=2"]),
    ReqCookieCase(fields: ["a=x y"], expected: ["a=x y"]),
    // Several fields are one list, in order.
    ReqCookieCase(fields: ["a=1", "b=2; c=3"], expected: ["a=1", "b=2", "c=3"]),
    // `=` in a value (base64 padding), quotes kept, no decoding.
    ReqCookieCase(fields: ["token=abc==; x=y"], expected: ["token=abc==", "x=y"]),
    ReqCookieCase(fields: ["a=b=c"], expected: ["a=b=c"]),
    ReqCookieCase(fields: ["a=\"quoted; not split\""], expected: ["a=\"quoted", "=not split\""]),
    ReqCookieCase(fields: ["a=\"q\""], expected: ["a=\"q\""]),
    ReqCookieCase(fields: ["a=%27+or+1%3D1"], expected: ["a=%27+or+1%3D1"]),
    // A comma is part of the value.
    ReqCookieCase(fields: ["a=1, b=2"], expected: ["a=1, b=2"]),
    // No `=`: a value with an empty name (RFC 6265bis).
    ReqCookieCase(fields: ["lonely"], expected: ["=lonely"]),
    ReqCookieCase(fields: ["a=1; lonely ; b=2"], expected: ["a=1", "=lonely", "b=2"]),
    ReqCookieCase(fields: ["a="], expected: ["a="]),
    ReqCookieCase(fields: ["=v"], expected: ["=v"]),
    // Empty pairs are skipped.
    ReqCookieCase(fields: ["a=1;;; b=2;", ";", ""], expected: ["a=1", "b=2"]),
    ReqCookieCase(fields: ["a=1; a=2"], expected: ["a=1", "a=2"]),
    // Blank pairs are skipped, but a lone `=` is a pair with an empty name and value.
    ReqCookieCase(fields: ["a=1; \t ;b=2", " = ", ";x"], expected: ["a=1", "b=2", "=", "=x"]),
    // Long names and values are copied whole.
    ReqCookieCase(fields: [String(repeating: "n", count: 70) + "=" + String(repeating: "v", count: 90) + "; z=1"],
                  expected: [String(repeating: "n", count: 70) + "=" + String(repeating: "v", count: 90), "z=1"]),
]

@Suite struct RequestCookieTests {
    @Test("cookies", arguments: cookieTable)
    func cookies(_ row: ReqCookieCase) {
        var out: [TargetValue] = []
        for field in row.fields { CookieParser.parse(Array(field.utf8)[...], into: &out) }
        #expect(out.map(reqRender) == row.expected)
    }

    @Test func cookieTableRuns() {
        #expect(cookieTable.count > 10)
    }
}
