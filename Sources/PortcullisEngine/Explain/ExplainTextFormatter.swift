/// Renders an `ExplainTrace` for people: a header naming the rule set and request, then each
/// rule that ran with what it read, each value after each transformation, the operator's answer,
/// the labels added and the rule's outcome, then the decision and why evaluation stopped.
///
/// Values are escaped with `ByteText` and cut after `valueLimit` bytes.
public struct ExplainTextFormatter: Sendable {
    /// Longest value shown, in bytes. Default: 120.
    public var valueLimit: Int

    public init(valueLimit: Int = 120) {
        self.valueLimit = valueLimit
    }

    public func format(_ trace: ExplainTrace) -> String {
        var out = ""
        let set = trace.ruleSet
        let request = trace.request
        out += "rule set  \(set.name) from \(set.source): \(set.ruleCount) rules, mode \(set.mode.rawValue), "
            + "default action \(set.defaultAction.rawValue)\n"
        out += "request   \(ByteText.escaped(request.method)) \(ByteText.escaped(request.target)) "
            + "\(request.version) from \(ByteText.escaped(request.client))"
        out += request.bodyBytes == 0 ? ", no body" : ", body \(request.bodyBytes) bytes"
        if request.bodyTruncated { out += " (cut at the inspect limit)" }
        out += "\n"
        switch request.oversize {
        case .match?:
            out += "note      the body is over the inspect limit and the set says oversize: match, so the proxy "
                + "blocks it (403) without running the body phase; shown below is what the rules make of the cut body\n"
        case .noMatch?:
            out += "note      the body is over the inspect limit and the set says oversize: no_match, so the proxy "
                + "applies the default action without running the body phase; shown below is what the rules make "
                + "of the cut body\n"
        case .continue?:
            out += "note      the body is over the inspect limit (oversize: continue): its first "
                + "\(request.bodyBytes) bytes are inspected and the rest goes through unseen\n"
        case nil:
            break
        }
        var phase: Phase?
        for rule in trace.rules {
            if rule.phase != phase {
                phase = rule.phase
                out += "\nphase \(rule.phase.rawValue): \(Self.name(of: rule.phase))\n"
            }
            out += "\n" + format(rule)
        }
        if trace.rules.isEmpty { out += "\n(no rules ran)\n" }
        if !trace.rateLimits.isEmpty {
            out += "\nrate limits (counters start empty"
                + (trace.earlierRequests > 0 ? " and saw \(trace.earlierRequests) identical request(s) first" : "")
                + "; a trace never touches a running proxy's counters)\n"
            for limit in trace.rateLimits { out += "  " + Self.describe(limit) + "\n" }
        }
        out += "\n"
        out += "decision  \(Self.describe(trace.verdict))\n"
        out += "why       \(Self.why(trace))\n"
        if !trace.labels.isEmpty { out += "labels    \(trace.labels.map(\.text).joined(separator: ", "))\n" }
        if trace.limitHits > 0 {
            out += "limits    \(trace.limitHits) regex evaluation(s) hit the match limit "
                + "(on_limit: \(trace.ruleSet.limitOutcome.rawValue))\n"
        }
        return out
    }

    private func format(_ rule: ExplainTrace.RuleTrace) -> String {
        var out = "  rule \(rule.id) \(rule.name) [\(rule.action)] \(rule.source)\n"
        if let limit = rule.rateLimit { out += "    rate limit: \(limit)\n" }
        // Targets without values in a row are listed on one line: a rule reading ten collections
        // of an ordinary GET would otherwise print ten "no values".
        var empty: [String] = []
        func flushEmpty() {
            if !empty.isEmpty { out += "    \(empty.joined(separator: ", ")): no values\n" }
            empty = []
        }
        for event in rule.events {
            if case .target(let target, 0) = event {
                empty.append(target)
                continue
            }
            flushEmpty()
            switch event {
            case .target(let target, let count):
                out += "    \(target): " + (count == 1 ? "1 value" : "\(count) values") + "\n"
            case .value(let value):
                out += format(value)
            case .excluded(let name):
                out += "      \(name) skipped (except)\n"
            case .negation(let innerMatched):
                out += "    not: " + (innerMatched ? "the condition above matched, so the not fails" :
                    "the condition above did not match, so the not holds") + "\n"
            case .label(let label, let present):
                out += "    label \(label) " + (present ? "present" : "absent") + "\n"
            case .check(let op, let negated, let matched):
                // A plain check's answer is already on its value lines; a negated one is spelled out.
                if negated {
                    out += "    not (\(op)): " + (matched ? "no value matched, so the check holds" :
                        "a value matched, so the check fails") + "\n"
                }
            }
        }
        flushEmpty()
        if !rule.labelsAdded.isEmpty {
            out += "    labels added: \(rule.labelsAdded.map(\.text).joined(separator: ", "))\n"
        }
        if rule.rateLimit != nil && rule.outcome == .counted {
            out += "    → matched: a rate-limit candidate, its limit is checked when the phase decides or ends\n"
        } else {
            out += "    → \(Self.describe(rule.outcome, action: rule.action))\n"
        }
        return out
    }

    private func format(_ value: ExplainTrace.ValueTrace) -> String {
        var out = "      \(value.target) = \(ByteText.quoted(value.raw, limit: valueLimit))\n"
        let width = value.steps.map(\.transformation.rawValue.count).max() ?? 0
        for step in value.steps {
            let name = step.transformation.rawValue
            out += "        \(name)\(String(repeating: " ", count: width - name.count))  "
                + "\(ByteText.quoted(step.result, limit: valueLimit))\n"
        }
        out += "        \(value.operator): "
        switch value.result {
        case .noMatch:
            out += "no match\n"
        case .match(let offset, let excerpt):
            out += "MATCH at \(offset) \(ByteText.quoted(excerpt, limit: valueLimit))\n"
        case .limitHit(let counts):
            out += "match limit hit, counted as " + (counts ? "a MATCH" : "no match") + "\n"
        }
        return out
    }

    static func name(of phase: Phase) -> String {
        switch phase {
        case .requestHeaders: return "request headers"
        case .requestBody: return "request body"
        }
    }

    static func describe(_ outcome: RuleOutcome, action: String) -> String {
        switch outcome {
        case .noMatch: return "no match"
        case .counted: return action == "block" ? "matched, counted (mode: detect)" : "matched, counted"
        case .allowed: return "matched: ALLOW, evaluation stops"
        case .blocked: return "matched: BLOCK, evaluation stops"
        }
    }

    static func describe(_ verdict: Verdict) -> String {
        switch verdict {
        case .allow: return "allow (forwarded upstream)"
        case .block(let response, _): return "block (answered \(response.status) by the firewall)"
        }
    }

    static func describe(_ limit: RateLimitOutcome) -> String {
        let window = WindowText.format(limit.windowNanoseconds)
        var out = "rule \(limit.ruleID) \(limit.ruleName): "
        switch limit.decision {
        case .allowed: out += "allowed, request \(limit.count) of \(limit.limit) per \(window)"
        case .rejected:
            out += "REJECTED, over its limit of \(limit.limit) per \(window)"
            if let retry = limit.retryAfterSeconds { out += ", retry after \(retry) s" }
            if !limit.enforced { out += " (not enforced: recorded only)" }
        case .notCounted: out += "not counted (a key part is missing and there is no fallback)"
        case .notCommitted: out += "within its limit but not counted (another limit rejected the request)"
        }
        if !limit.key.isEmpty { out += "; key \(limit.key)" }
        return out
    }

    static func why(_ trace: ExplainTrace) -> String {
        switch trace.reason {
        case .ruleDecided(let id) where trace.decidingRule?.rateLimit != nil:
            let rest = trace.rulesNotRun
            return "the rate limit of rule \(id) (\(trace.decidingRule!.name)) rejected the request; "
                + (rest == 0 ? "no rules were left" : rest == 1 ? "1 later rule did not run" :
                    "\(rest) later rules did not run")
        case .ruleDecided(let id):
            let rule = trace.decidingRule
            let verb = rule?.outcome == .allowed ? "allowed" : "blocked"
            let name = rule.map { " (\($0.name))" } ?? ""
            let rest = trace.rulesNotRun
            return "rule \(id)\(name) \(verb) the request; "
                + (rest == 0 ? "it was the last rule" : rest == 1 ? "1 later rule did not run" :
                    "\(rest) later rules did not run")
        case .defaultAction, .phaseComplete, .alreadyDecided:
            return "no rule allowed or blocked; the default action (\(trace.ruleSet.defaultAction.rawValue)) applies"
        }
    }
}
