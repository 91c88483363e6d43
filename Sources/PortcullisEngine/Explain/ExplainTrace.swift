import PortcullisHTTP

/// One evaluation written down step by step, for `portcullis explain` and the proxy's debug
/// trace: every rule that ran, what it read, each transformation's result, each operator's
/// answer, the labels added, the decision and why evaluation stopped.
///
/// Built by `ExplainTrace.record`; rendered by `ExplainTextFormatter` (people) and
/// `ExplainJSONFormatter` (tools). Values are kept whole; the formatters shorten them.
public struct ExplainTrace: Sendable {
    public var ruleSet: RuleSetSummary
    public var request: RequestSummary
    /// The rules that ran, in evaluation order.
    public var rules: [RuleTrace] = []
    /// How each phase that was entered ended.
    public var phases: [PhaseEnd] = []
    public var verdict: Verdict = .allow
    public var reason: StopReason = .defaultAction
    /// Every label the request carried at the end.
    public var labels: [Label] = []
    /// Regex evaluations that hit their match limit.
    public var limitHits = 0
    /// What each rate-limit rule whose condition matched decided, in priority order.
    public var rateLimits: [RateLimitOutcome] = []
    /// Identical requests evaluated before this one against the same rate-limit counters, which
    /// started empty (`explain --repeat-before`, 0 for the live trace): a trace never reads or changes a
    /// running proxy's counters.
    public var earlierRequests = 0

    /// Rules of the set that did not run because evaluation stopped early.
    public var rulesNotRun: Int { ruleSet.ruleCount - rules.count }

    /// The rule named by `reason`, when a rule decided.
    public var decidingRule: RuleTrace? {
        guard case .ruleDecided(let id) = reason else { return nil }
        return rules.last { $0.id == id }
    }

    public struct RuleSetSummary: Sendable, Equatable {
        public var name: String
        public var source: String
        public var ruleCount: Int
        public var mode: EnforcementMode
        public var defaultAction: DefaultAction
        public var limitOutcome: LimitOutcome
    }

    /// The request as the engine saw it.
    public struct RequestSummary: Sendable, Equatable {
        public var method: [UInt8]
        public var target: [UInt8]
        public var version: String
        public var client: [UInt8]
        /// Body bytes inspected (at most the inspect limit).
        public var bodyBytes: Int
        /// The body was longer than the inspect limit and was cut for inspection.
        public var bodyTruncated: Bool
        /// For a cut body in a set with body rules: the set's `oversize` policy, which the proxy
        /// applies instead of (`match`, `no_match`) or besides (`continue`) the body phase.
        public var oversize: BodyInspection.Oversize?
    }

    /// One rule's evaluation.
    public struct RuleTrace: Sendable, Equatable {
        public var id: RuleID
        public var name: String
        public var phase: Phase
        /// The action as written (`block`, `allow`, `count`).
        public var action: String
        /// `file:line` of the rule.
        public var source: String
        /// For a rate-limit rule, its limit, e.g. `10 per 1m by client_ip`: a match makes the
        /// request a candidate, and the limit is checked when the phase decides or ends.
        public var rateLimit: String?
        public var events: [Event] = []
        public var labelsAdded: [Label] = []
        public var outcome: RuleOutcome = .noMatch
    }

    /// One step inside a rule, in order.
    public enum Event: Sendable, Equatable {
        /// A check read a target and got this many values.
        case target(String, values: Int)
        /// One value went through the transformations and the operator.
        case value(ValueTrace)
        /// A value skipped because of an exclusion (`except:`); its name within the target.
        case excluded(String)
        /// A `not:` ended: its inner condition matched (so the `not` fails) or not (so it holds).
        case negation(innerMatched: Bool)
        /// A `label` condition and whether the request carried such a label.
        case label(String, present: Bool)
        /// A check ended (after all its values, or at the first that matched).
        case check(operator: String, negated: Bool, matched: Bool)
    }

    /// One value's way through a check.
    public struct ValueTrace: Sendable, Equatable {
        /// The value's name, e.g. `query.arg:q`, or the target for single values (`uri`).
        public var target: String
        /// The value as read from the request.
        public var raw: [UInt8]
        /// Each transformation of the chain and its result.
        public var steps: [Step]
        public var `operator`: String
        public var result: ValueResult
    }

    public struct Step: Sendable, Equatable {
        public var transformation: Transformation
        public var result: [UInt8]
    }

    public enum ValueResult: Sendable, Equatable {
        case noMatch
        /// Matched at `offset` of the transformed value; `excerpt` is the matched bytes.
        case match(offset: Int, excerpt: [UInt8])
        /// The regex hit its match limit; `countsAsMatch` per the set's `on_limit`.
        case limitHit(countsAsMatch: Bool)
    }

    public struct PhaseEnd: Sendable, Equatable {
        public var phase: Phase
        public var reason: StopReason
    }
}

extension ExplainTrace {
    /// Evaluates `request` through both phases and the default action, as `Inspector.decide`
    /// does, and records every step.
    public static func record(_ inspector: Inspector, request: RequestView,
                              scratch: inout EvaluationScratch) -> ExplainTrace {
        let set = inspector.ruleSet
        let head = request.head
        var recorder = TraceRecorder(limitOutcome: set.limitOutcome)
        recorder.trace = ExplainTrace(
            ruleSet: RuleSetSummary(name: set.name, source: set.sourcePath, ruleCount: set.ruleCount, mode: set.mode,
                                    defaultAction: set.defaultAction, limitOutcome: set.limitOutcome),
            request: RequestSummary(method: Array(head.storage[head.methodRange]),
                                    target: Array(head.storage[head.target]),
                                    version: head.version.token.description, client: request.clientAddress,
                                    bodyBytes: request.body.count, bodyTruncated: request.bodyTruncated,
                                    oversize: request.bodyTruncated && set.inspectsBody ? set.body.oversize : nil))
        let (verdict, state) = inspector.decide(request, scratch: &scratch, observer: &recorder)
        var trace = recorder.trace!
        trace.verdict = verdict
        trace.labels = state.labels
        trace.limitHits = state.limitHits
        trace.rateLimits = state.rateLimits
        return trace
    }
}

extension ExplainTrace {
    /// A parsed request evaluated as the proxy would: the body cut at the set's inspect limit.
    ///
    /// Rate limits count from empty counters (a copy of the set's); with `earlierRequests`, that
    /// many identical requests are evaluated first, at the same instant, so the trace shows the
    /// request that trips a limit.
    public static func record(_ inspector: Inspector, head: RequestHead, body: [UInt8], client: [UInt8],
                              earlierRequests: Int = 0, scratch: inout EvaluationScratch) -> ExplainTrace {
        let fresh = Inspector(ruleSet: inspector.ruleSet.withFreshRateLimitState())
        let limit = fresh.ruleSet.body.inspectLimit
        func view() -> RequestView {
            RequestView(head: head, clientAddress: client, body: Array(body.prefix(limit)), bodyTruncated: body.count > limit)
        }
        for _ in 0..<max(0, earlierRequests) { _ = fresh.decide(view(), scratch: &scratch) }
        var trace = record(fresh, request: view(), scratch: &scratch)
        trace.earlierRequests = max(0, earlierRequests)
        return trace
    }
}

/// The observer behind `ExplainTrace.record`.
struct TraceRecorder: InspectionObserver {
    static var wantsSteps: Bool { true }
    let limitOutcome: LimitOutcome
    var trace: ExplainTrace?
    private var current: ExplainTrace.RuleTrace?
    /// The values of the target being read, and the steps computed for them.
    private var values: [TargetValue] = []
    private var steps: [Int: [ExplainTrace.Step]] = [:]

    init(limitOutcome: LimitOutcome) {
        self.limitOutcome = limitOutcome
    }

    mutating func ruleStarted(_ rule: CompiledRule, phase: Phase) {
        current = ExplainTrace.RuleTrace(id: rule.id, name: rule.name, phase: phase, action: rule.action.name,
                                         source: rule.source, rateLimit: rule.rateLimit?.definition.summary)
    }

    mutating func targetRead(_ selector: TargetSelector, values: [TargetValue]) {
        self.values = values
        steps = [:]
        current?.events.append(.target(selector.description, values: values.count))
    }

    mutating func transformed(_ selector: TargetSelector, index: Int, step: Transformation, result: [UInt8]) {
        steps[index, default: []].append(ExplainTrace.Step(transformation: step, result: result))
    }

    mutating func excluded(_ selector: TargetSelector, index: Int) {
        current?.events.append(.excluded(Self.name(selector, values[index])))
    }

    mutating func operatorEvaluated(_ check: Check, selector: TargetSelector, index: Int, input: [UInt8],
                                    result: OperatorResult) {
        let outcome: ExplainTrace.ValueResult
        switch result {
        case .noMatch: outcome = .noMatch
        case .match(let range): outcome = .match(offset: range.lowerBound, excerpt: Array(input[range]))
        case .limitHit: outcome = .limitHit(countsAsMatch: limitOutcome == .match)
        }
        let value = values[index]
        current?.events.append(.value(ExplainTrace.ValueTrace(
            target: Self.name(selector, value), raw: Array(value.value), steps: steps[index] ?? [],
            operator: check.op.summary, result: outcome)))
    }

    mutating func checkFinished(_ check: Check, matched: Bool) {
        current?.events.append(.check(operator: check.op.summary, negated: check.negated, matched: matched))
    }

    mutating func negationFinished(innerMatched: Bool) {
        current?.events.append(.negation(innerMatched: innerMatched))
    }

    mutating func labelTested(_ match: LabelMatch, present: Bool) {
        switch match {
        case .exact(let label): current?.events.append(.label(label.text, present: present))
        case .namespace(let prefix): current?.events.append(.label(prefix + "*", present: present))
        }
    }

    mutating func labelsAdded(_ labels: [Label]) {
        current?.labelsAdded.append(contentsOf: labels)
    }

    mutating func ruleFinished(_ rule: CompiledRule, outcome: RuleOutcome) {
        guard var rule = current else { return }
        rule.outcome = outcome
        trace?.rules.append(rule)
        current = nil
    }

    mutating func phaseEnded(_ phase: Phase, verdict: Verdict?, reason: StopReason) {
        trace?.phases.append(ExplainTrace.PhaseEnd(phase: phase, reason: reason))
    }

    mutating func decided(_ verdict: Verdict, reason: StopReason) {
        trace?.reason = reason
    }

    /// `query.arg:q` for a named value of a collection, else the selector as written.
    static func name(_ selector: TargetSelector, _ value: TargetValue) -> String {
        guard selector.name == nil, !value.name.isEmpty, selector.kind.hasNamedValues else {
            return selector.description
        }
        return "\(selector.kind.singular):\(String(decoding: value.name, as: UTF8.self))"
    }
}
