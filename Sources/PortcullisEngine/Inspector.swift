import PortcullisHTTP

/// Evaluates requests against one `CompiledRuleSet`; the proxy calls it at each phase.
///
/// A value holding only a reference to the shared immutable set, so each event loop can keep its
/// own copy. Evaluation never throws. Until the rule engine lands (issue 4) it returns the set's
/// default action.
public struct Inspector: Sendable {
    /// The set this inspector evaluates.
    public let ruleSet: CompiledRuleSet

    public init(ruleSet: CompiledRuleSet) {
        self.ruleSet = ruleSet
    }

    /// The verdict for a request whose head has been parsed, before any body byte is read.
    public func inspectHeaders(_ head: RequestHead) -> Verdict {
        ruleSet.defaultAction.verdict
    }
}
