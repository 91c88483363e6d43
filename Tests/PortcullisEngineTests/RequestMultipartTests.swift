import Testing
@testable import PortcullisEngine

/// One row: a multipart body (boundary `B`), limits, the values expected and how it ends.
struct ReqMultipartCase: Sendable, CustomTestStringConvertible {
    let name: String
    var boundary = "B"
    let body: String
    var maxParts = 100
    var maxValues = 1000
    var expected: [String] = []
    var outcome: MultipartParser.Outcome = .complete
    var overflow = false
    var testDescription: String { name }
}

private let textParts = "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhello\r\n"
    + "--B\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nworld\r\n--B--\r\n"

private let multipartTable: [ReqMultipartCase] = [
    ReqMultipartCase(name: "two text parts", body: textParts, expected: ["a=hello", "b=world"]),
    ReqMultipartCase(name: "file part: content and NAME.filename",
                     body: "--B\r\nContent-Disposition: form-data; name=\"up\"; filename=\"shell.php\"\r\n"
                         + "Content-Type: application/octet-stream\r\n\r\n<?php system($_GET[1]); ?>\r\n--B--",
                     expected: ["up=<?php system($_GET[1]); ?>", "up.filename=shell.php"]),
    ReqMultipartCase(name: "filename* preferred and decoded",
                     body: "--B\r\nContent-Disposition: form-data; name=f; filename=\"a.txt\"; "
                         + "filename*=UTF-8''na%C3%AFve.php\r\n\r\nx\r\n--B--",
                     expected: ["f=x", "f.filename=na\\xC3\\xAFve.php"]),
    ReqMultipartCase(name: "empty filename still exposed",
                     body: "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\"\r\n\r\n\r\n--B--",
                     expected: ["f=", "f.filename="]),
    ReqMultipartCase(name: "content keeps CRLF, dashes and a boundary-like word",
                     body: "--B\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nline1\r\nline2\r\n--\r\n-B\r\n\r\n--B--",
                     expected: ["t=line1\\x0D\\x0Aline2\\x0D\\x0A--\\x0D\\x0A-B\\x0D\\x0A"]),
    ReqMultipartCase(name: "empty value", body: "--B\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n\r\n--B--",
                     expected: ["e="]),
    ReqMultipartCase(name: "preamble and epilogue ignored",
                     body: "this is a preamble\r\n--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--B--\r\nepilogue",
                     expected: ["a=1"]),
    ReqMultipartCase(name: "transport padding after the boundary",
                     body: "--B \t\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--B--",
                     expected: ["a=1"]),
    ReqMultipartCase(name: "case-insensitive header and disposition, unquoted name",
                     body: "--B\r\ncontent-disposition: FORM-DATA; NAME=a\r\n\r\n1\r\n--B--",
                     expected: ["a=1"]),
    ReqMultipartCase(name: "escaped quote in name", body: "--B\r\nContent-Disposition: form-data; name=\"a\\\"b\"\r\n\r\n1\r\n--B--",
                     expected: ["a\"b=1"]),
    ReqMultipartCase(name: "repeated field names kept",
                     body: "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
                         + "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n2\r\n--B--",
                     expected: ["a=1", "a=2"]),
    ReqMultipartCase(name: "long boundary", boundary: "----WebKitFormBoundary7MA4YWxkTrZu0gW",
                     body: "------WebKitFormBoundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\n"
                         + "' or 1=1--\r\n------WebKitFormBoundary7MA4YWxkTrZu0gW--\r\n",
                     expected: ["q=' or 1=1--"]),
    ReqMultipartCase(name: "no parts at all", body: "--B--\r\n", expected: []),
    // Malformed variants.
    ReqMultipartCase(name: "boundary never appears", body: "a=1&b=2", outcome: .incomplete),
    ReqMultipartCase(name: "no close delimiter",
                     body: "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\npartial",
                     expected: ["a=partial"], outcome: .incomplete),
    ReqMultipartCase(name: "headers cut", body: "--B\r\nContent-Disposition: form-da", outcome: .incomplete),
    ReqMultipartCase(name: "close delimiter cut", body: textParts.replacingLast("--B--\r\n", with: "--B-"),
                     expected: ["a=hello", "b=world"], outcome: .incomplete),
    ReqMultipartCase(name: "LF-only delimiter line",
                     body: "--B\nContent-Disposition: form-data; name=\"a\"\n\n1\n--B--", outcome: .malformed),
    ReqMultipartCase(name: "bare LF in part headers",
                     body: "--B\r\nContent-Disposition: form-data; name=\"a\"\n\r\n1\r\n--B--", outcome: .malformed),
    ReqMultipartCase(name: "bare CR in part headers",
                     body: "--B\r\nContent-Disposition: form-data; name=\"a\"\rX: y\r\n\r\n1\r\n--B--", outcome: .malformed),
    ReqMultipartCase(name: "header without colon",
                     body: "--B\r\nContent-Disposition form-data; name=\"a\"\r\n\r\n1\r\n--B--", outcome: .malformed),
    ReqMultipartCase(name: "space before colon",
                     body: "--B\r\nContent-Disposition : form-data; name=\"a\"\r\n\r\n1\r\n--B--", outcome: .malformed),
    ReqMultipartCase(name: "folded header",
                     body: "--B\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\n1\r\n--B--", outcome: .malformed),
    ReqMultipartCase(name: "no Content-Disposition",
                     body: "--B\r\nContent-Type: text/plain\r\n\r\n1\r\n--B--", outcome: .malformed),
    ReqMultipartCase(name: "no headers", body: "--B\r\n\r\n1\r\n--B--", outcome: .malformed),
    ReqMultipartCase(name: "two Content-Disposition fields",
                     body: "--B\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n1\r\n--B--",
                     outcome: .malformed),
    ReqMultipartCase(name: "disposition not form-data",
                     body: "--B\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n1\r\n--B--", outcome: .malformed),
    ReqMultipartCase(name: "no name", body: "--B\r\nContent-Disposition: form-data; filename=\"x\"\r\n\r\n1\r\n--B--",
                     outcome: .malformed),
    ReqMultipartCase(name: "name given twice",
                     body: "--B\r\nContent-Disposition: form-data; name=\"a\"; name=\"b\"\r\n\r\n1\r\n--B--", outcome: .malformed),
    ReqMultipartCase(name: "unclosed quote",
                     body: "--B\r\nContent-Disposition: form-data; name=\"a\r\n\r\n1\r\n--B--", outcome: .malformed),
    ReqMultipartCase(name: "boundary followed by other bytes inside content",
                     body: "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--Bogus\r\n--B--",
                     expected: ["a=1"], outcome: .malformed),
    // Limits.
    ReqMultipartCase(name: "more parts than allowed", body: textParts, maxParts: 1, expected: ["a=hello"], overflow: true),
    ReqMultipartCase(name: "exactly the parts allowed", body: textParts, maxParts: 2, expected: ["a=hello", "b=world"]),
    ReqMultipartCase(name: "filename counts as a value",
                     body: "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\n1\r\n--B--",
                     maxValues: 1, expected: ["f=1"], overflow: true),
]

/// One row: a Content-Type value and how the body is read.
struct ReqContentTypeCase: Sendable, CustomTestStringConvertible {
    let value: String
    let expected: BodyContentType
    var testDescription: String { value }
}

private let contentTypeTable: [ReqContentTypeCase] = [
    ReqContentTypeCase(value: "application/x-www-form-urlencoded", expected: .urlencoded),
    ReqContentTypeCase(value: "Application/X-WWW-Form-Urlencoded; charset=UTF-8", expected: .urlencoded),
    ReqContentTypeCase(value: "application/json", expected: .json),
    ReqContentTypeCase(value: "application/json ; charset=utf-8", expected: .json),
    ReqContentTypeCase(value: "application/vnd.api+json", expected: .json),
    ReqContentTypeCase(value: "application/merge-patch+JSON", expected: .json),
    ReqContentTypeCase(value: "+json", expected: .unparsed),
    ReqContentTypeCase(value: "text/plain", expected: .unparsed),
    ReqContentTypeCase(value: "application/xml", expected: .unparsed),
    ReqContentTypeCase(value: "", expected: .unparsed),
    ReqContentTypeCase(value: "multipart/form-data; boundary=xyz", expected: .multipart(boundary: Array("xyz".utf8))),
    ReqContentTypeCase(value: "Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b;c\"",
                       expected: .multipart(boundary: Array("a b;c".utf8))),
    ReqContentTypeCase(value: "multipart/form-data;boundary=\"q\\\"x\"", expected: .multipart(boundary: Array("q\"x".utf8))),
    ReqContentTypeCase(value: "multipart/form-data; boundary = spaced ", expected: .multipart(boundary: Array("spaced".utf8))),
    ReqContentTypeCase(value: "multipart/form-data", expected: .malformed),
    ReqContentTypeCase(value: "multipart/form-data; boundary=", expected: .malformed),
    ReqContentTypeCase(value: "multipart/form-data; boundary=\"\"", expected: .malformed),
    ReqContentTypeCase(value: "multipart/form-data; boundary=\"open", expected: .malformed),
    ReqContentTypeCase(value: "multipart/form-data; boundary=\"a\"junk", expected: .malformed),
    ReqContentTypeCase(value: "multipart/form-data; boundary=a; boundary=b", expected: .malformed),
    ReqContentTypeCase(value: "multipart/form-data; boundary=" + String(repeating: "x", count: 71), expected: .malformed),
    ReqContentTypeCase(value: "multipart/form-data; boundary=" + String(repeating: "x", count: 70),
                       expected: .multipart(boundary: Array(repeating: UInt8(ascii: "x"), count: 70))),
    ReqContentTypeCase(value: "multipart/mixed; boundary=x", expected: .unparsed),
]


@Suite struct RequestMultipartTests {
    @Test("multipart bodies", arguments: multipartTable)
    func multipartBodies(_ row: ReqMultipartCase) {
        let result = MultipartParser.parse(Array(row.body.utf8), boundary: Array(row.boundary.utf8),
                                           maxParts: row.maxParts, maxValues: row.maxValues)
        #expect(result.values.map(reqRender) == row.expected)
        #expect(result.outcome == row.outcome)
        #expect(result.overflow == row.overflow)
    }

    @Test func multipartTableRuns() {
        #expect(multipartTable.count > 25)
        #expect(multipartTable.contains { $0.outcome == .malformed })
        #expect(multipartTable.contains { $0.outcome == .incomplete })
    }

    @Test("content types", arguments: contentTypeTable)
    func contentTypes(_ row: ReqContentTypeCase) {
        #expect(BodyContentType(value: Array(row.value.utf8)[...]) == row.expected)
    }

    @Test func contentTypeTableRuns() {
        #expect(contentTypeTable.count > 20)
    }
}

extension String {
    /// The string with the last occurrence of `target` replaced (for building cut fixtures).
    fileprivate func replacingLast(_ target: String, with replacement: String) -> String {
        let chars = Array(self)
        let t = Array(target)
        var i = chars.count - t.count
        while i >= 0 {
            if Array(chars[i..<(i + t.count)]) == t {
                return String(chars[..<i]) + replacement + String(chars[(i + t.count)...])
            }
            i -= 1
        }
        return self
    }
}
