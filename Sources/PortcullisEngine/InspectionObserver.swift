/// Watches one evaluation step by step: `portcullis explain` records every step, `portcullis
/// bench` times each rule, the proxy's debug trace records a live request.
///
/// `Inspector` is generic over its observer, so each observer gets its own specialised copy of
/// the evaluator; the proxy's path uses `NoInspectionObserver`, whose empty callbacks compile
/// away. Every callback has an empty default, so an observer implements only what it needs.
public protocol InspectionObserver {
    /// True when the observer wants each transformation step's result. The inspector then
    /// computes a chain one step at a time instead of serving it from the per-request cache.
    static var wantsSteps: Bool { get }
    /// False only for `NoInspectionObserver`: the inspector then skips even building the
    /// arguments of callbacks (a bounds-checked subscript cannot be optimised away).
    static var isActive: Bool { get }

    /// A rule of `phase` is about to be evaluated.
    mutating func ruleStarted(_ rule: CompiledRule, phase: Phase)
    /// A check read `selector` and got `values` (possibly none).
    mutating func targetRead(_ selector: TargetSelector, values: [TargetValue])
    /// Value `index` of `selector` after `step`, the next transformation of the check's chain
    /// (only when `wantsSteps`).
    mutating func transformed(_ selector: TargetSelector, index: Int, step: Transformation, result: [UInt8])
    /// Value `index` of `selector` was skipped because of an exclusion (`except:`).
    mutating func excluded(_ selector: TargetSelector, index: Int)
    /// The check's operator ran over value `index` of `selector` (`input` is the transformed
    /// value). `limitHit` results count as a match only when the set's `on_limit` says so.
    mutating func operatorEvaluated(_ check: Check, selector: TargetSelector, index: Int, input: [UInt8],
                                    result: OperatorResult)
    /// A check finished; `matched` already accounts for `negate`.
    mutating func checkFinished(_ check: Check, matched: Bool)
    /// A `not:` condition finished: its inner condition matched or not (the `not` holds when
    /// it did not).
    mutating func negationFinished(innerMatched: Bool)
    /// A `label` condition was tested.
    mutating func labelTested(_ match: LabelMatch, present: Bool)
    /// A matching rule added its labels to the request.
    mutating func labelsAdded(_ labels: [Label])
    /// A rule finished with `outcome`.
    mutating func ruleFinished(_ rule: CompiledRule, outcome: RuleOutcome)
    /// Evaluation of `phase` stopped; `verdict` is nil when evaluation goes on to the next phase.
    mutating func phaseEnded(_ phase: Phase, verdict: Verdict?, reason: StopReason)
    /// `Inspector.decide` reached the final verdict.
    mutating func decided(_ verdict: Verdict, reason: StopReason)
}

/// What one rule's evaluation came to.
public enum RuleOutcome: Sendable, Equatable {
    /// Its condition did not match.
    case noMatch
    /// Matched a `count` rule (or a `block` rule in `mode: detect`): recorded, evaluation goes on.
    case counted
    /// Matched an `allow` rule: evaluation stops and the request goes through.
    case allowed
    /// Matched a `block` rule: evaluation stops and the request is answered locally.
    case blocked
}

/// Why evaluation stopped.
public enum StopReason: Sendable, Equatable {
    /// The rule allowed or blocked the request.
    case ruleDecided(RuleID)
    /// An earlier phase had already decided; no rule of this phase ran.
    case alreadyDecided
    /// Every rule of the phase ran without deciding; the next phase continues.
    case phaseComplete
    /// Every rule of every phase ran without deciding: the set's `default_action` applies.
    case defaultAction
}

extension InspectionObserver {
    public static var wantsSteps: Bool { false }
    public static var isActive: Bool { true }
    public mutating func ruleStarted(_ rule: CompiledRule, phase: Phase) {}
    public mutating func targetRead(_ selector: TargetSelector, values: [TargetValue]) {}
    public mutating func transformed(_ selector: TargetSelector, index: Int, step: Transformation, result: [UInt8]) {}
    public mutating func excluded(_ selector: TargetSelector, index: Int) {}
    public mutating func operatorEvaluated(_ check: Check, selector: TargetSelector, index: Int, input: [UInt8],
                                           result: OperatorResult) {}
    public mutating func checkFinished(_ check: Check, matched: Bool) {}
    public mutating func negationFinished(innerMatched: Bool) {}
    public mutating func labelTested(_ match: LabelMatch, present: Bool) {}
    public mutating func labelsAdded(_ labels: [Label]) {}
    public mutating func ruleFinished(_ rule: CompiledRule, outcome: RuleOutcome) {}
    public mutating func phaseEnded(_ phase: Phase, verdict: Verdict?, reason: StopReason) {}
    public mutating func decided(_ verdict: Verdict, reason: StopReason) {}
}

/// The observer of the ordinary entry points: sees nothing, costs nothing.
public struct NoInspectionObserver: InspectionObserver {
    public static var isActive: Bool { false }
    public init() {}
}
