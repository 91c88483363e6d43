/// How `portcullis check` runs the examples of a rate-limit rule: the request is sent
/// limit + burst + 1 times at one instant, from the example client address, against empty
/// counters.
///
/// - `block` holds when the first limit + burst are not blocked and the last one is blocked by
///   this rule (so the example shows both that the rule applies and where it trips);
/// - `allow` holds when none of the repetitions is blocked (the rule does not apply to it, or
///   keys it apart).
enum RateLimitExample {
    static func run(_ start: ExampleResult, rule: CompiledRule, limit: CompiledRateLimit, view: RequestView,
                    inspector: Inspector, scratch: inout EvaluationScratch,
                    describe: (RuleID?) -> String) -> ExampleResult {
        var result = start
        let sends = limit.gcra.capacity + 1
        for attempt in 1...sends {
            // A fresh view each time: views cache per-request extraction.
            let repeated = RequestView(head: view.head, clientAddress: view.clientAddress, body: view.body,
                                       bodyTruncated: view.bodyTruncated, limits: view.limits,
                                       receivedAt: view.receivedAt)
            let (verdict, _) = inspector.decide(repeated, scratch: &scratch)
            guard case .block(_, let decider) = verdict else { continue }
            switch (start.example.expectation, attempt == sends && decider == rule.id) {
            case (.block, true):
                result.passed = true
                return result
            case (.block, false):
                result.detail = "block example blocked before the limit"
                result.reason = "request \(attempt) of \(sends) was blocked by \(describe(decider)); expected "
                    + "\(sends - 1) allowed, then this rule"
                return result
            case (.allow, _):
                result.detail = "allow example blocked"
                result.reason = "request \(attempt) of \(sends) sent at one instant was blocked by \(describe(decider))"
                return result
            }
        }
        switch start.example.expectation {
        case .allow:
            result.passed = true
        case .block:
            result.detail = "block example never rate limited"
            result.reason = "\(sends) requests at one instant were all allowed; expected the last one blocked "
                + "by this rule (limit \(limit.gcra.capacity))"
        }
        return result
    }
}
