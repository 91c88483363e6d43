import Testing
import PortcullisHTTP
@testable import PortcullisEngine

/// Example text → the bytes a client sends.
private let wireCases: [(label: String, example: String, wire: String)] = [
    ("request line", "GET /search?q=x", "GET /search?q=x HTTP/1.1\r\nHost: example.test\r\n\r\n"),
    ("request line with a trailing newline", "DELETE /item/7\n", "DELETE /item/7 HTTP/1.1\r\nHost: example.test\r\n\r\n"),
    ("request line with a version", "GET / HTTP/1.0", "GET / HTTP/1.0\r\n\r\n"),
    ("raw request, body gets a Content-Length",
     "POST /login HTTP/1.1\nHost: app.test\nContent-Type: application/x-www-form-urlencoded\n\nuser=a&pw=b\n",
     "POST /login HTTP/1.1\r\nHost: app.test\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        + "Content-Length: 11\r\n\r\nuser=a&pw=b"),
    ("raw request without version or Host", "PUT /api/x\nContent-Type: application/json\n\n{\"a\": 1}\n",
     "PUT /api/x HTTP/1.1\r\nContent-Type: application/json\r\nHost: example.test\r\nContent-Length: 8\r\n\r\n{\"a\": 1}"),
    ("raw request, CRLF already", "GET /a HTTP/1.1\r\nHost: h\r\n\r\n", "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"),
    ("multi-line body keeps CRLF line ends", "POST /m\nContent-Length: 4\n\na\nb\n",
     "POST /m HTTP/1.1\r\nContent-Length: 4\r\nHost: example.test\r\n\r\na\r\nb"),
    ("raw head only", "GET /h HTTP/1.1\nUser-Agent: sqlmap/1.7\n",
     "GET /h HTTP/1.1\r\nUser-Agent: sqlmap/1.7\r\nHost: example.test\r\n\r\n"),
]

@Test("examples become wire requests", arguments: wireCases)
func exampleWire(_ label: String, _ example: String, _ wire: String) throws {
    let bytes = try ExampleRequest.wireBytes(example).get()
    #expect(String(decoding: bytes, as: UTF8.self) == wire, "\(label)")
    // And the proxy's parser accepts it.
    let parsed = try ExampleRequest.parse(example).get()
    #expect(parsed.head.version == (wire.contains("HTTP/1.0") ? .http10 : .http11))
}

@Test("bad examples are reported, not crashed on", arguments: [
    ("GET /a b", "bad request line 'GET /a b'"),
    ("", "empty example"),
    ("GET", "bad request line 'GET'"),
    ("POST /x\nContent-Length: 10\n\nshort\n", "incomplete request"),
    ("POST /x\nContent-Length: 2\n\nlonger\n", "bytes left after the request"),
    ("GET /x\nBad Header: v\n", "the proxy would refuse it: 400"),
])
func badExample(_ example: String, _ message: String) {
    switch ExampleRequest.parse(example) {
    case .success: Issue.record("\(example) parsed")
    case .failure(let error): #expect(error.message.contains(message), "\(error.message)")
    }
}

@Test func bodyExampleReachesBodyTargets() throws {
    let (head, body) = try ExampleRequest.parse(
        "POST /f\nContent-Type: application/x-www-form-urlencoded\n\na=1&b=two+words\n").get()
    let view = RequestView(head: head, clientAddress: Array(ExampleRequest.clientAddress.utf8), body: body)
    let values = view.values(for: TargetSelector(kind: .bodyArg, name: Array("b".utf8)))
    #expect(values.map { String(decoding: $0.value, as: UTF8.self) } == ["two words"])
}

/// Which examples hold, and what is said about those that do not.
@Test func examplePassAndFailDetection() throws {
    let set = try RuleSetLoader().load(contentsOf: fixture("checked/failing.yaml"))
    let results = ExampleRunner.run(set)
    #expect(results.map(\.example.line) == [16, 17, 18, 19, 25, 31])
    #expect(results.allSatisfy { !$0.passed })
    #expect(results.map(\.failureText) == [
        "block example not blocked: GET /static/../etc/passwd (allowed by rule 10 (allow-static))",
        "block example not blocked: GET /plain (no rule decided; the default action allows)",
        "block example is not a valid request: GET /a b (bad request line 'GET /a b'; expected 'METHOD TARGET' "
            + "(spaces in the target must be written %20))",
        "allow example blocked: GET /x/../y (blocked by rule 11 (traversal))",
        "block example not blocked: GET /?secret=1 (no rule decided; the default action allows; "
            + "this rule matched, but its action is count)",
        "block example not matched by this rule: GET /x/../etc/passwd (blocked by rule 11 (traversal) instead)",
    ])
    #expect(results.map(\.ruleID.value) == [11, 11, 11, 11, 12, 13])

    let good = try RuleSetLoader().load(contentsOf: fixture("checked/good.yaml"))
    let held = ExampleRunner.run(good)
    #expect(held.count == 6)
    #expect(held.allSatisfy { $0.passed }, "\(held.filter { !$0.passed })")
}

/// A rule blocking by default action does not make a block example hold: the rule must match.
@Test func defaultBlockIsNotThisRulesBlock() throws {
    let set = try RuleSetLoader().load(yaml: """
        name: closed
        default_action: block
        rules:
          - id: 1
            name: public
            action: allow
            when: { starts_with: /public, in: path }
          - id: 2
            name: never
            action: block
            when: { equals: nothing-ever, in: method }
            examples: { block: ['GET /private'], allow: ['GET /private'] }
        """, sourcePath: "c.yaml")
    let results = ExampleRunner.run(set)
    #expect(results.map(\.passed) == [false, false])
    #expect(results.map(\.failureText) == [
        "block example not matched by this rule: GET /private (blocked by the default action instead)",
        "allow example blocked: GET /private (blocked by the default action)",
    ])
}
