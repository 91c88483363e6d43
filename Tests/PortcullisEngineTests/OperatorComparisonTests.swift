import Testing
@testable import PortcullisEngine

private let sizeTable: [OperatorCase] = [
    OperatorCase(.size(.gt, 3), "abcd", .match(0..<4)),
    OperatorCase(.size(.gt, 3), "abc", .noMatch, "gt boundary"),
    OperatorCase(.size(.ge, 3), "abc", .match(0..<3)),
    OperatorCase(.size(.lt, 3), "abc", .noMatch),
    OperatorCase(.size(.lt, 3), "ab", .match(0..<2)),
    OperatorCase(.size(.le, 3), "abc", .match(0..<3)),
    OperatorCase(.size(.eq, 0), "", .match(0..<0), "empty value"),
    OperatorCase(.size(.ne, 0), "", .noMatch),
    OperatorCase(.size(.eq, 3), [0x00, 0xFF, 0x00], .match(0..<3), "bytes, not characters"),
    OperatorCase(.size(.eq, 2), "é", .match(0..<2), "UTF-8 counts bytes"),
    OperatorCase(.size(.gt, -1), "", .match(0..<0)),
]

private let numberTable: [OperatorCase] = [
    OperatorCase(.number(.gt, 100), "100.5", .match(0..<5)),
    OperatorCase(.number(.gt, 100), "100", .noMatch, "gt boundary"),
    OperatorCase(.number(.ge, 100), "100", .match(0..<3)),
    OperatorCase(.number(.eq, 100), "100.0", .match(0..<5)),
    OperatorCase(.number(.eq, 100), "+100", .match(0..<4)),
    OperatorCase(.number(.lt, 0), "-0.001", .match(0..<6)),
    OperatorCase(.number(.eq, 0), "-0", .match(0..<2), "negative zero equals zero"),
    OperatorCase(.number(.le, 0.5), ".5", .match(0..<2)),
    OperatorCase(.number(.eq, 7), "7.", .match(0..<2)),
    OperatorCase(.number(.eq, 12), "00012", .match(0..<5), "leading zeros"),
    OperatorCase(.number(.ne, 5), "abc", .noMatch, "not a number never matches, even for !="),
    OperatorCase(.number(.ne, 5), "", .noMatch, "empty value"),
    OperatorCase(.number(.lt, 5), " 1", .noMatch, "leading space"),
    OperatorCase(.number(.lt, 5), "1 ", .noMatch, "trailing space"),
    OperatorCase(.number(.lt, 5), "1e0", .noMatch, "exponent"),
    OperatorCase(.number(.lt, 50), "0x10", .noMatch, "hex"),
    OperatorCase(.number(.ne, 5), "inf", .noMatch),
    OperatorCase(.number(.ne, 5), "nan", .noMatch),
    OperatorCase(.number(.ne, 5), "-", .noMatch, "sign only"),
    OperatorCase(.number(.ne, 5), ".", .noMatch, "dot only"),
    OperatorCase(.number(.ne, 5), "+.", .noMatch),
    OperatorCase(.number(.ne, 5), "--1", .noMatch),
    OperatorCase(.number(.ne, 5), "1.2.3", .noMatch),
    OperatorCase(.number(.ne, 5), [0x31, 0x00], .noMatch, "NUL inside"),
    OperatorCase(.number(.gt, 1e18), "12345678901234567890", .match(0..<20), "long integer"),
    OperatorCase(.number(.gt, 1e300), "1" + String(repeating: "0", count: 400), .match(0..<401), "overflows to +inf"),
]

@Test("size", arguments: sizeTable) func operatorSize(_ row: OperatorCase) throws { try opCheck(row) }
@Test("number", arguments: numberTable) func operatorNumber(_ row: OperatorCase) throws { try opCheck(row) }

@Test func operatorComparisonTablesAreNotEmpty() {
    #expect(sizeTable.count > 8)
    #expect(numberTable.count > 20)
}

private let parseTable: [(String, Double?)] = [
    ("0", 0), ("12", 12), ("-3.5", -3.5), ("+7", 7), (".5", 0.5), ("7.", 7), ("0.1", 0.1), ("0.3", 0.3),
    ("123456789012345", 123456789012345), ("0.000000000000001", 1e-15), ("99999999999999.9", 99999999999999.9),
    ("0.30000000000000004", 0.30000000000000004), ("1234567890123456789", 1234567890123456768),
    ("", nil), ("+", nil), ("1e5", nil), ("1,5", nil), ("١", nil),
]

@Test func operatorNumberParsing() {
    #expect(parseTable.count > 15)
    for (text, expected) in parseTable {
        let parsed = Array(text.utf8).withUnsafeBytes { NumberOperator.parse($0) }
        #expect(parsed == expected, "\(text)")
    }
}

/// The allocation-free fast path agrees with the standard library's correctly rounded parse.
@Test func operatorNumberFastPathAgreesWithStandardLibrary() {
    var rng = OperatorTestRNG(seed: 0x5eed_0003)
    var checked = 0
    for _ in 0..<5_000 {
        var text = Bool.random(using: &rng) ? "-" : ""
        text += String((0..<Int.random(in: 0...8, using: &rng)).map { _ in "0123456789".randomElement(using: &rng)! })
        if Bool.random(using: &rng) {
            text += "." + String((0..<Int.random(in: 0...8, using: &rng)).map { _ in "0123456789".randomElement(using: &rng)! })
        }
        let parsed = Array(text.utf8).withUnsafeBytes { NumberOperator.parse($0) }
        let digits = text.filter(\.isNumber).count
        if digits == 0 {
            #expect(parsed == nil, "\(text)")
        } else {
            #expect(parsed == Double(text), "\(text)")
            checked += 1
        }
    }
    #expect(checked > 4_000)
}
