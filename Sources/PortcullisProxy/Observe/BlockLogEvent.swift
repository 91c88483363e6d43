import PortcullisEngine
import PortcullisHTTP

/// One block-log line before encoding: captured on the event loop (references and small copies
/// only) and encoded on the log thread.
public struct BlockLogEvent: Sendable {
    public enum Verdict: String, Sendable {
        /// A rule or the default action answered the request itself.
        case block
        /// Forwarded; logged because count rules (or block rules in `mode: detect`) matched.
        case allow
        /// Answered 429 by a rate limit.
        case rateLimited = "rate_limit"
    }

    /// Wall-clock time of the decision, milliseconds since the Unix epoch.
    public var time: Int64
    public var requestID: [UInt8]
    /// The client's numeric address.
    public var client: [UInt8]
    public var head: RequestHead
    public var verdict: Verdict
    /// The status sent to the client (the upstream's for forwarded requests).
    public var status: Int
    /// The rule that decided; nil for the default action or an allowed request.
    public var decidingRule: RuleID?
    public var ruleSet: String
    public var matches: [MatchRecord]
    /// Every rate limit whose condition matched, with its key, count and decision.
    public var rateLimits: [RateLimitOutcome]
    /// Time spent in rule evaluation, both phases together.
    public var inspectionNanoseconds: UInt64

    public init(time: Int64, requestID: [UInt8], client: [UInt8], head: RequestHead, verdict: Verdict,
                status: Int, decidingRule: RuleID?, ruleSet: String, matches: [MatchRecord],
                rateLimits: [RateLimitOutcome] = [], inspectionNanoseconds: UInt64) {
        self.time = time
        self.requestID = requestID
        self.client = client
        self.head = head
        self.verdict = verdict
        self.status = status
        self.decidingRule = decidingRule
        self.ruleSet = ruleSet
        self.matches = matches
        self.rateLimits = rateLimits
        self.inspectionNanoseconds = inspectionNanoseconds
    }
}

/// How block-log values are shown: truncated to `valueLimit` bytes, and the values of the fields
/// named in `redact` replaced by `[redacted]`.
public struct BlockLogFormat: Sendable {
    /// Longest value written, in bytes, before `...`. Default: 256.
    public var valueLimit: Int
    /// Fields whose values never reach the log, as `KIND:NAME`: `cookie:session`,
    /// `body.arg:password`, `query.arg:token`, `body.json:password`, `header:authorization`
    /// (header names compare case-insensitively).
    public var redact: [String]

    /// The kinds a redacted field may name.
    public static let redactableKinds = ["query.arg", "body.arg", "body.json", "cookie", "header"]
    public static let redactedText = "[redacted]"
    /// Targets name a rule's target and a request's field name; they are cut here at the latest.
    static let targetLimit = 128
    private static let userAgentName = Array("user-agent".utf8)

    public init(valueLimit: Int = 256, redact: [String] = []) {
        self.valueLimit = valueLimit
        self.redact = redact
    }

    /// Nil when `field` is a valid redaction entry, else what is wrong with it.
    public static func problem(with field: String) -> String? {
        guard let colon = field.firstIndex(of: ":"), field.index(after: colon) != field.endIndex else {
            return "expected KIND:NAME, e.g. cookie:session, with KIND one of \(redactableKinds.joined(separator: ", "))"
        }
        let kind = String(field[..<colon])
        guard redactableKinds.contains(kind) else {
            return "unknown kind '\(kind)' in '\(field)'; expected one of \(redactableKinds.joined(separator: ", "))"
        }
        return nil
    }

    /// True when the value of `target` (a match record's target, e.g. `cookie:session`) is redacted.
    public func isRedacted(_ target: String?) -> Bool {
        guard let target, !redact.isEmpty else { return false }
        for field in redact {
            if field == target { return true }
            if field.hasPrefix("header:") && target.hasPrefix("header:") && field.lowercased() == target.lowercased() {
                return true
            }
        }
        return false
    }

    /// Appends `event` as one JSON object and a newline.
    public func encode(_ event: BlockLogEvent, into json: inout JSONWriter) {
        let head = event.head
        json.beginObject()
        var time: [UInt8] = []
        time.reserveCapacity(24)
        WallClock.appendRFC3339(milliseconds: event.time, to: &time)
        json.key("time"); json.string(time)
        json.key("request_id"); json.string(event.requestID)
        json.key("client"); json.string(event.client, limit: valueLimit)
        json.key("method"); json.string(head[head.methodRange], limit: valueLimit)
        json.key("path"); json.string(path(of: head), limit: valueLimit)
        json.key("http_version"); json.string(head.version == .http11 ? "HTTP/1.1" : "HTTP/1.0")
        json.key("host")
        if isRedacted("header:host") { json.string(Self.redactedText) }
        else if let authority = head.authority { json.string(head[authority], limit: valueLimit) }
        else { json.null() }
        json.key("user_agent")
        if isRedacted("header:user-agent") { json.string(Self.redactedText) }
        else if let ua = userAgent(of: head) { json.string(head[ua], limit: valueLimit) }
        else { json.null() }
        json.key("verdict"); json.string(event.verdict.rawValue)
        json.key("status"); json.int(event.status)
        json.key("rule_set"); json.string(event.ruleSet)
        json.key("rule")
        if let rule = event.decidingRule { json.int(rule.value) } else { json.null() }
        json.key("inspection_us"); writeMicroseconds(event.inspectionNanoseconds, &json)
        json.key("matches")
        json.beginArray()
        for match in event.matches { encode(match, &json) }
        json.endArray()
        if !event.rateLimits.isEmpty {
            json.key("rate_limits")
            json.beginArray()
            for limit in event.rateLimits { encode(limit, &json) }
            json.endArray()
        }
        json.endObject()
        json.newline()
    }

    private func encode(_ match: MatchRecord, _ json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.int(match.ruleID.value)
        json.key("name"); json.string(match.ruleName)
        json.key("action"); json.string(match.action)
        json.key("labels")
        json.beginArray()
        for label in match.labels { json.string(label.text) }
        json.endArray()
        json.key("target")
        if let target = match.target { json.string(target, limit: max(valueLimit, Self.targetLimit)) } else { json.null() }
        json.key("value")
        if isRedacted(match.target) { json.string(Self.redactedText) }
        else { json.string(match.excerpt, limit: valueLimit) }
        json.key("offset"); json.int(match.offset)
        if match.limitHit { json.key("regex_limit_hit"); json.bool(true) }
        json.endObject()
    }

    private func encode(_ limit: RateLimitOutcome, _ json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.int(limit.ruleID.value)
        json.key("name"); json.string(limit.ruleName)
        json.key("key"); json.string(limit.key, limit: valueLimit)
        json.key("decision"); json.string(limit.decision.rawValue)
        json.key("enforced"); json.bool(limit.enforced)
        json.key("count"); json.int(limit.count)
        json.key("limit"); json.int(limit.limit)
        json.key("window_s"); writeSeconds(limit.windowNanoseconds, &json)
        json.key("retry_after_s")
        if let r = limit.retryAfterSeconds { json.int(r) } else { json.null() }
        json.endObject()
    }

    /// The path without the query (a query can carry secrets; matched arguments appear, redacted
    /// where configured, in `matches`).
    private func path(of head: RequestHead) -> ArraySlice<UInt8> {
        let target = head[head.originFormTarget]
        if let q = target.firstIndex(of: UInt8(ascii: "?")) { return target[..<q] }
        return target
    }

    private func userAgent(of head: RequestHead) -> Range<Int>? {
        for field in head.fields where ASCII.equalsIgnoringCase(head[field.name], Self.userAgentName) { return field.value }
        return nil
    }

    /// `ns` in seconds with three decimals, cut (not rounded) to the millisecond: `60.000`.
    private func writeSeconds(_ ns: UInt64, _ json: inout JSONWriter) {
        json.thousandths(whole: ns / 1_000_000_000, thousandths: ns % 1_000_000_000 / 1_000_000)
    }

    /// `ns` in microseconds with three decimals: `12.345`.
    private func writeMicroseconds(_ ns: UInt64, _ json: inout JSONWriter) {
        json.thousandths(whole: ns / 1000, thousandths: ns % 1000)
    }
}
