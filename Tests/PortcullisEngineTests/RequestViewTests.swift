import Testing
import PortcullisHTTP
@testable import PortcullisEngine

/// Renders a value as `name=value`, bytes outside printable ASCII as `\xHH` and `\` as `\\`, so
/// tables compare exact bytes.
func reqRender(_ v: TargetValue) -> String {
    reqEscape(v.name) + "=" + reqEscape(v.value)
}

func reqEscape<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
    let hex = Array("0123456789ABCDEF")
    var s = ""
    for b in bytes {
        if b == UInt8(ascii: "\\") {
            s += "\\\\"
        } else if b >= 0x20 && b < 0x7F {
            s.append(Character(Unicode.Scalar(b)))
        } else {
            s += "\\x" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 0xF)])
        }
    }
    return s
}

/// One request fixture: raw bytes as received, how it is viewed, and what some targets hold.
struct ReqViewCase: Sendable, CustomTestStringConvertible {
    let name: String
    let raw: String
    var clientIP = "203.0.113.9"
    /// Cut the body here and mark it truncated, as the proxy does at the inspect limit.
    var inspectLimit: Int?
    var limits = ExtractionLimits()
    /// Selector text → values expected (`name=value`).
    let expect: [(String, [String])]
    var malformed = false
    var tooMany = false
    var testDescription: String { name }
}

private let getWithEverything = "GET /search/a%20b?q=union+select&q=%27x%27&flag&=v HTTP/1.1\r\n"
    + "Host: example.com\r\nUser-Agent: curl/8.5\r\nCookie: session=abc; theme=dark\r\nCookie: lang=en\r\n"
    + "X-Dup: 1\r\nx-dup: 2\r\n\r\n"

private let multipartBody = "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nmy cat\r\n"
    + "--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"../../etc/passwd\"\r\n"
    + "Content-Type: image/png\r\n\r\n\u{01}PNG\r\n\r\n--XyZ--\r\n"

private let jsonBody = #"{"user":{"name":"a\u00e9","tags":["x","<svg>"]},"n":1}"#

private func request(_ head: String, body: String) -> String {
    head + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
}

private let viewTable: [ReqViewCase] = [
    ReqViewCase(name: "GET with query, headers, cookies", raw: getWithEverything, expect: [
        ("method", ["=GET"]),
        ("path", ["=/search/a%20b"]),
        ("uri", ["=/search/a%20b?q=union+select&q=%27x%27&flag&=v"]),
        ("query", ["=q=union+select&q=%27x%27&flag&=v"]),
        ("query.args", ["q=union select", "q='x'", "flag=", "=v"]),
        ("query.arg:q", ["q=union select", "q='x'"]),
        ("query.arg:flag", ["flag="]),
        ("query.arg:Q", []),
        ("query.arg_names", ["q=q", "q=q", "flag=flag", "="]),
        ("headers", ["Host=example.com", "User-Agent=curl/8.5", "Cookie=session=abc; theme=dark", "Cookie=lang=en",
                     "X-Dup=1", "x-dup=2"]),
        ("header:x-dup", ["X-Dup=1", "x-dup=2"]),
        ("header:USER-AGENT", ["User-Agent=curl/8.5"]),
        ("header:missing", []),
        ("header_names", ["Host=Host", "User-Agent=User-Agent", "Cookie=Cookie", "Cookie=Cookie", "X-Dup=X-Dup",
                          "x-dup=x-dup"]),
        ("cookies", ["session=abc", "theme=dark", "lang=en"]),
        ("cookie:theme", ["theme=dark"]),
        ("cookie:Theme", []),
        ("cookie_names", ["session=session", "theme=theme", "lang=lang"]),
        ("body", ["="]),
        ("body.args", []),
        ("body.arg:q", []),
        ("body.arg_names", []),
        ("body.json", []),
        ("client_ip", ["=203.0.113.9"]),
        ("protocol", ["=HTTP/1.1"]),
    ]),
    ReqViewCase(name: "urlencoded POST",
                raw: request("POST /login HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n",
                             body: "user=admin&pass=%27+OR+1%3D1--&pass=2"),
                clientIP: "2001:db8::1",
                expect: [
                    ("method", ["=POST"]),
                    ("query", ["="]),
                    ("query.args", []),
                    ("body", ["=user=admin&pass=%27+OR+1%3D1--&pass=2"]),
                    ("body.args", ["user=admin", "pass=' OR 1=1--", "pass=2"]),
                    ("body.arg:pass", ["pass=' OR 1=1--", "pass=2"]),
                    ("body.arg_names", ["user=user", "pass=pass", "pass=pass"]),
                    ("body.json", []),
                    ("client_ip", ["=2001:db8::1"]),
                ]),
    ReqViewCase(name: "chunked JSON POST",
                raw: "PUT /api/users/7 HTTP/1.1\r\nHost: h\r\nContent-Type: application/json; charset=utf-8\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"
                    + "10\r\n" + String(jsonBody.prefix(16)) + "\r\n"
                    + String(jsonBody.utf8.count - 16, radix: 16) + "\r\n" + String(jsonBody.dropFirst(16)) + "\r\n"
                    + "0\r\n\r\n",
                expect: [
                    ("method", ["=PUT"]),
                    ("body", ["=" + jsonBody.replacingBackslashes()]),
                    ("body.json", ["user=user", "user.name=name", "user.name=a\\xC3\\xA9", "user.tags=tags",
                                   "user.tags.0=x", "user.tags.1=<svg>", "n=n", "n=1"]),
                    ("body.args", ["user.name=a\\xC3\\xA9", "user.tags.0=x", "user.tags.1=<svg>", "n=1"]),
                    ("body.arg:user.tags.1", ["user.tags.1=<svg>"]),
                    ("body.arg_names", ["user.name=user.name", "user.tags.0=user.tags.0", "user.tags.1=user.tags.1",
                                        "n=n"]),
                ]),
    ReqViewCase(name: "multipart upload",
                raw: request("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=\"XyZ\"\r\n",
                             body: multipartBody),
                expect: [
                    ("body.args", ["title=my cat", "photo=\\x01PNG\\x0D\\x0A", "photo.filename=../../etc/passwd"]),
                    ("body.arg:photo.filename", ["photo.filename=../../etc/passwd"]),
                    ("body.arg_names", ["title=title", "photo=photo", "photo.filename=photo.filename"]),
                    ("body.json", []),
                ]),
    ReqViewCase(name: "HTTP/1.0 absolute-form",
                raw: "GET http://example.com/p/q?x=1&y=%41 HTTP/1.0\r\n\r\n",
                expect: [
                    ("uri", ["=/p/q?x=1&y=%41"]),
                    ("path", ["=/p/q"]),
                    ("query", ["=x=1&y=%41"]),
                    ("query.args", ["x=1", "y=A"]),
                    ("protocol", ["=HTTP/1.0"]),
                    ("headers", []),
                    ("header_names", []),
                    ("cookies", []),
                    ("cookie_names", []),
                ]),
    ReqViewCase(name: "absolute-form without a path",
                raw: "GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n",
                expect: [("uri", ["=/"]), ("path", ["=/"]), ("query", ["="])]),
    ReqViewCase(name: "OPTIONS *", raw: "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
                expect: [("method", ["=OPTIONS"]), ("path", ["=*"]), ("uri", ["=*"]), ("query", ["="])]),
    ReqViewCase(name: "extension method, second ? kept in the query",
                raw: "PURGE /a?b=1?c=2;d=3 HTTP/1.1\r\nHost: h\r\n\r\n",
                expect: [("method", ["=PURGE"]), ("path", ["=/a"]), ("query", ["=b=1?c=2;d=3"]),
                         ("query.args", ["b=1?c=2;d=3"])]),
    // Methods and field names are given as sent, in whatever case, whether or not they are common.
    ReqViewCase(name: "field names in odd case, lowercase method",
                raw: "get /index.html HTTP/1.1\r\nHOST: h\r\nuser-agent: ua\r\nAccept: */*\r\n"
                    + "Accept-Encodings: y\r\nX: \r\n\r\n",
                expect: [("method", ["=get"]), ("path", ["=/index.html"]), ("uri", ["=/index.html"]),
                         ("headers", ["HOST=h", "user-agent=ua", "Accept=*/*", "Accept-Encodings=y", "X="]),
                         ("header:host", ["HOST=h"]), ("header:User-Agent", ["user-agent=ua"]),
                         ("header_names", ["HOST=HOST", "user-agent=user-agent", "Accept=Accept",
                                           "Accept-Encodings=Accept-Encodings", "X=X"])]),
    ReqViewCase(name: "common method and field names", raw: "DELETE /a/b HTTP/1.0\r\nHost: h\r\nCookie: c=1\r\n\r\n",
                expect: [("method", ["=DELETE"]), ("path", ["=/a/b"]), ("protocol", ["=HTTP/1.0"]),
                         ("header_names", ["Host=Host", "Cookie=Cookie"]), ("cookies", ["c=1"])]),
    ReqViewCase(name: "a named header before and after the 64th field",
                raw: "GET / HTTP/1.1\r\nHost: h\r\nX-Late: first\r\n"
                    + (0..<66).map { "X-\($0): v\r\n" }.joined() + "x-late: last\r\nX-Lat: no\r\n\r\n",
                expect: [("header:X-LATE", ["X-Late=first", "x-late=last"]), ("header:X-65", ["X-65=v"]),
                         ("header:X-La", [])]),
    ReqViewCase(name: "empty query after ?", raw: "GET /x? HTTP/1.1\r\nHost: h\r\n\r\n",
                expect: [("path", ["=/x"]), ("uri", ["=/x?"]), ("query", ["="]), ("query.args", [])]),
    ReqViewCase(name: "invalid JSON",
                raw: request("POST /api HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n", body: #"{"a":1,}"#),
                expect: [("body.json", ["a=a", "a=1"]), ("body.args", ["a=1"])], malformed: true),
    ReqViewCase(name: "JSON cut short without truncation is malformed",
                raw: request("POST /api HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n", body: #"{"a":"x"#),
                expect: [("body.json", ["a=a"])], malformed: true),
    ReqViewCase(name: "JSON cut at the inspect limit is not malformed",
                raw: request("POST /api HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n",
                             body: #"{"a":"x","b":"yyyyyyyy"}"#),
                inspectLimit: 14,
                expect: [("body", [##"={"a":"x","b":""##]), ("body.json", ["a=a", "a=x", "b=b"])]),
    ReqViewCase(name: "JSON too deep",
                raw: request("POST /api HTTP/1.1\r\nHost: h\r\nContent-Type: application/problem+json\r\n",
                             body: "[[[1]]]"),
                limits: { var l = ExtractionLimits(); l.maxJSONDepth = 2; return l }(),
                expect: [("body.json", [])], malformed: true),
    ReqViewCase(name: "multipart without boundary",
                raw: request("POST /u HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data\r\n", body: multipartBody),
                expect: [("body.args", [])], malformed: true),
    ReqViewCase(name: "multipart cut at the inspect limit is not malformed",
                raw: request("POST /u HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n",
                             body: multipartBody),
                inspectLimit: 75,
                expect: [("body.args", ["title=my cat"])]),
    ReqViewCase(name: "two different Content-Types",
                raw: request("POST /u HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\n"
                             + "Content-Type: application/x-www-form-urlencoded\r\n", body: "a=1"),
                expect: [("body.args", [])], malformed: true),
    ReqViewCase(name: "the same Content-Type twice",
                raw: request("POST /u HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                             + "content-type: application/x-www-form-urlencoded\r\n", body: "a=1"),
                expect: [("body.args", ["a=1"])]),
    ReqViewCase(name: "unparsed Content-Type",
                raw: request("POST /u HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\n", body: "a=1&b={"),
                expect: [("body", ["=a=1&b={"]), ("body.args", []), ("body.json", [])]),
    ReqViewCase(name: "no Content-Type", raw: request("POST /u HTTP/1.1\r\nHost: h\r\n", body: "{bad"),
                expect: [("body.args", [])]),
    ReqViewCase(name: "JSON Content-Type with an empty body",
                raw: request("POST /u HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n", body: ""),
                expect: [("body", ["="]), ("body.json", [])]),
    ReqViewCase(name: "too many query arguments",
                raw: "GET /?a=1&b=2&c=3&d=4 HTTP/1.1\r\nHost: h\r\n\r\n",
                limits: { var l = ExtractionLimits(); l.maxArguments = 3; return l }(),
                expect: [("query.args", ["a=1", "b=2", "c=3"]), ("query.arg:d", [])], tooMany: true),
    ReqViewCase(name: "too many body arguments",
                raw: request("POST /u?q=1 HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n",
                             body: "a&b&c"),
                limits: { var l = ExtractionLimits(); l.maxArguments = 2; return l }(),
                expect: [("query.args", ["q=1"]), ("body.args", ["a=", "b="])], tooMany: true),
    ReqViewCase(name: "too many multipart parts",
                raw: request("POST /u HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n",
                             body: multipartBody),
                limits: { var l = ExtractionLimits(); l.maxMultipartParts = 1; return l }(),
                expect: [("body.args", ["title=my cat"])], tooMany: true),
]

/// Feeds `chunks` to a `RequestParser` the way the proxy does; the head and body of the first
/// request, or a description of what went wrong.
private func parseRequest(_ chunks: [[UInt8]]) -> Result<(RequestHead, [UInt8]), ReqParseFailure> {
    var parser = RequestParser()
    var head: RequestHead?
    var body: [UInt8] = []
    var ended = false
    var failure: ReqParseFailure?
    for chunk in chunks + [[]] where !ended && failure == nil {
        chunk.withUnsafeBytes { raw in
            var offset = 0
            while !ended && failure == nil {
                let input = UnsafeRawBufferPointer(rebasing: raw[offset...])
                let (consumed, event) = parser.next(input)
                offset += consumed
                switch event {
                case .needMore:
                    if offset != raw.count { failure = ReqParseFailure(text: "needMore with bytes left") }
                    return
                case .head(let h):
                    head = h
                case .body(let range):
                    body.append(contentsOf: input[range])
                case .end:
                    ended = true
                case .reject(let error):
                    failure = ReqParseFailure(text: "rejected: \(error)")
                }
            }
        }
    }
    if let failure { return .failure(failure) }
    guard let head, ended else { return .failure(ReqParseFailure(text: "incomplete request")) }
    return .success((head, body))
}

struct ReqParseFailure: Error, Equatable {
    let text: String
}

/// How a fixture's bytes are cut into reads: whole, byte by byte, or seeded random pieces.
private func reqSplits(_ raw: [UInt8]) -> [(String, [[UInt8]])] {
    var out: [(String, [[UInt8]])] = [("whole", [raw]), ("byte-by-byte", raw.map { [$0] })]
    for seed in UInt64(1)...6 {
        var state = seed
        var pieces: [[UInt8]] = []
        var i = 0
        while i < raw.count {
            // SplitMix64: reproducible from the seed.
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            let roll = Int(z % 10)
            let size = roll == 0 ? 0 : roll == 9 ? 1 + Int((z >> 8) % 200) : 1 + Int((z >> 8) % 12)
            let end = min(raw.count, i + size)
            pieces.append(Array(raw[i..<end]))
            i = end
        }
        out.append(("random(\(seed))", pieces))
    }
    return out
}

/// Every selector a fixture is read with: each kind, and each named kind with the names its
/// expectations use plus one that is absent.
private func allSelectors(_ row: ReqViewCase) -> [TargetSelector] {
    var out: [TargetSelector] = []
    for kind in TargetKind.allCases {
        if kind.takesName {
            out.append(TargetSelector(kind: kind, name: Array("no-such-name".utf8)))
        } else {
            out.append(TargetSelector(kind: kind))
        }
    }
    for (text, _) in row.expect {
        if let selector = TargetSelector(parsing: text), selector.kind.takesName { out.append(selector) }
    }
    return out
}

/// What a view extracts for every selector, plus its flags: compared across splits.
private func extractAll(_ view: RequestView, _ selectors: [TargetSelector]) -> [String] {
    var out = selectors.map { "\($0): " + view.values(for: $0).map(reqRender).joined(separator: " | ") }
    out.append("malformedBody=\(view.malformedBody) tooManyArguments=\(view.tooManyArguments)")
    return out
}

private func makeView(_ row: ReqViewCase, _ head: RequestHead, _ body: [UInt8]) -> RequestView {
    var kept = body
    var truncated = false
    if let limit = row.inspectLimit, body.count > limit {
        kept = Array(body[..<limit])
        truncated = true
    }
    return RequestView(head: head, clientAddress: Array(row.clientIP.utf8), body: kept, bodyTruncated: truncated,
                       limits: row.limits)
}

private func viewOf(_ raw: String, body: [UInt8] = []) throws -> RequestView {
    let (head, _) = try parseRequest([Array(raw.utf8)]).get()
    return RequestView(head: head, clientAddress: Array("192.0.2.1".utf8), body: body)
}


@Suite struct RequestViewTests {
    @Test("request targets, whole and split", arguments: viewTable)
    func requestTargets(_ row: ReqViewCase) throws {
        let raw = Array(row.raw.utf8)
        let selectors = allSelectors(row)
        var reference: [String]?
        var splitsRun = 0
        for (splitName, chunks) in reqSplits(raw) {
            let (head, body) = try parseRequest(chunks).get()
            let view = makeView(row, head, body)
            // Flags first on a fresh view: they must not depend on what was read before.
            #expect(view.malformedBody == row.malformed, "\(splitName)")
            #expect(view.tooManyArguments == row.tooMany, "\(splitName)")
            for (text, expected) in row.expect {
                let selector = try #require(TargetSelector(parsing: text), "\(text) does not resolve")
                #expect(view.values(for: selector).map(reqRender) == expected, "\(text) \(splitName)")
            }
            let all = extractAll(view, selectors)
            if let reference {
                #expect(all == reference, "\(splitName) differs from whole")
            } else {
                reference = all
            }
            // The same view read again gives the same values (cached).
            #expect(extractAll(view, selectors) == all)
            splitsRun += 1
        }
        #expect(splitsRun == 8)
    }

    /// A part the view says the request lacks has no value in any target cut from it: the
    /// engine marks those targets absent without reading them (`AbsentSource`). A header field
    /// is lacked exactly when `header:NAME` has no value.
    @Test("lacked parts have no values", arguments: viewTable)
    func lackedPartsHaveNoValues(_ row: ReqViewCase) throws {
        let (head, body) = try parseRequest([Array(row.raw.utf8)]).get()
        let view = makeView(row, head, body)
        for source in Self.partSources where source.isLacking(in: view, name: UnsafeBufferPointer(start: nil, count: 0)) {
            for selector in allSelectors(row) where AbsentSource(selector.kind) == source {
                #expect(view.values(for: selector).isEmpty, "\(selector) of a request lacking \(source)")
            }
        }
        var names = allSelectors(row).compactMap { $0.kind == .header ? $0.name : nil }
        names += view.values(for: TargetSelector(kind: .headerNames)).map { Array($0.value) }
        names += names.map { $0.map { $0 ^ 0x20 } }   // the other case (and a non-letter changed)
        for name in names where !name.isEmpty {
            let lacking = name.withUnsafeBufferPointer { AbsentSource.header.isLacking(in: view, name: $0) }
            let selector = TargetSelector(kind: .header, name: name)
            #expect(lacking == view.values(for: selector).isEmpty, "\(selector)")
        }
    }

    static let partSources: [AbsentSource] = [.queryArguments, .cookies, .parsedBody]

    /// One pass over the fields (`fieldNames(in:)`) finds exactly the names a field has, as the
    /// walk per name does: names in several cases, names sharing a bucket, names of no field.
    @Test("field names in one pass", arguments: viewTable)
    func fieldNamesInOnePassAgreeWithEachName(_ row: ReqViewCase) throws {
        let (head, body) = try parseRequest([Array(row.raw.utf8)]).get()
        let view = makeView(row, head, body)
        var names = view.values(for: TargetSelector(kind: .headerNames)).map { Array($0.value) }
        names += names.map { Array($0.dropLast()) } + names.map { $0 + [UInt8(ascii: "x")] }
        names += names.map { $0.map { $0 ^ 0x20 } }   // the other case (and a non-letter changed)
        names += ["Cookie", "cookie", "User-Agent", "X-Filename", "X_Filename", "Referer", "Host"].map { Array($0.utf8) }
        // Tables of at most 64 names, so every name gets a bit.
        for start in stride(from: 0, to: names.count, by: 32) {
            let table = FieldNameTable(Array(names[start..<min(start + 32, names.count)]))
            let found = view.fieldNames(in: table)
            for k in 0..<table.count {
                let name = Array(table.name(k))
                let lacking = name.withUnsafeBufferPointer { AbsentSource.header.isLacking(in: view, name: $0) }
                #expect((found & (1 << UInt64(k)) == 0) == lacking, "\(String(decoding: name, as: UTF8.self))")
            }
        }
    }

    @Test func viewTableLacksAndHasEachPart() throws {
        for source in Self.partSources {
            let lacking = try viewTable.map { row in
                let (head, body) = try parseRequest([Array(row.raw.utf8)]).get()
                return source.isLacking(in: makeView(row, head, body), name: UnsafeBufferPointer(start: nil, count: 0))
            }
            #expect(lacking.contains(true) && lacking.contains(false), "\(source)")
        }
    }

    @Test func viewTableCoversEveryTargetKind() throws {
        #expect(viewTable.count > 20)
        var kinds = Set<TargetKind>()
        for row in viewTable {
            for (text, _) in row.expect {
                let selector = try #require(TargetSelector(parsing: text), "\(text) does not resolve")
                kinds.insert(selector.kind)
            }
        }
        #expect(kinds == Set(TargetKind.allCases), "not covered: \(Set(TargetKind.allCases).subtracting(kinds))")
        #expect(viewTable.contains { $0.malformed })
        #expect(viewTable.contains { $0.tooMany })
    }

    @Test func cachedValuesShareStorage() throws {
        let view = try viewOf(getWithEverything)
        let selector = TargetSelector(kind: .queryArgs)
        let first = view.values(for: selector)
        let second = view.values(for: selector)
        let a = first.withUnsafeBufferPointer { $0.baseAddress }
        let b = second.withUnsafeBufferPointer { $0.baseAddress }
        #expect(a != nil && a == b)
    }

    @Test func pathWithoutQueryIsTheURIsStorage() throws {
        let view = try viewOf("GET /index.html HTTP/1.1\r\nHost: h\r\n\r\n")
        let path = try #require(view.values(for: TargetSelector(kind: .path)).first?.value)
        let uri = try #require(view.values(for: TargetSelector(kind: .uri)).first?.value)
        #expect(Array(path) == Array("/index.html".utf8))
        #expect(path.withUnsafeBufferPointer { $0.baseAddress } == uri.withUnsafeBufferPointer { $0.baseAddress })
    }

    @Test func argumentNamesAreTheArgumentsNameStorage() throws {
        let view = try viewOf(getWithEverything)
        let args = view.values(for: TargetSelector(kind: .queryArgs))
        let names = view.values(for: TargetSelector(kind: .queryArgNames))
        #expect(names.count == args.count)
        for (arg, name) in zip(args, names) where !arg.name.isEmpty {
            let a = arg.name.withUnsafeBufferPointer { $0.baseAddress }
            #expect(name.value.withUnsafeBufferPointer { $0.baseAddress } == a)
            #expect(name.name.withUnsafeBufferPointer { $0.baseAddress } == a)
        }
    }

    @Test func bodyValueIsTheBufferedBody() throws {
        let body = Array("a=1".utf8)
        let view = try viewOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\na=1", body: body)
        let value = try #require(view.values(for: TargetSelector(kind: .body)).first)
        #expect(value.value.withUnsafeBufferPointer { $0.baseAddress } == body.withUnsafeBufferPointer { $0.baseAddress })
    }

    @Test func headerByNameReadsTheSameBeforeAndAfterAllHeaders() throws {
        let view = try viewOf(getWithEverything)
        let selector = try #require(TargetSelector(parsing: "header:X-DUP"))
        let before = view.values(for: selector)
        _ = view.values(for: TargetSelector(kind: .headers))
        let after = view.values(for: selector)
        #expect(before.map(reqRender) == ["X-Dup=1", "x-dup=2"])
        #expect(after == before)
    }

    @Test func namedKindWithoutNameSelectsNothing() throws {
        let view = try viewOf(getWithEverything)
        for kind in TargetKind.allCases where kind.takesName {
            #expect(view.values(for: TargetSelector(kind: kind)).isEmpty, "\(kind)")
        }
    }
}

extension String {
    /// The string as `reqEscape` renders it (for fixtures whose text holds backslashes).
    fileprivate func replacingBackslashes() -> String { reqEscape(Array(utf8)) }
}
