/// What one rate-limit rule decided for one request; `EvaluationState.rateLimits` lists them in
/// priority order, for the block log, metrics and `explain`.
public struct RateLimitOutcome: Sendable, Equatable {
    public enum Decision: String, Sendable, Equatable {
        /// Within the limit; counted.
        case allowed
        /// Over the limit. Enforced (the request was answered) unless `enforced` is false.
        case rejected
        /// A key part was missing and the rule declares no fallback: not counted.
        case notCounted = "not_counted"
        /// Within this limit, but another limit on the same request rejected it: not counted.
        case notCommitted = "not_committed"
    }

    public var ruleID: RuleID
    public var ruleName: String
    public var decision: Decision
    /// True when a rejection stops the request (`action: block` in `mode: enforce`).
    public var enforced: Bool
    /// The key as readable text, e.g. `client_ip=203.0.113.9 path=/login`; empty without a key.
    public var key: String
    /// Requests counted against the key (this one included when counted), and the capacity
    /// (limit + burst).
    public var count: Int
    public var limit: Int
    public var windowNanoseconds: UInt64
    /// Seconds the client should wait (the `Retry-After` value); nil unless rejected.
    public var retryAfterSeconds: Int?

    public init(ruleID: RuleID, ruleName: String, decision: Decision, enforced: Bool, key: String, count: Int,
                limit: Int, windowNanoseconds: UInt64, retryAfterSeconds: Int? = nil) {
        self.ruleID = ruleID
        self.ruleName = ruleName
        self.decision = decision
        self.enforced = enforced
        self.key = key
        self.count = count
        self.limit = limit
        self.windowNanoseconds = windowNanoseconds
        self.retryAfterSeconds = retryAfterSeconds
    }
}
