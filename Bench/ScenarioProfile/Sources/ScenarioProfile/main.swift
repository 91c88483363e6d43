import Glibc
import PortcullisEngine
import PortcullisHTTP

// ScenarioProfile RULES SCENARIO N: inspects the request of one `make bench` scenario N times
// (a fresh RequestView and evaluation state each time, one scratch, as one event loop does) and
// prints the verdict. `measure.sh` runs it under valgrind and counts only `inspectOne`.

/// A message on standard error, then exit.
func fail(_ message: String, status: Int32) -> Never {
    StandardError.write(message + "\n")
    exit(status)
}

/// Standard error without Foundation (the C `stderr` global is not concurrency-safe to name).
enum StandardError {
    static func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = Glibc.write(2, &bytes, bytes.count)
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 4, let count = Int(arguments[3]) else {
    fail("usage: ScenarioProfile RULES get|args|post|attack|close N", status: 2)
}
let rulesPath = arguments[1]
let scenario = arguments[2]

/// The 2048-byte urlencoded body of ../shared/bench/peer_bench.sh (make_post_body).
func postBody() -> String {
    var body = ""
    var i = 1
    while body.utf8.count < 2048 {
        let n = i < 10 ? "0\(i)" : "\(i)"
        body += (body.isEmpty ? "" : "&") + "field\(n)=value\(n)abcdefghijklmnopqrstuvwxyz0123456789"
        i += 1
    }
    return String(body.utf8.prefix(2048))!
}

// The headers wrk sends with peer_bench.sh's Lua scripts.
let common = "Host: bench.local\r\nUser-Agent: peer-bench/1.0 (wrk)\r\nAccept: */*\r\n"
let wire: String
switch scenario {
case "get":
    wire = "GET /index.html HTTP/1.1\r\n\(common)\r\n"
case "args":
    wire = "GET /index.html?user=alice&page=2&sort=desc&lang=en&id=12345&ref=home&color=blue&size=m&qty=3"
        + "&session=abcdef123456 HTTP/1.1\r\n\(common)\r\n"
case "post":
    let body = postBody()
    wire = "POST /submit HTTP/1.1\r\n\(common)Content-Type: application/x-www-form-urlencoded\r\n"
        + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
case "attack":
    wire = "GET /?id=1%27%20OR%20%271%27%3D%271 HTTP/1.1\r\n\(common)\r\n"
case "close":
    wire = "GET /index.html HTTP/1.1\r\n\(common)Connection: close\r\n\r\n"
default:
    fail("unknown scenario \(scenario)", status: 2)
}

/// The head and body as the proxy hands them to the engine.
func parse(_ bytes: [UInt8]) -> (RequestHead, [UInt8]) {
    switch ExampleRequest.parse(wire: bytes) {
    case .success(let p): return (p.head, p.body)
    case .failure(let e): fail("the scenario's request does not parse: \(e)", status: 2)
    }
}

@inline(never)
func inspectOne(_ head: RequestHead, _ body: [UInt8], _ client: [UInt8], _ inspector: Inspector,
                _ scratch: inout EvaluationScratch) -> Verdict {
    let view = RequestView(head: head, clientAddress: client, body: body)
    return inspector.decide(view, scratch: &scratch).0
}

let (head, body) = parse(Array(wire.utf8))
let rules: CompiledRuleSet
do {
    rules = try RuleSetLoader().load(contentsOf: rulesPath)
} catch {
    fail("cannot load \(rulesPath): \(error)", status: 1)
}
let inspector = Inspector(ruleSet: rules)
var scratch = EvaluationScratch()
let client = Array("203.0.113.9".utf8)
var blocked = 0
for _ in 0..<count {
    if case .block = inspectOne(head, body, client, inspector, &scratch) { blocked += 1 }
}
print("\(scenario): \(count) inspections, \(blocked) blocked")
