import PortcullisHTTP
import Testing
@testable import PortcullisEngine

/// Values are slices of the request (`TargetValue`): plain ones must share the head's or the
/// body's storage (asserted, not assumed), decoded ones must not, and everything that indexes a
/// value (later values of a target, match excerpts and offsets) must count from the slice's
/// start, not from 0.
@Suite struct SharedValueTests {
    /// Whether `slice`'s bytes lie inside `array`'s buffer.
    static func inside(_ slice: ArraySlice<UInt8>, _ array: [UInt8]) -> Bool {
        slice.withUnsafeBufferPointer { s in
            array.withUnsafeBufferPointer { a in
                guard let sb = s.baseAddress, let ab = a.baseAddress else { return false }
                return sb >= ab && sb + s.count <= ab + a.count
            }
        }
    }

    static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    /// The value named `name` of `kind`, as text, and whether it shares `storage`.
    static func value(_ view: RequestView, _ kind: TargetKind, _ name: String,
                      in storage: [UInt8]) throws -> (text: String, shared: Bool, nameShared: Bool) {
        let all = view.values(for: TargetSelector(kind: kind))
        let found = try #require(all.first { text($0.name) == name }, "\(kind) \(name)")
        return (text(found.value), inside(found.value, storage), inside(found.name, storage))
    }

    static func view(_ raw: String) throws -> RequestView {
        let (head, body) = try EvaluationCacheTests.parsed(raw)
        return RequestView(head: head, clientAddress: Array("192.0.2.1".utf8), body: body)
    }

    static func post(_ contentType: String, _ body: String, query: String = "") -> String {
        "POST /p\(query) HTTP/1.1\r\nHost: h\r\nContent-Type: \(contentType)\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test func headValuesAreSlicesOfTheHead() throws {
        let view = try Self.view("GET /a/b?x=1&y=two&z=%41+b HTTP/1.1\r\nHost: h\r\nX-First: 1\r\n"
            + "X-Later: bee\r\nCookie: c=1; d=dee\r\nCookie: e= eee \r\n\r\n")
        let storage = view.head.storage
        for (kind, name, expected) in [(TargetKind.queryArgs, "y", "two"), (.headers, "X-Later", "bee"),
                                       (.cookies, "d", "dee"), (.cookies, "e", "eee")] {
            let found = try Self.value(view, kind, name, in: storage)
            #expect(found.text == expected, "\(kind) \(name)")
            #expect(found.shared && found.nameShared, "\(kind) \(name) copied")
        }
        // Decoded: right bytes, its own storage.
        let decoded = try Self.value(view, .queryArgs, "z", in: storage)
        #expect(decoded.text == "A b" && !decoded.shared && decoded.nameShared)
        for (kind, expected) in [(TargetKind.uri, "/a/b?x=1&y=two&z=%41+b"), (.path, "/a/b"),
                                 (.query, "x=1&y=two&z=%41+b")] {
            let value = try #require(view.values(for: TargetSelector(kind: kind)).first?.value)
            #expect(Self.text(value) == expected && Self.inside(value, storage), "\(kind)")
        }
        // Named selectors compare slices by content.
        let named = view.values(for: try #require(TargetSelector(parsing: "query.arg:y")))
        #expect(named.map { Self.text($0.value) } == ["two"])
        let cookie = view.values(for: try #require(TargetSelector(parsing: "cookie:d")))
        #expect(cookie.map { Self.text($0.value) } == ["dee"])
        let names = view.values(for: TargetSelector(kind: .headerNames))
        #expect(names.map { Self.text($0.value) } == ["Host", "X-First", "X-Later", "Cookie", "Cookie"])
        #expect(names.allSatisfy { Self.inside($0.value, storage) })
    }

    @Test func urlencodedBodyValuesAreSlicesOfTheBody() throws {
        let view = try Self.view(Self.post("application/x-www-form-urlencoded", "f=1&g=gee&h=a+b&i=%2Fi"))
        for (name, expected, shared) in [("f", "1", true), ("g", "gee", true), ("h", "a b", false), ("i", "/i", false)] {
            let found = try Self.value(view, .bodyArgs, name, in: view.body)
            #expect(found.text == expected && found.shared == shared && found.nameShared, "\(name)")
        }
        let body = try #require(view.values(for: TargetSelector(kind: .body)).first?.value)
        #expect(Self.inside(body, view.body) && body.count == view.body.count)
    }

    @Test func jsonStringsWithoutEscapesAreSlicesOfTheBody() throws {
        let view = try Self.view(Self.post("application/json",
                                           #"{"a":"x","b":{"c":"plain","d":"esc\u0041"},"n":[12,true]}"#))
        for (name, expected, shared) in [("a", "x", true), ("b.c", "plain", true), ("b.d", "escA", false),
                                         ("n.0", "12", true), ("n.1", "true", true)] {
            let found = try Self.value(view, .bodyArgs, name, in: view.body)
            #expect(found.text == expected && found.shared == shared, "\(name)")
        }
        // Keys: `d` is a plain string of the body; its path name is built.
        let keys = view.values(for: TargetSelector(kind: .bodyJSON)).filter { Self.text($0.name) == "b.d" }
        #expect(keys.map { Self.text($0.value) } == ["d", "escA"])
        #expect(Self.inside(keys[0].value, view.body) && !Self.inside(keys[1].value, view.body))
    }

    @Test func multipartContentsAreSlicesOfTheBody() throws {
        let body = "--B\r\nContent-Disposition: form-data; name=\"one\"\r\n\r\nfirst\r\n"
            + "--B\r\nContent-Disposition: form-data; name=\"two\"\r\n\r\nsecond value\r\n"
            + "--B\r\nContent-Disposition: form-data; name=\"up\"; filename=\"s.php\"\r\n\r\n<?php\r\n--B--\r\n"
        let view = try Self.view(Self.post("multipart/form-data; boundary=B", body))
        for (name, expected) in [("one", "first"), ("two", "second value"), ("up", "<?php")] {
            let found = try Self.value(view, .bodyArgs, name, in: view.body)
            #expect(found.text == expected && found.shared, "\(name)")
        }
        #expect(try Self.value(view, .bodyArgs, "up.filename", in: view.body).text == "s.php")
    }

    // MARK: - Match records over later values

    struct MatchCase: Sendable, CustomTestStringConvertible {
        let name: String
        let target: String
        let transforms: String
        let request: String
        let expectedTarget: String
        let excerpt: String
        let offset: Int
        var testDescription: String { name }
    }

    static let matchCases: [MatchCase] = [
        MatchCase(name: "third query arg", target: "query.args", transforms: "",
                  request: "GET /?a=hello&b=1&c=xxevilyy HTTP/1.1\r\nHost: h\r\n\r\n",
                  expectedTarget: "query.arg:c", excerpt: "evil", offset: 2),
        MatchCase(name: "query arg changed by lowercase", target: "query.args", transforms: "lowercase",
                  request: "GET /?a=hello&b=QQEVIL HTTP/1.1\r\nHost: h\r\n\r\n",
                  expectedTarget: "query.arg:b", excerpt: "evil", offset: 2),
        MatchCase(name: "query arg unchanged by lowercase", target: "query.args", transforms: "lowercase",
                  request: "GET /?a=HELLO&b=qqevil HTTP/1.1\r\nHost: h\r\n\r\n",
                  expectedTarget: "query.arg:b", excerpt: "evil", offset: 2),
        MatchCase(name: "later header, url_decode runs and changes nothing", target: "headers",
                  transforms: "url_decode",
                  request: "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nX-B: x%zzevil\r\n\r\n",
                  expectedTarget: "header:X-B", excerpt: "evil", offset: 4),
        MatchCase(name: "later cookie", target: "cookies", transforms: "",
                  request: "GET / HTTP/1.1\r\nHost: h\r\nCookie: a=1; b=__evil\r\n\r\n",
                  expectedTarget: "cookie:b", excerpt: "evil", offset: 2),
        MatchCase(name: "later urlencoded body arg", target: "body.args", transforms: "",
                  request: post("application/x-www-form-urlencoded", "a=1&b=2&c=zzzevil"),
                  expectedTarget: "body.arg:c", excerpt: "evil", offset: 3),
        MatchCase(name: "later JSON string", target: "body.args", transforms: "",
                  request: post("application/json", #"{"a":"x","b":["y","..evil"]}"#),
                  expectedTarget: "body.arg:b.1", excerpt: "evil", offset: 2),
        MatchCase(name: "later multipart field", target: "body.args", transforms: "",
                  request: post("multipart/form-data; boundary=B",
                                "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nfine\r\n"
                                + "--B\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n12345evil\r\n--B--\r\n"),
                  expectedTarget: "body.arg:b", excerpt: "evil", offset: 5),
        MatchCase(name: "query string", target: "query", transforms: "",
                  request: "GET /abc?q=1&r=evil HTTP/1.1\r\nHost: h\r\n\r\n",
                  expectedTarget: "query", excerpt: "evil", offset: 6),
    ]

    @Test("a later value's match: right excerpt at the right offset", arguments: matchCases)
    func matchInLaterValue(_ row: MatchCase) throws {
        let transforms = row.transforms.isEmpty ? "" : ", transforms: [\(row.transforms)]"
        let set = try EvaluationCacheTests.set("""
              - id: 7
                name: evil
                action: block
                when: { regex: 'evil', in: [\(row.target)]\(transforms) }
            """)
        var scratch = EvaluationScratch()
        let (verdict, state) = Inspector(ruleSet: set).decide(try Self.view(row.request), scratch: &scratch)
        #expect(EvaluationCacheTests.blockingRule(verdict) == RuleID(7))
        let match = try #require(state.matches.first)
        #expect(match.target == row.expectedTarget)
        #expect(String(decoding: match.excerpt, as: UTF8.self) == row.excerpt)
        #expect(match.offset == row.offset)
    }

    /// A step that had to run (its memo could not tell) and changed nothing leaves the chain
    /// sharing the raw values: no transformed copy is kept.
    @Test func stepThatRanAndChangedNothingSharesTheRawValues() throws {
        let value = "x/y-z"
        // The premise: the byte memo cannot tell, and running the step hands back its input.
        let bytes = Array(value.utf8)
        let bit = UInt64(1) << Transformation.removeComments.ordinal
        try #require(TransformationIdentity.unchangedMask(of: bytes) & bit == 0)
        let out = Transformation.removeComments.apply(bytes)
        try #require(out.withUnsafeBufferPointer { $0.baseAddress } == bytes.withUnsafeBufferPointer { $0.baseAddress })
        let set = try EvaluationCacheTests.set("""
              - id: 1
                name: probe
                action: count
                when: { regex: 'y/x', in: [headers], transforms: [remove_comments] }
            """)
        let view = try Self.view("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nX-B: \(value)\r\n\r\n")
        var scratch = EvaluationScratch()
        var state = EvaluationState()
        _ = Inspector(ruleSet: set).evaluate(.requestHeaders, request: view, state: &state, scratch: &scratch)
        #expect(!state.cache.chains.isEmpty)
        #expect(state.cache.chains.allSatisfy { $0.values == nil })
        // And the step is remembered as leaving that value unchanged.
        let memos = state.cache.memos
        #expect(memos.count == 3 && memos[2] & bit != 0)
    }

    /// When some value changes, the chain's values before and after it that did not change are
    /// the raw slices (shared with the head), and the changed one is its own array.
    @Test func unchangedValuesOfAChangedChainShareTheRequest() throws {
        let set = try EvaluationCacheTests.set("""
              - id: 1
                name: probe
                action: count
                when: { regex: 'eno', in: [headers], transforms: [lowercase] }
            """)
        let view = try Self.view("GET / HTTP/1.1\r\nhost: h\r\nx-a: one\r\nx-b: TWO\r\nx-c: three\r\n\r\n")
        var scratch = EvaluationScratch()
        var state = EvaluationState()
        _ = Inspector(ruleSet: set).evaluate(.requestHeaders, request: view, state: &state, scratch: &scratch)
        let values = try #require(state.cache.chains.compactMap(\.values).first)
        #expect(values.map(Self.text) == ["h", "one", "two", "three"])
        #expect(values.map { Self.inside($0, view.head.storage) } == [true, true, false, true])
    }
}
