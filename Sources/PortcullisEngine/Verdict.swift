/// What the engine decided about one request. The proxy turns `.block` into a local response and
/// never contacts the upstream for it.
public enum Verdict: Sendable, Equatable {
    case allow
    /// Answer with `response`; `rule` is the deciding rule (nil for a blocking default action).
    case block(BlockResponse, rule: RuleID?)
}

/// What a rule set does when no rule decides (`default_action:` in a rules file).
public enum DefaultAction: String, Sendable, Equatable, CaseIterable {
    case allow
    case block

    /// Status sent when a request is blocked and nothing more specific was configured.
    public static let defaultBlockStatus = 403

    /// The verdict this default produces.
    public var verdict: Verdict {
        switch self {
        case .allow: .allow
        case .block: .block(BlockResponse(status: DefaultAction.defaultBlockStatus), rule: nil)
        }
    }
}
