/// Time, evaluations, matches and match-limit hits per rule, gathered through the inspector's
/// observer hook for `portcullis bench`'s table of the costliest rules.
///
/// A rule's time runs from its start to its outcome, so it includes extracting the targets it
/// is the first to read.
struct RuleProfiler: InspectionObserver {
    /// Index of each rule in `stats`, by id (rule ids are unique within a set).
    let index: [RuleID: Int]
    var stats: [RuleStats]
    private var current = -1
    private var started: UInt64 = 0

    init(ruleSet: CompiledRuleSet) {
        let rules = ruleSet.headerRules + ruleSet.bodyRules
        index = Dictionary(rules.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        stats = rules.map { RuleStats(id: $0.id, name: $0.name) }
    }

    mutating func ruleStarted(_ rule: CompiledRule, phase: Phase) {
        current = index[rule.id] ?? -1
        started = monotonicNanoseconds()
    }

    mutating func operatorEvaluated(_ check: Check, selector: TargetSelector, index: Int, input: [UInt8],
                                    result: OperatorResult) {
        if result == .limitHit, current >= 0 { stats[current].limitHits += 1 }
    }

    mutating func ruleFinished(_ rule: CompiledRule, outcome: RuleOutcome) {
        let elapsed = monotonicNanoseconds() &- started
        guard current >= 0 else { return }
        stats[current].nanoseconds &+= elapsed
        stats[current].evaluations += 1
        if outcome != .noMatch { stats[current].matches += 1 }
        current = -1
    }
}

/// One rule's line in the bench report.
public struct RuleStats: Sendable, Equatable {
    public var id: RuleID
    public var name: String
    /// Time spent evaluating the rule in the profiling pass.
    public var nanoseconds: UInt64 = 0
    public var evaluations = 0
    public var matches = 0
    /// Regex evaluations of this rule that hit the match limit.
    public var limitHits = 0
}
