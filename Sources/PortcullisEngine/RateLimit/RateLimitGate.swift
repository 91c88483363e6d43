/// Checks the rate limits a phase collected, all together, and commits them only when every
/// enforced limit allows the request.
///
/// The `Inspector` makes a rate-limit rule whose condition matches a candidate and goes on; it
/// calls `settle` just before another rule decides (allow, or an enforced block) and when the
/// phase ends. Then:
/// 1. Each candidate builds its key (a missing part without fallback: not counted) and is
///    decided without changing anything.
/// 2. If an enforced candidate (action block, mode enforce) rejects, the first such in priority
///    order answers the request (429 with `Retry-After` by default) and nothing is counted.
/// 3. Otherwise every allowing candidate is committed, each in one critical section that decides
///    again (another loop may have taken the last slot meanwhile); if an enforced one now
///    rejects, the ones already committed are refunded and it answers the request.
/// A rejection by a `count` rule, or in `mode: detect`, is recorded as a match and the request
/// goes on; that rule's counter is not advanced (a refused request takes no slot).
enum RateLimitGate {
    static func settle(_ ruleSet: CompiledRuleSet, request: RequestView, state: inout EvaluationState) -> Verdict? {
        guard !state.rateLimitCandidates.isEmpty else { return nil }
        let candidates = state.rateLimitCandidates
        state.rateLimitCandidates.removeAll(keepingCapacity: true)
        let now = request.receivedAt

        var checks: [Pending] = []
        checks.reserveCapacity(candidates.count)
        for rule in candidates {
            guard let limit = rule.rateLimit else { continue }
            let enforced = rule.action.name == "block" && ruleSet.mode == .enforce
            guard let (key, text) = RateLimitKeyBuilder.key(limit.definition, request: request, labels: state.labels,
                                                            settings: ruleSet.rateLimitSettings) else {
                state.rateLimits.append(outcome(rule, limit, .notCounted, enforced, "", count: 0))
                continue
            }
            // A lone candidate is decided and committed in one step below; several are first
            // decided without changing anything.
            let decision = candidates.count == 1 ? GCRA.Decision(allowed: true, newTAT: 0, count: 0, retryAfter: 0)
                : limit.gcra.decide(tat: limit.store.tat(of: key), now: now)
            checks.append(Pending(rule: rule, limit: limit, key: key, text: text, enforced: enforced,
                                  decision: decision))
        }

        if let rejecting = checks.firstIndex(where: { $0.enforced && !$0.decision.allowed }) {
            return reject(rejecting, checks, committed: [], state: &state)
        }
        var committed: [Int] = []
        for (i, check) in checks.enumerated() where check.decision.allowed {
            let taken = check.limit.store.take(check.key, gcra: check.limit.gcra, now: now)
            checks[i].decision = taken
            if taken.allowed {
                committed.append(i)
            } else if check.enforced {
                return reject(i, checks, committed: committed, state: &state)
            }
        }
        for check in checks {
            record(check, committed: check.decision.allowed, state: &state)
        }
        return nil
    }

    private struct Pending {
        var rule: CompiledRule
        var limit: CompiledRateLimit
        var key: RateKey
        var text: String
        var enforced: Bool
        var decision: GCRA.Decision
    }

    /// `checks[index]` answers the request; `committed` are refunded.
    private static func reject(_ index: Int, _ checks: [Pending], committed: [Int],
                               state: inout EvaluationState) -> Verdict {
        for i in committed { checks[i].limit.store.refund(checks[i].key, gcra: checks[i].limit.gcra) }
        for (i, check) in checks.enumerated() {
            if i == index || !check.decision.allowed {
                record(check, committed: false, state: &state)
            } else {
                state.rateLimits.append(outcome(check.rule, check.limit, .notCommitted, check.enforced, check.text,
                                                count: check.decision.count - 1))
            }
        }
        let rejecting = checks[index]
        let seconds = GCRA.retryAfterSeconds(rejecting.decision.retryAfter)
        var response: BlockResponse
        if case .block(let configured) = rejecting.rule.action { response = configured } else { response = BlockResponse() }
        if !response.headers.contains(where: { ASCIIName.equals($0.name, "retry-after") }) {
            response.headers.append(.init(name: Array("Retry-After".utf8), value: Array(String(seconds).utf8)))
        }
        let verdict = Verdict.block(response, rule: rejecting.rule.id)
        state.verdict = verdict
        state.decidingRule = rejecting.rule.id
        return verdict
    }

    /// Appends the outcome, and for a rejection the match record and the rule's labels.
    private static func record(_ check: Pending, committed: Bool, state: inout EvaluationState) {
        let rule = check.rule
        if check.decision.allowed {
            state.rateLimits.append(outcome(rule, check.limit, committed ? .allowed : .notCommitted, check.enforced,
                                            check.text, count: check.decision.count - (committed ? 0 : 1)))
            return
        }
        state.rateLimits.append(outcome(rule, check.limit, .rejected, check.enforced, check.text,
                                        count: check.decision.count,
                                        retryAfter: GCRA.retryAfterSeconds(check.decision.retryAfter)))
        state.labels.append(contentsOf: rule.labels)
        state.matches.append(MatchRecord(ruleID: rule.id, ruleName: rule.name, action: rule.action.name,
                                         labels: rule.labels, target: "rate_limit",
                                         excerpt: Array(check.text.utf8.prefix(64)), offset: 0, limitHit: false))
    }

    private static func outcome(_ rule: CompiledRule, _ limit: CompiledRateLimit, _ decision: RateLimitOutcome.Decision,
                                _ enforced: Bool, _ key: String, count: Int, retryAfter: Int? = nil) -> RateLimitOutcome {
        RateLimitOutcome(ruleID: rule.id, ruleName: rule.name, decision: decision, enforced: enforced, key: key,
                         count: max(0, count), limit: limit.gcra.capacity,
                         windowNanoseconds: limit.definition.windowNanoseconds, retryAfterSeconds: retryAfter)
    }
}

/// Case-insensitive comparison of a header name's bytes with lowercase ASCII text.
enum ASCIIName {
    static func equals(_ name: [UInt8], _ lower: String) -> Bool {
        let l = Array(lower.utf8)
        guard name.count == l.count else { return false }
        return zip(name, l).allSatisfy { (($0 >= 65 && $0 <= 90) ? $0 | 0x20 : $0) == $1 }
    }
}
