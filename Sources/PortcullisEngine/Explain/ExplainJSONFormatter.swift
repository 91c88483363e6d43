/// Renders an `ExplainTrace` as JSON for tools: the same content as the text form, with stable
/// keys (see docs/TOOLS.md). Byte values are JSON strings (invalid UTF-8 as U+FFFD), cut after
/// `valueLimit` bytes with the full length in a `*_bytes` field when cut.
public struct ExplainJSONFormatter: Sendable {
    /// Longest value kept, in bytes. Default: 4,096.
    public var valueLimit: Int
    public var pretty: Bool

    public init(valueLimit: Int = 4096, pretty: Bool = true) {
        self.valueLimit = valueLimit
        self.pretty = pretty
    }

    public func format(_ trace: ExplainTrace) -> String {
        json(trace).rendered(pretty: pretty) + "\n"
    }

    public func json(_ trace: ExplainTrace) -> JSONText {
        let set = trace.ruleSet
        let request = trace.request
        var decision: [(String, JSONText)] = []
        switch trace.verdict {
        case .allow:
            decision.append(("verdict", .string("allow")))
        case .block(let response, _):
            decision.append(("verdict", .string("block")))
            decision.append(("status", .int(response.status)))
        }
        switch trace.reason {
        case .ruleDecided(let id):
            decision.append(("reason", .string("rule_decided")))
            decision.append(("rule", .int(id.value)))
        default:
            decision.append(("reason", .string("default_action")))
            decision.append(("rule", .null))
        }
        decision.append(("rules_not_run", .int(trace.rulesNotRun)))
        return .object([
            ("rule_set", .object([
                ("name", .string(set.name)), ("source", .string(set.source)), ("rules", .int(set.ruleCount)),
                ("mode", .string(set.mode.rawValue)), ("default_action", .string(set.defaultAction.rawValue)),
                ("on_limit", .string(set.limitOutcome.rawValue)),
            ])),
            ("request", .object([
                ("method", .bytes(request.method)), ("target", .bytes(request.target)),
                ("version", .string(request.version)), ("client", .bytes(request.client)),
                ("body_bytes", .int(request.bodyBytes)), ("body_truncated", .bool(request.bodyTruncated)),
                ("oversize", request.oversize.map { .string($0.rawValue) } ?? .null),
            ])),
            ("rules", .array(trace.rules.map(json))),
            ("decision", .object(decision)),
            ("labels", .array(trace.labels.map { .string($0.text) })),
            ("limit_hits", .int(trace.limitHits)),
            ("rate_limits", .object([
                ("counters", .string("fresh")), ("earlier_requests", .int(trace.earlierRequests)),
                ("outcomes", .array(trace.rateLimits.map(json))),
            ])),
        ])
    }

    private func json(_ limit: RateLimitOutcome) -> JSONText {
        .object([
            ("rule", .int(limit.ruleID.value)), ("name", .string(limit.ruleName)),
            ("decision", .string(limit.decision.rawValue)), ("enforced", .bool(limit.enforced)),
            ("key", .string(limit.key)), ("count", .int(limit.count)), ("limit", .int(limit.limit)),
            ("window_s", .int(Int(limit.windowNanoseconds / 1_000_000_000))),
            ("retry_after_s", limit.retryAfterSeconds.map { .int($0) } ?? .null),
        ])
    }

    private func json(_ rule: ExplainTrace.RuleTrace) -> JSONText {
        .object([
            ("id", .int(rule.id.value)), ("name", .string(rule.name)),
            ("phase", .string(rule.phase == .requestHeaders ? "request_headers" : "request_body")),
            ("action", .string(rule.action)), ("source", .string(rule.source)),
            ("rate_limit", rule.rateLimit.map { .string($0) } ?? .null),
            ("steps", .array(rule.events.map(json))),
            ("labels_added", .array(rule.labelsAdded.map { .string($0.text) })),
            ("outcome", .string(Self.name(rule.outcome))),
        ])
    }

    private func json(_ event: ExplainTrace.Event) -> JSONText {
        switch event {
        case .target(let target, let count):
            return .object([("step", .string("target")), ("target", .string(target)), ("values", .int(count))])
        case .excluded(let name):
            return .object([("step", .string("excluded")), ("target", .string(name))])
        case .negation(let innerMatched):
            return .object([("step", .string("not")), ("inner_matched", .bool(innerMatched)),
                            ("matched", .bool(!innerMatched))])
        case .label(let label, let present):
            return .object([("step", .string("label")), ("label", .string(label)), ("present", .bool(present))])
        case .check(let op, let negated, let matched):
            return .object([("step", .string("check")), ("operator", .string(op)), ("negated", .bool(negated)),
                            ("matched", .bool(matched))])
        case .value(let value):
            var members: [(String, JSONText)] = [("step", .string("value")), ("target", .string(value.target))]
            members += bytes("value", value.raw)
            members.append(("transforms", .array(value.steps.map { step in
                .object([("name", .string(step.transformation.rawValue))] + bytes("value", step.result))
            })))
            members.append(("operator", .string(value.operator)))
            switch value.result {
            case .noMatch:
                members.append(("result", .string("no_match")))
            case .match(let offset, let excerpt):
                members.append(("result", .string("match")))
                members.append(("offset", .int(offset)))
                members += bytes("excerpt", excerpt)
            case .limitHit(let counts):
                members.append(("result", .string("limit_hit")))
                members.append(("counts_as_match", .bool(counts)))
            }
            return .object(members)
        }
    }

    private func bytes(_ key: String, _ value: [UInt8]) -> [(String, JSONText)] {
        guard value.count > valueLimit else { return [(key, .bytes(value))] }
        return [(key, .bytes(Array(value.prefix(valueLimit)))), ("\(key)_bytes", .int(value.count))]
    }

    static func name(_ outcome: RuleOutcome) -> String {
        switch outcome {
        case .noMatch: return "no_match"
        case .counted: return "counted"
        case .allowed: return "allowed"
        case .blocked: return "blocked"
        }
    }
}
