import Foundation
@testable import PortcullisProxy
import Testing

/// The hand-written JSON escaper: every output parses, control characters, quotes and invalid
/// UTF-8 come out as specified, and truncation never splits a character.
@Suite struct JSONWriterTests {
    static let cases: [(input: [UInt8], expected: String)] = [
        (Array("plain".utf8), #""plain""#),
        (Array("quote \" and \\ backslash".utf8), #""quote \" and \\ backslash""#),
        ([0x0A, 0x0D, 0x09, 0x08, 0x0C], #""\n\r\t\b\f""#),
        ([0x00, 0x01, 0x1F, 0x7F], #""\u0000\u0001\u001f\u007f""#),
        (Array("é€😀".utf8), "\"é€😀\""),
        ([0x41, 0xFF, 0x42], "\"A\u{FFFD}B\""),                   // never valid in UTF-8
        ([0xC0, 0xAE], "\"\u{FFFD}\u{FFFD}\""),                   // overlong '.'
        ([0xED, 0xA0, 0x80], "\"\u{FFFD}\u{FFFD}\u{FFFD}\""),     // a UTF-16 surrogate
        ([0xF4, 0x90, 0x80, 0x80], "\"\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\""), // beyond U+10FFFF
        ([0x61, 0xE2, 0x82], "\"a\u{FFFD}\u{FFFD}\""),             // cut-off sequence at the end
        ([0x3C, 0x73, 0x3E, 0x22, 0x29, 0x3B], #""<s>\");""#),
    ]

    @Test(arguments: cases)
    func escapes(input: [UInt8], expected: String) throws {
        var json = JSONWriter()
        json.string(input)
        let text = String(decoding: json.bytes, as: UTF8.self)
        #expect(text == expected)
        #expect(String(validating: json.bytes, as: UTF8.self) != nil, "the output is valid UTF-8")
        let parsed = try JSONSerialization.jsonObject(with: Data(json.bytes), options: [.fragmentsAllowed]) as? String
        #expect(parsed != nil, "the output parses as a JSON string")
    }

    @Test func truncationStopsAtACharacterBoundary() throws {
        var json = JSONWriter()
        json.string(Array("ab€cd".utf8), limit: 3)   // '€' is 3 bytes: it would end at byte 5
        #expect(String(decoding: json.bytes, as: UTF8.self) == #""ab...""#)
        var exact = JSONWriter()
        exact.string(Array("abc".utf8), limit: 3)
        #expect(String(decoding: exact.bytes, as: UTF8.self) == #""abc""#, "a value at the limit is whole")
    }

    @Test func objectsAndArraysNestWithCommas() throws {
        var json = JSONWriter()
        json.beginObject()
        json.key("a"); json.int(1)
        json.key("b"); json.beginArray(); json.string("x"); json.null(); json.bool(true); json.beginObject(); json.endObject(); json.endArray()
        json.key("c"); json.raw("1.500")
        json.endObject()
        #expect(String(decoding: json.bytes, as: UTF8.self) == #"{"a":1,"b":["x",null,true,{}],"c":1.500}"#)
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: Any])
        #expect(object["a"] as? Int == 1)
    }

    @Test func integersAreWrittenInDecimal() {
        var json = JSONWriter()
        json.beginArray()
        json.int(0); json.int(-120); json.int(Int64.min); json.int(UInt64.max); json.int(429)
        json.endArray()
        #expect(String(decoding: json.bytes, as: UTF8.self) == "[0,-120,-9223372036854775808,18446744073709551615,429]")
    }

    /// Block-log durations (`inspection_us`, `window_s`): the digits the String formatting they
    /// replace produced, `whole.` and the thousandths padded to three digits.
    @Test(arguments: [UInt64(0), 5, 42, 999, 1000, 1005, 12_345, 60_000, 1_000_001, UInt64.max])
    func thousandthsMatchTheFormattedText(nanoseconds: UInt64) {
        for (whole, thousandths) in [(nanoseconds / 1000, nanoseconds % 1000),
                                     (nanoseconds / 1_000_000_000, nanoseconds % 1_000_000_000 / 1_000_000)] {
            var json = JSONWriter()
            json.thousandths(whole: whole, thousandths: thousandths)
            let frac = String(thousandths)
            let formatted = "\(whole).\(String(repeating: "0", count: 3 - frac.count))\(frac)"
            #expect(String(decoding: json.bytes, as: UTF8.self) == formatted)
        }
    }

    @Test func thousandthsAreAValueAfterAKeyOrAComma() {
        var json = JSONWriter()
        json.beginObject()
        json.key("a"); json.thousandths(whole: 1, thousandths: 2)
        json.key("b"); json.beginArray(); json.thousandths(whole: 0, thousandths: 0); json.thousandths(whole: 7, thousandths: 70); json.endArray()
        json.endObject()
        #expect(String(decoding: json.bytes, as: UTF8.self) == #"{"a":1.002,"b":[0.000,7.070]}"#)
    }

    /// A String is written as its UTF-8 bytes would be, cut at the same limit.
    @Test(arguments: ["query.arg:id", "header:X-\"quoted\"", "cookie:é€😀é€😀", ""])
    func stringsWriteTheirUTF8(text: String) {
        for limit in [Int.max, 128, 12, 5, 0] {
            var fromString = JSONWriter()
            fromString.string(text, limit: limit)
            var fromBytes = JSONWriter()
            fromBytes.string(Array(text.utf8), limit: limit)
            #expect(fromString.bytes == fromBytes.bytes, "limit \(limit)")
        }
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (Int64(951_782_400_123), "2000-02-29T00:00:00.123Z"),
        (Int64(1_795_927_678_231), "2026-11-29T04:47:58.231Z"),
        (Int64(4_107_542_399_999), "2100-02-28T23:59:59.999Z"),
        (Int64(-1), "1969-12-31T23:59:59.999Z"),
    ])
    func rfc3339(milliseconds: Int64, expected: String) {
        #expect(WallClock.rfc3339(milliseconds: milliseconds) == expected)
    }
}
