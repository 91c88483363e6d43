import PortcullisHTTP
import Testing

/// A request the parser must refuse, with the status it must give.
struct RejectCase: Sendable, CustomTestStringConvertible {
    let name: String
    let raw: [UInt8]
    let status: Int
    var limits = HTTPLimits()
    /// Whether a head is delivered before the reject (errors found in the body).
    var afterHead = false

    var testDescription: String { name }

    init(_ name: String, _ raw: [UInt8], _ status: Int, limits: HTTPLimits = HTTPLimits(), afterHead: Bool = false) {
        self.name = name
        self.raw = raw
        self.status = status
        self.limits = limits
        self.afterHead = afterHead
    }

    init(_ name: String, _ raw: String, _ status: Int, limits: HTTPLimits = HTTPLimits(), afterHead: Bool = false) {
        self.init(name, bytes(raw), status, limits: limits, afterHead: afterHead)
    }
}

private func post(_ fields: String, body: String = "") -> String {
    "POST / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n\(body)"
}

private func get(_ fields: String) -> String { "GET / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n" }

private func chunked(_ body: String) -> String { post("Transfer-Encoding: chunked\r\n", body: body) }

private func tuned(_ change: (inout HTTPLimits) -> Void) -> HTTPLimits {
    var l = HTTPLimits()
    change(&l)
    return l
}

extension RejectCase {
    static let all: [RejectCase] = framing + fieldSyntax + requestLine + host + chunkedBody + limitCases

    static let framing: [RejectCase] = [
        RejectCase("CL with TE", post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"), 400),
        RejectCase("TE with CL", post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"), 400),
        RejectCase("repeated CL, same value", post("Content-Length: 5\r\nContent-Length: 5\r\n", body: "hello"), 400),
        RejectCase("CL list 5, 5", post("Content-Length: 5, 5\r\n", body: "hello"), 400),
        RejectCase("CL empty", post("Content-Length: \r\n"), 400),
        RejectCase("CL plus sign", post("Content-Length: +5\r\n"), 400),
        RejectCase("CL negative", post("Content-Length: -1\r\n"), 400),
        RejectCase("CL hex", post("Content-Length: 0x5\r\n"), 400),
        RejectCase("CL junk", post("Content-Length: 5x\r\n"), 400),
        RejectCase("CL inner space", post("Content-Length: 5 5\r\n"), 400),
        RejectCase("CL 2^64 overflows", post("Content-Length: 18446744073709551616\r\n"), 400),
        RejectCase("TE gzip", post("Transfer-Encoding: gzip\r\n"), 501),
        RejectCase("TE identity", post("Transfer-Encoding: identity\r\n"), 501),
        RejectCase("TE compress", post("Transfer-Encoding: compress\r\n"), 501),
        RejectCase("TE deflate", post("Transfer-Encoding: deflate\r\n"), 501),
        RejectCase("TE chunked not last", post("Transfer-Encoding: chunked, gzip\r\n"), 501),
        RejectCase("TE gzip then chunked", post("Transfer-Encoding: gzip, chunked\r\n"), 501),
        RejectCase("TE chunkedx", post("Transfer-Encoding: chunkedx\r\n"), 400),
        RejectCase("TE leading comma", post("Transfer-Encoding: ,chunked\r\n"), 400),
        RejectCase("TE trailing comma", post("Transfer-Encoding: chunked,\r\n"), 400),
        RejectCase("TE empty", post("Transfer-Encoding: \r\n"), 400),
        RejectCase("TE chunked twice in one line", post("Transfer-Encoding: chunked, chunked\r\n"), 400),
        RejectCase("TE with parameter", post("Transfer-Encoding: chunked;q=1\r\n"), 400),
        RejectCase("two TE lines", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"), 400),
        RejectCase("TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        RejectCase("Expect other than 100-continue", get("Expect: 200-ok\r\n"), 417),
        RejectCase("Connection with a non-token element", get("Connection: a b\r\n"), 400),
    ]

    static let fieldSyntax: [RejectCase] = [
        RejectCase("space before colon", get("X-A : 1\r\n"), 400),
        RejectCase("tab before colon", get("X-A\t: 1\r\n"), 400),
        RejectCase("space inside name", get("X A: 1\r\n"), 400),
        RejectCase("non-token name", get("X@Y: 1\r\n"), 400),
        RejectCase("non-ASCII in name", bytes("GET / HTTP/1.1\r\nHost: a\r\nX") + [0xC3, 0xA9] + bytes(": 1\r\n\r\n"), 400),
        RejectCase("empty name", get(": 1\r\n"), 400),
        RejectCase("line without colon", get("Foo bar\r\n"), 400),
        RejectCase("token without colon", get("Foo\r\n"), 400),
        RejectCase("obs-fold with SP", get("X-A: one\r\n two\r\n"), 400),
        RejectCase("obs-fold with HTAB", get("X-A: one\r\n\ttwo\r\n"), 400),
        RejectCase("obs-fold right after the request line", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400),
        RejectCase("bare CR in value", get("X-A: a\rb\r\n"), 400),
        RejectCase("CR before CRLF", get("X-A: a\r\r\n"), 400),
        RejectCase("NUL in value", get("X-A: a\0b\r\n"), 400),
        RejectCase("VT in value", bytes("GET / HTTP/1.1\r\nHost: a\r\nX-A: a") + [0x0B] + bytes("b\r\n\r\n"), 400),
        RejectCase("DEL in value", bytes("GET / HTTP/1.1\r\nHost: a\r\nX-A: a") + [0x7F] + bytes("b\r\n\r\n"), 400),
        RejectCase("ESC in value", bytes("GET / HTTP/1.1\r\nHost: a\r\nX-A: a") + [0x1B] + bytes("b\r\n\r\n"), 400),
        RejectCase("bare LF ends a field", "GET / HTTP/1.1\r\nHost: a\nX: 1\r\n\r\n", 400),
        RejectCase("bare LF ends the head", "GET / HTTP/1.1\r\nHost: a\r\n\n", 400),
        RejectCase("bare LF everywhere", "GET / HTTP/1.1\nHost: a\n\n", 400),
    ]

    static let requestLine: [RejectCase] = [
        RejectCase("bare LF ends the request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", 400),
        RejectCase("bare LF inside the request line", "GET /\nHTTP/1.1\r\nHost: a\r\n\r\n", 400),
        RejectCase("bare CR in the request line", "GET /\rx HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        RejectCase("CR before CRLF on the request line", "GET / HTTP/1.1\r\r\nHost: a\r\n\r\n", 400),
        RejectCase("double SP", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        RejectCase("trailing SP", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400),
        RejectCase("leading SP", " GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        RejectCase("HTAB separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        RejectCase("HTTP/0.9 style", "GET /\r\n\r\n", 400),
        RejectCase("method only", "GET\r\n\r\n", 400),
        RejectCase("non-token method", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        RejectCase("space in target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        RejectCase("HTAB in target", "GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        RejectCase("DEL in target", bytes("GET /a") + [0x7F] + bytes(" HTTP/1.1\r\nHost: a\r\n\r\n"), 400),
        RejectCase("non-ASCII target", bytes("GET /caf") + [0xC3, 0xA9] + bytes(" HTTP/1.1\r\nHost: a\r\n\r\n"), 400),
        RejectCase("relative target", "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        RejectCase("asterisk for GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        RejectCase("ftp scheme", "GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        RejectCase("userinfo in absolute-form", "GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        RejectCase("empty authority", "GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        RejectCase("one slash after scheme", "GET http:/a HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        RejectCase("CONNECT without port", "CONNECT a HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        RejectCase("lowercase version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400),
        RejectCase("version 1.10", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400),
        RejectCase("version without minor", "GET / HTTP/1\r\nHost: a\r\n\r\n", 400),
        RejectCase("version HTTP/1.32", "GET / HTTP/1.32\r\nHost: a\r\n\r\n", 400),
        RejectCase("version HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        RejectCase("version HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505),
        RejectCase("version HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", 505),
        RejectCase("five leading empty lines", "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        RejectCase("leading bare LF", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    ]

    static let host: [RejectCase] = [
        RejectCase("missing Host in 1.1", "GET / HTTP/1.1\r\nX: y\r\n\r\n", 400),
        RejectCase("missing Host with absolute-form", "GET http://a/ HTTP/1.1\r\n\r\n", 400),
        RejectCase("duplicate Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400),
        RejectCase("empty Host", "GET / HTTP/1.1\r\nHost: \r\n\r\n", 400),
        RejectCase("Host with space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
        RejectCase("Host with slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
        RejectCase("Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400),
        RejectCase("Host with NUL", "GET / HTTP/1.1\r\nHost: a\0.evil\r\n\r\n", 400),
        RejectCase("Host port too big", "GET / HTTP/1.1\r\nHost: a:65536\r\n\r\n", 400),
        RejectCase("Host empty port", "GET / HTTP/1.1\r\nHost: a:\r\n\r\n", 400),
        RejectCase("Host non-digit port", "GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n", 400),
        RejectCase("Host unterminated IPv6", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400),
        RejectCase("Host bad percent", "GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n", 400),
        RejectCase("invalid Host in 1.0", "GET / HTTP/1.0\r\nHost: a b\r\n\r\n", 400),
    ]

    static let chunkedBody: [RejectCase] = [
        RejectCase("chunk size non-hex", chunked("Z\r\nhello\r\n0\r\n\r\n"), 400, afterHead: true),
        RejectCase("chunk size empty", chunked("\r\nhello\r\n0\r\n\r\n"), 400, afterHead: true),
        RejectCase("chunk size 0x", chunked("0x5\r\nhello\r\n0\r\n\r\n"), 400, afterHead: true),
        RejectCase("chunk size sign", chunked("+5\r\nhello\r\n0\r\n\r\n"), 400, afterHead: true),
        RejectCase("chunk size leading space", chunked(" 5\r\nhello\r\n0\r\n\r\n"), 400, afterHead: true),
        RejectCase("chunk size trailing space", chunked("5 \r\nhello\r\n0\r\n\r\n"), 400, afterHead: true),
        RejectCase("chunk size 17 significant digits", chunked("1FFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n"), 400,
                   afterHead: true),
        RejectCase("chunk size underscore", chunked("5_0\r\nhello\r\n0\r\n\r\n"), 400, afterHead: true),
        RejectCase("chunk size with junk", chunked("5these\r\nhello\r\n0\r\n\r\n"), 400, afterHead: true),
        RejectCase("bare LF after chunk size", chunked("5\nhello\r\n0\r\n\r\n"), 400, afterHead: true),
        RejectCase("bare LF after chunk data", chunked("5\r\nhello\n0\r\n\r\n"), 400, afterHead: true),
        RejectCase("bare CR after chunk data", chunked("5\r\nhello\r0\r\n\r\n"), 400, afterHead: true),
        RejectCase("runaway chunk", chunked("4\r\nSEE-THIS\r\n0\r\n\r\n"), 400, afterHead: true),
        RejectCase("bare CR in chunk line", chunked("2\r\r;a\r\n02\r\n41\r\n0\r\n\r\n"), 400, afterHead: true),
        RejectCase("extension ended by bare LF", chunked("5;x\nhello\r\n0\r\n\r\n"), 400, afterHead: true),
        RejectCase("unterminated quoted extension", chunked("5;a=\"b\r\nhello\r\n0\r\n\r\n"), 400, afterHead: true),
        RejectCase("extension without name", chunked("5;=x\r\nhello\r\n0\r\n\r\n"), 400, afterHead: true),
        RejectCase("extension with empty value", chunked("5;a=\r\nhello\r\n0\r\n\r\n"), 400, afterHead: true),
        RejectCase("extension value with bad char", chunked("5;a=b@c\r\nhello\r\n0\r\n\r\n"), 400, afterHead: true),
        RejectCase("semicolon alone", chunked("5;\r\nhello\r\n0\r\n\r\n"), 400, afterHead: true),
        RejectCase("trailer obs-fold", chunked("0\r\nX: 1\r\n 2\r\n\r\n"), 400, afterHead: true),
        RejectCase("trailer without colon", chunked("0\r\nX\r\n\r\n"), 400, afterHead: true),
        RejectCase("trailer space before colon", chunked("0\r\nX : 1\r\n\r\n"), 400, afterHead: true),
        RejectCase("trailer bare LF", chunked("0\r\nX: 1\n\r\n"), 400, afterHead: true),
        RejectCase("trailer NUL", chunked("0\r\nX: a\0b\r\n\r\n"), 400, afterHead: true),
        RejectCase("last chunk followed by bare LF", chunked("0\r\n\n"), 400, afterHead: true),
    ]

    static let limitCases: [RejectCase] = [
        RejectCase("request line over maxRequestLine", "GET /aaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\nHost: a\r\n\r\n", 414,
                   limits: tuned { $0.maxRequestLine = 16 }),
        RejectCase("request line without LF over the limit", "GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 414,
                   limits: tuned { $0.maxRequestLine = 16 }),
        RejectCase("field line over maxFieldLine", get("X-Long: aaaaaaaaaaaaaaa\r\n"), 431,
                   limits: tuned { $0.maxFieldLine = 16 }),
        RejectCase("head over maxHeaderBytes", get("X-A: aaaaaaaaaaaaaaaaaaaa\r\nX-B: bbbbbbbbbbbbbbbbbbbbbbbbb\r\n"), 431,
                   limits: tuned { $0.maxHeaderBytes = 64 }),
        RejectCase("more fields than maxHeaderCount", get("X-A: 1\r\nX-B: 2\r\n"), 431,
                   limits: tuned { $0.maxHeaderCount = 2 }),
        RejectCase("declared CL over maxBodyBytes", post("Content-Length: 5\r\n", body: "hello"), 413,
                   limits: tuned { $0.maxBodyBytes = 4 }),
        RejectCase("chunked data grows over maxBodyBytes", chunked("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n"), 413,
                   limits: tuned { $0.maxBodyBytes = 8 }, afterHead: true),
        RejectCase("chunk size over the default body limit", chunked("FFFFFFFFFFFFFFFF\r\nhello\r\n"), 413,
                   afterHead: true),
        RejectCase("chunk line over maxChunkLine", chunked("5;aaaaaaaaaaaa=b\r\nhello\r\n0\r\n\r\n"), 400,
                   limits: tuned { $0.maxChunkLine = 8 }, afterHead: true),
        RejectCase("trailers over maxTrailerBytes", chunked("0\r\nX-Trailer: abcdefgh\r\n\r\n"), 431,
                   limits: tuned { $0.maxTrailerBytes = 8 }, afterHead: true),
    ]
}

@Suite("request rejections")
struct RequestRejectionTests {
    @Test("the table is not empty and names are unique")
    func table() {
        #expect(RejectCase.all.count > 100)
        #expect(Set(RejectCase.all.map(\.name)).count == RejectCase.all.count)
    }

    @Test("rejected with the expected status in every split", arguments: RejectCase.all)
    func rejected(_ c: RejectCase) {
        let whole = replayRequests([c.raw], limits: c.limits)
        #expect(whole.lastReject == c.status, "\(whole.events)")
        #expect(whole.heads.count == (c.afterHead ? 1 : 0), "\(whole.events)")
        for split in Split.all.dropFirst() {
            let other = replayRequests(split.chunks(c.raw), limits: c.limits)
            #expect(other.events == whole.events, "split \(split)")
        }
    }
}
