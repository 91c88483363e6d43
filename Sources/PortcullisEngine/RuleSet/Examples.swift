import PortcullisHTTP

/// Turns a rule's example (`examples:` in a rules file) into a parsed request, the way a client
/// would send it.
///
/// Two forms: a request line without version (`GET /search?q=x`), sent as HTTP/1.1 with
/// `Host: example.test`; or a whole raw request in a block scalar — head lines, a blank line,
/// the body — whose `\n` line ends become CRLF. A raw request missing `Host` gets
/// `Host: example.test`, one missing its version gets `HTTP/1.1`, and a body without
/// `Content-Length` or `Transfer-Encoding` gets a `Content-Length`. The final line break of the
/// block is not part of the body.
public enum ExampleRequest {
    /// The host examples are sent to.
    public static let host = "example.test"
    /// The client address examples are sent from (TEST-NET-1).
    public static let clientAddress = "192.0.2.10"

    /// The bytes a client would send for `text`.
    public static func wireBytes(_ text: String) -> Result<[UInt8], ExampleRequestError> {
        var normalized = text.replacing("\r\n", with: "\n")
        let raw = normalized.dropLast(normalized.hasSuffix("\n") ? 1 : 0).contains("\n")
        if !raw {
            while normalized.hasSuffix("\n") { normalized.removeLast() }
        }
        let headText: Substring
        var bodyText: Substring = ""
        if let blank = normalized.firstRange(of: "\n\n") {
            headText = normalized[..<blank.lowerBound]
            bodyText = normalized[blank.upperBound...]
            if bodyText.hasSuffix("\n") { bodyText = bodyText.dropLast() }
        } else {
            headText = normalized[...]
        }
        var lines = headText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last == "" { lines.removeLast() }
        guard let requestLine = lines.first, !requestLine.isEmpty else {
            return .failure(ExampleRequestError(message: "empty example; expected a request line like 'GET /path'"))
        }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        switch parts.count {
        case 2:
            lines[0] = requestLine + " HTTP/1.1"
        case 3 where parts[2].hasPrefix("HTTP/"):
            break
        default:
            return .failure(ExampleRequestError(message: "bad request line '\(requestLine)'; expected 'METHOD TARGET' "
                + "(spaces in the target must be written %20)"))
        }
        let names = lines.dropFirst().map { line in
            String(line.prefix { $0 != ":" }).lowercased()
        }
        let isHTTP10 = lines[0].hasSuffix(" HTTP/1.0")
        if !names.contains("host") && !isHTTP10 { lines.append("Host: \(host)") }
        var body = Array(bodyText.replacing("\n", with: "\r\n").utf8)
        if bodyText.isEmpty { body = [] }
        if !body.isEmpty && !names.contains("content-length") && !names.contains("transfer-encoding") {
            lines.append("Content-Length: \(body.count)")
        }
        var bytes: [UInt8] = []
        for line in lines {
            bytes.append(contentsOf: line.utf8)
            bytes.append(contentsOf: [0x0D, 0x0A])
        }
        bytes.append(contentsOf: [0x0D, 0x0A])
        bytes.append(contentsOf: body)
        return .success(bytes)
    }

    /// `text` parsed by the proxy's own `RequestParser`: the head and the (decoded) body.
    public static func parse(_ text: String) -> Result<(head: RequestHead, body: [UInt8]), ExampleRequestError> {
        let bytes: [UInt8]
        switch wireBytes(text) {
        case .success(let b): bytes = b
        case .failure(let e): return .failure(e)
        }
        return parse(wire: bytes)
    }

    /// Raw request bytes exactly as a client sends them, parsed by the proxy's `RequestParser`;
    /// refused when they are not exactly one complete request.
    public static func parse(wire bytes: [UInt8]) -> Result<(head: RequestHead, body: [UInt8]), ExampleRequestError> {
        var parser = RequestParser()
        return parse(wire: bytes, parser: &parser)
    }

    /// The same through a parser the caller keeps, as a keep-alive connection does (the engine
    /// benchmarks reuse one across requests).
    public static func parse(wire bytes: [UInt8],
                             parser: inout RequestParser) -> Result<(head: RequestHead, body: [UInt8]), ExampleRequestError> {
        var head: RequestHead?
        var body: [UInt8] = []
        return bytes.withUnsafeBytes { buffer -> Result<(head: RequestHead, body: [UInt8]), ExampleRequestError> in
            var offset = 0
            while true {
                let input = UnsafeRawBufferPointer(rebasing: buffer[offset...])
                let (consumed, event) = parser.next(input)
                switch event {
                case .head(let h):
                    head = h
                case .body(let range):
                    body.append(contentsOf: input[range])
                case .end:
                    guard let head else {
                        return .failure(ExampleRequestError(message: "no request head"))
                    }
                    if offset + consumed < buffer.count {
                        return .failure(ExampleRequestError(message: "bytes left after the request (a body longer "
                            + "than its Content-Length?)"))
                    }
                    return .success((head, body))
                case .needMore:
                    if offset + consumed >= buffer.count {
                        return .failure(ExampleRequestError(message: "incomplete request (a body shorter than its "
                            + "Content-Length?)"))
                    }
                case .reject(let error):
                    return .failure(ExampleRequestError(message: "the proxy would refuse it: \(error)"))
                }
                offset += consumed
            }
        }
    }
}

/// Why an example could not be turned into a request.
public struct ExampleRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// The outcome of one rule example.
public struct ExampleResult: Sendable, Equatable {
    public var ruleID: RuleID
    public var ruleName: String
    public var example: RuleExample
    public var passed: Bool
    /// For a failure: what went wrong, e.g. "block example not blocked".
    public var detail = ""
    /// For a failure: why — which rule decided instead, or why the request is not valid.
    public var reason = ""

    /// `block example not blocked: GET /x (allowed by rule 10 (static))`; empty when it held.
    public var failureText: String {
        passed ? "" : "\(detail): \(requestSummary)" + (reason.isEmpty ? "" : " (\(reason))")
    }

    /// The example's first line, shortened, for reports.
    public var requestSummary: String {
        let first = example.request.split(separator: "\n").first.map(String.init) ?? ""
        return first.count > 100 ? String(first.prefix(97)) + "..." : first
    }
}

/// Runs the examples of a rule set's rules.
///
/// Examples are evaluated as `mode: enforce` even when the file says `detect`: they state what
/// the rules would do, and detect mode only changes what the proxy does with a block.
public enum ExampleRunner {
    public static func run(_ ruleSet: CompiledRuleSet) -> [ExampleResult] {
        let enforcing = ruleSet.enforcing().withFreshRateLimitState()
        let inspector = Inspector(ruleSet: enforcing)
        let rules = enforcing.headerRules + enforcing.bodyRules
        let names = Dictionary(rules.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var scratch = EvaluationScratch()
        var results: [ExampleResult] = []
        let bySource = rules.sorted { sourceLine($0) < sourceLine($1) }
        for rule in bySource {
            for example in rule.examples {
                results.append(run(example, of: rule, inspector: inspector, names: names, scratch: &scratch))
            }
        }
        return results
    }

    private static func sourceLine(_ rule: CompiledRule) -> Int {
        Int(rule.source.split(separator: ":").last ?? "") ?? 0
    }

    private static func run(_ example: RuleExample, of rule: CompiledRule, inspector: Inspector,
                            names: [RuleID: String], scratch: inout EvaluationScratch) -> ExampleResult {
        var result = ExampleResult(ruleID: rule.id, ruleName: rule.name, example: example, passed: false)
        let parsed: (head: RequestHead, body: [UInt8])
        let kind = example.expectation.rawValue
        switch ExampleRequest.parse(example.request) {
        case .success(let p): parsed = p
        case .failure(let error):
            result.detail = "\(kind) example is not a valid request"
            result.reason = error.message
            return result
        }
        let limit = inspector.ruleSet.body.inspectLimit
        let view = RequestView(head: parsed.head, clientAddress: Array(ExampleRequest.clientAddress.utf8),
                               body: Array(parsed.body.prefix(limit)), bodyTruncated: parsed.body.count > limit)
        func describe(_ id: RuleID?) -> String {
            guard let id else { return "the default action" }
            return "rule \(id) (\(names[id] ?? "?"))"
        }
        // Every example starts from empty counters: examples do not depend on each other's order.
        inspector.ruleSet.resetRateLimitState()
        if let rateLimit = rule.rateLimit {
            return RateLimitExample.run(result, rule: rule, limit: rateLimit, view: view, inspector: inspector,
                                        scratch: &scratch, describe: describe)
        }
        let (verdict, state) = inspector.decide(view, scratch: &scratch)
        let matched = state.matches.contains { $0.ruleID == rule.id }
        switch (example.expectation, verdict) {
        case (.block, .block(_, let decider)):
            result.passed = matched
            if !matched {
                result.detail = "block example not matched by this rule"
                result.reason = "blocked by \(describe(decider)) instead"
            }
        case (.block, .allow):
            result.detail = "block example not blocked"
            result.reason = state.decidingRule.map { "allowed by \(describe($0))" }
                ?? "no rule decided; the default action allows"
            if matched { result.reason += "; this rule matched, but its action is \(rule.action.name)" }
        case (.allow, .allow):
            result.passed = true
        case (.allow, .block(_, let decider)):
            result.detail = "allow example blocked"
            result.reason = "blocked by \(describe(decider))"
        }
        return result
    }
}

extension CompiledRuleSet {
    /// The same rules with `mode: enforce`: a new immutable set (this one is not changed).
    public func enforcing() -> CompiledRuleSet {
        if mode == .enforce { return self }
        return CompiledRuleSet(name: name, sourcePath: sourcePath, defaultAction: defaultAction, body: body,
                               rules: headerRules + bodyRules, mode: .enforce, limitOutcome: limitOutcome,
                               sourceFiles: sourceFiles, rateLimitSettings: rateLimitSettings, loadedAt: loadedAt,
                               loadDuration: loadDuration)
    }
}
