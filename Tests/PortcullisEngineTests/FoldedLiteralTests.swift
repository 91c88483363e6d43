@testable import PortcullisEngine
import PortcullisHTTP
import Testing

/// `FoldedLiteral` (media types and field names compared a word at a time ignoring case) must
/// agree with `ASCII.equalsIgnoringCase`, and `BodyContentType`'s shortcut for the urlencoded type
/// with the general walk.
@Suite struct FoldedLiteralTests {
    static let literals = ["content-type", "application/x-www-form-urlencoded", "", "a", "1234567", "12345678",
                           "Z@[`{/-", "x-www-form-urlencoded!"]

    /// Every literal against itself with each byte replaced by each of the 256 values (the
    /// bytes one bit from a letter's case among them), and against its cut and longer forms.
    @Test(arguments: literals)
    func agreesWithEqualsIgnoringCase(_ text: String) {
        let literal = FoldedLiteral(text)
        let bytes = Array(text.utf8)
        var candidates = [bytes, Array(bytes.dropLast()), bytes + [UInt8(ascii: "x")], Array(text.uppercased().utf8)]
        for i in bytes.indices {
            for v in 0...255 {
                var changed = bytes
                changed[i] = UInt8(v)
                candidates.append(changed)
            }
        }
        for candidate in candidates {
            let expected = ASCII.equalsIgnoringCase(candidate[...], bytes)
            let got = candidate.withUnsafeBytes { literal.matches($0) }
            #expect(got == expected, "\(text) vs \(candidate)")
            let prefix = (candidate + Array("; tail".utf8)).withUnsafeBytes { literal.isPrefix(of: $0) }
            #expect(prefix == (candidate.count >= bytes.count && ASCII.equalsIgnoringCase(candidate.prefix(bytes.count), bytes)),
                    "\(text) prefix of \(candidate)")
        }
    }

    /// (Content-Type value, whether the shortcut takes it): what it takes is urlencoded, and the
    /// general walk says the same of every row.
    @Test(arguments: [
        ("application/x-www-form-urlencoded", true),
        ("APPLICATION/X-WWW-FORM-URLENCODED", true),
        ("Application/X-Www-Form-Urlencoded; charset=UTF-8", true),
        ("application/x-www-form-urlencoded \t; charset=UTF-8", true),
        ("application/x-www-form-urlencoded\t", true),
        ("application/x-www-form-urlencoded;", true),
        (" application/x-www-form-urlencoded", false),
        ("application/x-www-form-urlencodedx", false),
        ("application/x-www-form-urlencoded x", false),
        ("application/x-www-form-urlencode", false),
        ("application\u{0F}x-www-form-urlencoded", false),
        ("application/x-www-form-urlencoded\u{0}", false),
        ("application/json", false),
        ("", false),
    ])
    func urlencodedShortcut(_ value: String, _ taken: Bool) {
        let bytes = Array(value.utf8)
        #expect(BodyContentType.isPlainURLEncoded(bytes[...]) == taken)
        if taken { #expect(BodyContentType(value: bytes[...]) == .urlencoded) }
        // The general walk alone (past the shortcut: a leading space it trims).
        #expect(BodyContentType(value: (Array(" ".utf8) + bytes)[...]) == BodyContentType(value: bytes[...]))
    }

    /// The field is found by its name in any case, and only by it.
    @Test(arguments: [("Content-Type", BodyContentType.urlencoded), ("content-TYPE", .urlencoded),
                      ("Content-Typf", .unparsed), ("Content-Type2", .unparsed), ("Content_Type", .unparsed)])
    func fieldName(_ name: String, _ expected: BodyContentType) {
        let wire = "POST /f HTTP/1.1\r\nHost: a\r\n\(name): application/x-www-form-urlencoded\r\nContent-Length: 0\r\n\r\n"
        guard case .success(let parsed) = ExampleRequest.parse(wire: Array(wire.utf8)) else {
            Issue.record("does not parse: \(wire)")
            return
        }
        #expect(BodyContentType(head: parsed.head) == expected)
    }
}
