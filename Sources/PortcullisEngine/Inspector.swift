/// One rule that matched a request, with where and what it matched; the block log and `explain`
/// are built from these.
public struct MatchRecord: Sendable, Equatable {
    public var ruleID: RuleID
    public var ruleName: String
    /// The rule's action as written (a block recorded in `mode: detect` still says `block`).
    public var action: String
    public var labels: [Label]
    /// The target that matched, e.g. `query.arg:q`; nil for conditions without checks (labels).
    public var target: String?
    /// The transformed value's bytes that matched (bounded excerpt).
    public var excerpt: [UInt8]
    /// Offset of the match within the transformed value.
    public var offset: Int
    /// True when the match came from a regex hitting its limit (`on_limit: match`).
    public var limitHit: Bool

    public init(ruleID: RuleID, ruleName: String, action: String, labels: [Label], target: String?,
                excerpt: [UInt8], offset: Int, limitHit: Bool) {
        self.ruleID = ruleID
        self.ruleName = ruleName
        self.action = action
        self.labels = labels
        self.target = target
        self.excerpt = excerpt
        self.offset = offset
        self.limitHit = limitHit
    }
}

/// What evaluation has found so far for one request; carried from the header phase to the body
/// phase.
public struct EvaluationState: Sendable {
    public var labels: [Label] = []
    public var matches: [MatchRecord] = []
    /// Regex evaluations that hit their match limit.
    public var limitHits = 0
    /// Set once a rule allowed or blocked; later phases do not run.
    public var verdict: Verdict?
    public var decidingRule: RuleID?
    /// Every rate-limit rule whose condition matched, with what it decided (`RateLimitGate`).
    public var rateLimits: [RateLimitOutcome] = []
    /// Rate-limit rules matched in this phase and not yet checked.
    var rateLimitCandidates: [CompiledRule] = []
    /// Values and transformed values already computed for this request, by slot.
    var cache = RequestCache()

    public init() {}

    public func hasLabel(_ match: LabelMatch) -> Bool { labels.contains { match.matches($0) } }
}

/// Evaluates requests against one `CompiledRuleSet`; the proxy calls it at each phase.
///
/// A value holding only a reference to the shared immutable set, so each event loop can keep its
/// own copy. Evaluation never throws.
public struct Inspector: Sendable {
    /// The set this inspector evaluates.
    public let ruleSet: CompiledRuleSet
    /// Longest excerpt kept in a match record. Default: 64 bytes.
    public var excerptLimit = 64

    public init(ruleSet: CompiledRuleSet) {
        self.ruleSet = ruleSet
    }

    /// Runs the rules of `phase` that have not run yet; returns the verdict once a rule decided
    /// (in this or an earlier phase), nil when evaluation should continue.
    public func evaluate(_ phase: Phase, request: RequestView, state: inout EvaluationState,
                         scratch: inout EvaluationScratch) -> Verdict? {
        var observer = NoInspectionObserver()
        return evaluate(phase, request: request, state: &state, scratch: &scratch, observer: &observer)
    }

    /// `evaluate`, reporting each step to `observer`.
    public func evaluate<O: InspectionObserver>(_ phase: Phase, request: RequestView, state: inout EvaluationState,
                                                scratch: inout EvaluationScratch, observer: inout O) -> Verdict? {
        if let verdict = state.verdict {
            observer.phaseEnded(phase, verdict: verdict, reason: .alreadyDecided)
            return verdict
        }
        let programs = phase == .requestHeaders ? ruleSet.plan.headerRules : ruleSet.plan.bodyRules
        if state.cache.owner == nil && scratch.hasSpareCache {
            // The spare's tables for the state's empty cache (a swap: nothing made or dropped).
            state.cache.exchangeTables(with: &scratch.spareCache)
            scratch.hasSpareCache = false
            state.cache.reset(for: ruleSet)
        } else {
            state.cache.prepare(for: ruleSet)
        }
        state.cache.enter(phase, of: ruleSet)
        let singles = phase == .requestHeaders ? ruleSet.plan.flat.headerSingles : ruleSet.plan.flat.bodySingles
        let shapes = phase == .requestHeaders ? ruleSet.plan.flat.headerShapes : ruleSet.plan.flat.bodyShapes
        if !O.isActive {
            let groups = ruleSet.plan.flat.groups
            markAbsentSources(phase == .requestHeaders ? groups.headerGroups : groups.bodyGroups, request, &state)
            resolveAll(phase == .requestHeaders ? ruleSet.plan.headerScreen : ruleSet.plan.bodyScreen,
                       request, &state)
        }
        let masks = ruleSet.plan.flat.ruleMasks + (phase == .requestHeaders ? 0 : 1)
        var chunk = 0
        while chunk < programs.count {
            let base = chunk
            chunk = min(chunk + 64, programs.count)
            // The chunk's rules not ruled out by bits alone, found at once before any is walked
            // (a rule ruled out stays so within the phase: its values do not change).
            var live = O.isActive ? (chunk - base == 64 ? UInt64.max : (1 &<< UInt64(chunk - base)) &- 1)
                : masks.pointee.live(chunk: base / 64, count: chunk - base, state.cache)
            while live != 0 {
                let r = base + live.trailingZeroBitCount
                live &= live &- 1
                // Most rules are one check, reached from the flat tables; one ruled out since the
                // chunk's pass (a walk resolved its slots) is found so by `matches(check:)` itself.
                let single = Int(singles[r])
                if !O.isActive && single < 0 && shapes[r].kind == .anyChecks
                    && anyRuledOut(shapes[r], state.cache) { continue }
                if O.isActive { observer.ruleStarted(programs[r].rule, phase: phase) }
                // Each call's result is tested where it is made: a no-match (most) is not moved.
                let found: Found
                if single >= 0 {
                    guard let hit = matches(check: single, request: request, state: &state, scratch: &scratch,
                                            observer: &observer) else {
                        if O.isActive { observer.ruleFinished(programs[r].rule, outcome: .noMatch) }
                        continue
                    }
                    found = hit
                } else if O.isActive || shapes[r].kind == .tree {
                    guard let hit = matches(programs[r].condition, request: request, state: &state,
                                            scratch: &scratch, observer: &observer) else {
                        if O.isActive { observer.ruleFinished(programs[r].rule, outcome: .noMatch) }
                        continue
                    }
                    found = hit
                } else {
                    guard let hit = matches(shapes[r], request: request, state: &state, scratch: &scratch,
                                            observer: &observer) else { continue }
                    found = hit
                }
                let rule = programs[r].rule
                if rule.rateLimit != nil {
                    // A candidate: its limit is checked with the others when the phase decides or ends.
                    state.rateLimitCandidates.append(rule)
                    observer.ruleFinished(rule, outcome: .counted)
                    continue
                }
                if rule.action.decides(in: ruleSet.mode),
                   let limited = RateLimitGate.settle(ruleSet, request: request, state: &state) {
                    observer.phaseEnded(phase, verdict: limited, reason: .ruleDecided(state.decidingRule ?? rule.id))
                    return limited
                }
                state.labels.append(contentsOf: rule.labels)
                if !rule.labels.isEmpty { observer.labelsAdded(rule.labels) }
                state.matches.append(MatchRecord(ruleID: rule.id, ruleName: rule.name, action: rule.action.name,
                                                 labels: rule.labels, target: found.target,
                                                 excerpt: found.excerpt(limit: excerptLimit),
                                                 offset: found.offset, limitHit: found.limitHit))
                switch rule.action {
                case .count:
                    observer.ruleFinished(rule, outcome: .counted)
                    continue
                case .allow:
                    state.verdict = .allow
                    state.decidingRule = rule.id
                    observer.ruleFinished(rule, outcome: .allowed)
                    observer.phaseEnded(phase, verdict: .allow, reason: .ruleDecided(rule.id))
                    return .allow
                case .block(let response):
                    if ruleSet.mode == .detect {
                        observer.ruleFinished(rule, outcome: .counted)
                        continue
                    }
                    let verdict = Verdict.block(response, rule: rule.id)
                    state.verdict = verdict
                    state.decidingRule = rule.id
                    observer.ruleFinished(rule, outcome: .blocked)
                    observer.phaseEnded(phase, verdict: verdict, reason: .ruleDecided(rule.id))
                    return verdict
                }
            }
        }
        if let limited = RateLimitGate.settle(ruleSet, request: request, state: &state) {
            observer.phaseEnded(phase, verdict: limited, reason: .ruleDecided(state.decidingRule ?? RuleID(-1)))
            return limited
        }
        observer.phaseEnded(phase, verdict: nil, reason: .phaseComplete)
        return nil
    }

    /// Both phases and the default action: the final verdict for a complete request (used by
    /// `portcullis check`, tests and tools; the proxy calls `evaluate` per phase).
    public func decide(_ request: RequestView, scratch: inout EvaluationScratch) -> (Verdict, EvaluationState) {
        var observer = NoInspectionObserver()
        return decide(request, scratch: &scratch, observer: &observer)
    }

    /// `decide`, reporting each step to `observer`.
    public func decide<O: InspectionObserver>(_ request: RequestView, scratch: inout EvaluationScratch,
                                              observer: inout O) -> (Verdict, EvaluationState) {
        var state = EvaluationState()
        for phase in Phase.allCases {
            if let verdict = evaluate(phase, request: request, state: &state, scratch: &scratch, observer: &observer) {
                observer.decided(verdict, reason: state.decidingRule.map(StopReason.ruleDecided) ?? .alreadyDecided)
                finish(&state, scratch: &scratch)
                return (verdict, state)
            }
        }
        observer.decided(defaultVerdict, reason: .defaultAction)
        finish(&state, scratch: &scratch)
        return (defaultVerdict, state)
    }

    /// Ends evaluation of the request `state` belongs to: what it cached for that request is
    /// dropped and the memory of its tables kept in `scratch` for the next request. The verdict,
    /// labels and matches stay; evaluating `state` further starts its cache over.
    public func finish(_ state: inout EvaluationState, scratch: inout EvaluationScratch) {
        guard state.cache.owner != nil else { return }
        state.cache.release()
        if !scratch.hasSpareCache && scratch.spareCache.owner == nil {
            // The scratch's empty cache for this one (a swap: nothing made or dropped).
            state.cache.exchangeTables(with: &scratch.spareCache)
            scratch.hasSpareCache = true
        } else {
            state.cache = RequestCache()
        }
    }

    /// The verdict when no rule decided.
    public var defaultVerdict: Verdict { ruleSet.defaultAction.verdict }

    /// Where a condition matched: the first matching value's target and bytes. Only what locates
    /// the match is kept; the target's name and the excerpt are made when a rule's match is
    /// recorded (`target`, `excerpt(limit:)`), so a match that decides nothing (inside `not`, or
    /// an `all` that fails later) costs no allocation.
    struct Found {
        enum Place {
            /// A condition without a value: `not`, an empty `all`.
            case none
            /// A label test.
            case label
            /// A value of `selector`, named `name` within its collection.
            case value(TargetSelector, ArraySlice<UInt8>)
        }
        var place: Place
        /// The operator's input and where in it the match lies.
        var bytes: ArraySlice<UInt8>
        var range: Range<Int>
        var limitHit: Bool

        static let noValue = Found(place: .none, bytes: [], range: 0..<0, limitHit: false)

        var hasTarget: Bool {
            if case .none = place { return false }
            return true
        }

        /// The target as match records name it, e.g. `query.arg:q`.
        var target: String? {
            switch place {
            case .none: return nil
            case .label: return "label"
            case .value(let selector, let name):
                if selector.name == nil && !name.isEmpty && selector.kind.hasNamedValues {
                    return "\(selector.kind.singular):\(String(decoding: name, as: UTF8.self))"
                }
                return selector.description
            }
        }

        var offset: Int { range.lowerBound }

        /// The matched bytes, at most `limit` of them.
        func excerpt(limit: Int) -> [UInt8] {
            let start = bytes.startIndex + range.lowerBound
            return Array(bytes[start..<(start + min(range.count, limit))])
        }
    }

    /// A `not` of one check or an `any` of checks, from the plan's flat tables: the same answer
    /// as `matches(_:ConditionProgram…)` without walking the tree (no observer sees this path).
    private func matches<O: InspectionObserver>(_ shape: RuleShape, request: RequestView,
                                                state: inout EvaluationState, scratch: inout EvaluationScratch,
                                                observer: inout O) -> Found? {
        switch shape.kind {
        case .notCheck:
            let inner = matches(check: Int(shape.first), request: request, state: &state, scratch: &scratch,
                                observer: &observer)
            return inner == nil ? .noValue : nil
        case .anyChecks:
            let checks = ruleSet.plan.flat.shapeChecks
            for k in Int(shape.first)..<Int(shape.end) {
                if let found = matches(check: Int(checks[k]), request: request, state: &state, scratch: &scratch,
                                       observer: &observer) { return found }
            }
            return nil
        case .tree:
            preconditionFailure("a tree is walked by matches(_: ConditionProgram…)")
        }
    }

    /// True when no check of an `any` of checks can match, known from bits alone (`ruledOut`).
    @inline(__always)
    private func anyRuledOut(_ shape: RuleShape, _ cache: RequestCache) -> Bool {
        let flat = ruleSet.plan.flat
        for k in Int(shape.first)..<Int(shape.end) {
            let info = flat.checks[Int(flat.shapeChecks[k])]
            if info.negated || !Self.ruledOut(info, cache) { return false }
        }
        return true
    }

    private func matches<O: InspectionObserver>(_ condition: ConditionProgram, request: RequestView,
                                                state: inout EvaluationState, scratch: inout EvaluationScratch,
                                                observer: inout O) -> Found? {
        switch condition {
        case .check(let index):
            return matches(check: index, request: request, state: &state, scratch: &scratch, observer: &observer)
        case .all(let parts):
            var first: Found?
            for part in parts {
                guard let found = matches(part, request: request, state: &state, scratch: &scratch,
                                          observer: &observer) else { return nil }
                if first == nil || (first?.hasTarget == false && found.hasTarget) { first = found }
            }
            return first ?? .noValue
        case .any(let parts):
            for part in parts {
                if let found = matches(part, request: request, state: &state, scratch: &scratch,
                                       observer: &observer) { return found }
            }
            return nil
        case .not(let inner):
            if matches(inner, request: request, state: &state, scratch: &scratch, observer: &observer) != nil {
                observer.negationFinished(innerMatched: true)
                return nil
            }
            observer.negationFinished(innerMatched: false)
            return .noValue
        case .label(let match):
            let present = state.hasLabel(match)
            observer.labelTested(match, present: present)
            return present ? Found(place: .label, bytes: [], range: 0..<0, limitHit: false) : nil
        }
    }

    /// Whether check `index` matches. Most checks are decided per target slot from summaries
    /// alone (the slot is absent, or no value holds what the regex needs); only the values that
    /// pass are handed to the operator.
    private func matches<O: InspectionObserver>(check index: Int, request: RequestView,
                                                state: inout EvaluationState, scratch: inout EvaluationScratch,
                                                observer: inout O) -> Found? {
        let flat = ruleSet.plan.flat
        let info = flat.checks[index]
        var decided = !O.isActive && Self.ruledOut(info, state.cache)
        if !decided && !O.isActive && info.chainsMasked && !info.negated {
            // The slots the phase's bulk pass left (they need a transformation) are resolved
            // first; most checks are then decided by the same bit tests, without the walk.
            decided = resolveRest(info, request, &state) && Self.ruledOut(info, state.cache)
        }
        let hit = decided ? nil : walk(index, info, request, &state, &scratch, &observer)
        if info.negated {
            let matched = hit == nil
            if O.isActive { observer.checkFinished(ruleSet.plan.checks[index].check, matched: matched) }
            return matched ? .noValue : nil
        }
        if O.isActive { observer.checkFinished(ruleSet.plan.checks[index].check, matched: hit != nil) }
        return hit
    }

    /// Check `index`'s targets in order until a value matches: each slot read (and transformed)
    /// once, ruled out from its summary where it can be, the operator run on what is left.
    /// Returns as soon as a value matches (no match value is carried through the loop).
    @inline(__always)
    private func walk<O: InspectionObserver>(_ index: Int, _ info: CheckInfo, _ request: RequestView,
                                             _ state: inout EvaluationState, _ scratch: inout EvaluationScratch,
                                             _ observer: inout O) -> Found? {
        let flat = ruleSet.plan.flat
        for t in Int(info.firstTarget)..<Int(info.endTarget) {
            if O.wantsSteps {
                if let hit = stepwiseTarget(index, t - Int(info.firstTarget), request, &state, &scratch, &observer) {
                    return hit
                }
                continue
            }
            let target = flat.targets[t]
            var entry = state.cache.chainIndex[Int(target.chain)]
            if entry == RequestCache.unread {
                if state.cache.targetIndex[Int(target.target)] == RequestCache.absent {
                    // Remembered on the chain slot: the next check over it decides with one load.
                    state.cache.chainIndex[Int(target.chain)] = RequestCache.absent
                    entry = RequestCache.absent
                } else if !O.isActive && info.preimage >= 0
                            && !mayDecodeToMatch(info.preimage, target, request, &state) {
                    continue   // not decoded: no raw value holds the Base64 digits a match needs
                } else {
                    entry = prepareChain(Int(target.chain), request, &state)
                }
            }
            if entry == RequestCache.absent {
                state.cache.resolved.insert(Int(target.chain))
                if O.isActive { observer.targetRead(ruleSet.plan.targets[Int(target.target)], values: []) }
                continue
            }
            if info.screens {
                if !state.cache.chains[Int(entry)].summarized { summarize(Int(entry), request, &state) }
                if !state.cache.resolved.contains(Int(target.chain)) { resolve(Int(target.chain), Int(entry), &state) }
                if !mayMatch(info, state.cache.chains[Int(entry)].longest, state.cache.chains[Int(entry)].union) {
                    // No value can match: the operator is not run (observers see its no-match).
                    if O.isActive {
                        realize(Int(state.cache.chains[Int(entry)].target), request, &state)
                        reportSkipped(index, t - Int(info.firstTarget), Int(entry), &state, &observer)
                    }
                    continue
                }
            }
            realize(Int(state.cache.chains[Int(entry)].target), request, &state)
            if let hit = evaluateValues(index, t - Int(info.firstTarget), Int(entry), screened: info.screens,
                                        &state, &scratch, &observer) { return hit }
        }
        return nil
    }

    /// Prepares, summarizes and resolves each chain slot of the check that is not resolved yet;
    /// false when one is left unresolved (a Base64 target ruled out without decoding).
    @inline(never)
    private func resolveRest(_ info: CheckInfo, _ request: RequestView, _ state: inout EvaluationState) -> Bool {
        let flat = ruleSet.plan.flat
        for t in Int(info.firstTarget)..<Int(info.endTarget) {
            let target = flat.targets[t]
            let chain = Int(target.chain)
            if state.cache.resolved.contains(chain) { continue }
            var entry = state.cache.chainIndex[chain]
            if entry == RequestCache.unread {
                if info.preimage >= 0 && !mayDecodeToMatch(info.preimage, target, request, &state) { return false }
                entry = prepareChain(chain, request, &state)
            }
            if entry == RequestCache.absent {
                state.cache.resolved.insert(chain)
                continue
            }
            if !state.cache.chains[Int(entry)].summarized { summarize(Int(entry), request, &state) }
            resolve(chain, Int(entry), &state)
        }
        return true
    }

    /// Runs the operator of check `index` over the values of chain entry `entry` (its target
    /// number `t` within the check), skipping values whose summary rules a match out.
    @inline(never)
    private func evaluateValues<O: InspectionObserver>(_ index: Int, _ t: Int, _ entry: Int, screened: Bool,
                                                       _ state: inout EvaluationState,
                                                       _ scratch: inout EvaluationScratch,
                                                       _ observer: inout O) -> Found? {
        let program = ruleSet.plan.checks[index]
        let info = ruleSet.plan.flat.checks[index]
        if !O.isActive {
            return evaluateInPlace(program, info, t, entry, screened ? state.cache.chains[entry].firstSummary : -1,
                                   &state, &scratch)
        }
        let selector = program.targets[t]
        let chain = state.cache.chains[entry]
        let values = state.cache.targets[Int(chain.target)].values
        observer.targetRead(selector, values: values)
        let summaries = screened ? chain.firstSummary : -1
        return evaluate(program, info, selector, values, chain.values, summaries, &state, &scratch, &observer)
    }

    /// `evaluate` without an observer: each value is read where the cache holds it, and a value
    /// its summary rules out is passed over without taking a copy of it (no reference counting).
    @inline(__always)
    private func evaluateInPlace(_ program: CheckProgram, _ info: CheckInfo, _ t: Int, _ entry: Int,
                                 _ firstSummary: Int, _ state: inout EvaluationState,
                                 _ scratch: inout EvaluationScratch) -> Found? {
        let target = Int(state.cache.chains[entry].target)
        let chained = state.cache.chains[entry].values != nil
        let hasExclusions = !program.exclusions.isEmpty
        for index in 0..<state.cache.targets[target].values.count {
            if hasExclusions
                && isExcluded(program.targets[t], state.cache.targets[target].values[index], program.exclusions) {
                continue
            }
            if firstSummary >= 0 {
                let length = chained ? state.cache.chains[entry].values.unsafelyUnwrapped[index].count
                    : state.cache.targets[target].values[index].value.count
                if !mayMatch(info, length, state.cache.summaries[firstSummary + index]) { continue }
            }
            let bytes = chained ? state.cache.chains[entry].values.unsafelyUnwrapped[index]
                : state.cache.targets[target].values[index].value
            switch bytes.withUnsafeBytes({ program.op.evaluate($0, scratch: &scratch) }) {
            case .noMatch:
                continue
            case .match(let range):
                return found(program.targets[t], state.cache.targets[target].values[index], bytes, range,
                             limitHit: false)
            case .limitHit:
                state.limitHits += 1
                guard ruleSet.limitOutcome == .match else { continue }
                return found(program.targets[t], state.cache.targets[target].values[index], bytes,
                             0..<min(bytes.count, excerptLimit), limitHit: true)
            }
        }
        return nil
    }

    /// The operator over each value (`chained` when the chain changed some, else the raw ones).
    @inline(__always)
    private func evaluate<O: InspectionObserver>(_ program: CheckProgram, _ info: CheckInfo, _ selector: TargetSelector,
                                                 _ values: [TargetValue], _ chained: [ArraySlice<UInt8>]?,
                                                 _ firstSummary: Int,
                                                 _ state: inout EvaluationState, _ scratch: inout EvaluationScratch,
                                                 _ observer: inout O) -> Found? {
        let hasExclusions = !program.exclusions.isEmpty
        for index in values.indices {
            if hasExclusions && isExcluded(selector, values[index], program.exclusions) {
                observer.excluded(selector, index: index)
                continue
            }
            let bytes = chained?[index] ?? values[index].value
            let result: OperatorResult
            if firstSummary >= 0, !mayMatch(info, bytes.count, state.cache.summaries[firstSummary + index]) {
                result = .noMatch
            } else {
                result = bytes.withUnsafeBytes { program.op.evaluate($0, scratch: &scratch) }
            }
            if O.isActive {
                observer.operatorEvaluated(program.check, selector: selector, index: index, input: Array(bytes),
                                           result: result)
            }
            switch result {
            case .noMatch:
                continue
            case .match(let range):
                return found(selector, values[index], bytes, range, limitHit: false)
            case .limitHit:
                state.limitHits += 1
                guard ruleSet.limitOutcome == .match else { continue }
                return found(selector, values[index], bytes, 0..<min(bytes.count, excerptLimit), limitHit: true)
            }
        }
        return nil
    }

    /// For observers that want every step: target `t` of check `index` read, transformed one
    /// step at a time (each reported) and every value handed to the operator, no prefilter.
    private func stepwiseTarget<O: InspectionObserver>(_ index: Int, _ t: Int, _ request: RequestView,
                                                       _ state: inout EvaluationState,
                                                       _ scratch: inout EvaluationScratch,
                                                       _ observer: inout O) -> Found? {
        let program = ruleSet.plan.checks[index]
        let info = ruleSet.plan.flat.checks[index]
        let slot = Int(ruleSet.plan.flat.targets[Int(info.firstTarget) + t].target)
        let selector = program.targets[t]
        let entry = targetEntry(slot, request, &state)
        guard entry >= 0 else {
            observer.targetRead(selector, values: [])
            return nil
        }
        realize(entry, request, &state)
        let values = state.cache.targets[entry].values
        observer.targetRead(selector, values: values)
        let chained = program.transforms.isEmpty ? nil : stepwise(values, selector, program.transforms, &observer)
        return evaluate(program, info, selector, values, chained, -1, &state, &scratch, &observer)
    }

    /// Reports a target slot ruled out by its summary: read, and each value a no-match.
    private func reportSkipped<O: InspectionObserver>(_ index: Int, _ t: Int, _ entry: Int,
                                                      _ state: inout EvaluationState, _ observer: inout O) {
        let program = ruleSet.plan.checks[index]
        let selector = program.targets[t]
        let chain = state.cache.chains[entry]
        let values = state.cache.targets[Int(chain.target)].values
        observer.targetRead(selector, values: values)
        for index in values.indices {
            if !program.exclusions.isEmpty && isExcluded(selector, values[index], program.exclusions) {
                observer.excluded(selector, index: index)
                continue
            }
            observer.operatorEvaluated(program.check, selector: selector, index: index,
                                       input: Array(chain.values?[index] ?? values[index].value), result: .noMatch)
        }
    }

    /// The cache entry of target slot `slot` (its values read from the request once), or
    /// `RequestCache.absent` when the request has no value for it.
    @inline(__always)
    private func targetEntry(_ slot: Int, _ request: RequestView, _ state: inout EvaluationState) -> Int {
        let known = state.cache.targetIndex[slot]
        if known != RequestCache.unread { return Int(known) }
        state.cache.known.insert(slot)
        let role = ruleSet.plan.flat.pieceRoles[slot]
        if role.isArguments, ruleSet.plan.flat.screen != nil, state.cache.targets.count < 64,
           let count = request.formArgumentCount {
            // A urlencoded body's arguments: counted now, made into values only where a check
            // must read them (`realize`); the body's pass summarizes them from its bytes.
            if count == 0 {
                state.cache.targetIndex[slot] = RequestCache.absent
                return Int(RequestCache.absent)
            }
            state.cache.present.insert(slot)
            state.cache.pending |= 1 &<< UInt64(state.cache.targets.count)
            state.cache.targets.append(RequestCache.TargetEntry(values: [], slot: Int32(slot)))
        } else {
            let values = request.values(for: ruleSet.plan.targets[slot])
            if values.isEmpty {
                state.cache.targetIndex[slot] = RequestCache.absent
                return Int(RequestCache.absent)
            }
            state.cache.present.insert(slot)
            state.cache.targets.append(RequestCache.TargetEntry(values: values, slot: Int32(slot)))
        }
        let entry = state.cache.targets.count - 1
        state.cache.targetIndex[slot] = Int32(entry)
        return entry
    }

    /// Makes target entry `entry`'s values if they are still to be made (`RequestCache.pending`):
    /// before anything reads them one by one.
    @inline(__always)
    private func realize(_ entry: Int, _ request: RequestView, _ state: inout EvaluationState) {
        if state.cache.pending != 0 && Self.isPending(entry, state.cache) { makeValues(entry, request, &state) }
    }

    /// Whether entry `entry`'s values are still to be made.
    @inline(__always)
    private static func isPending(_ entry: Int, _ cache: RequestCache) -> Bool {
        entry < 64 && cache.pending & (1 &<< UInt64(entry)) != 0
    }

    /// How many values entry `entry` has, made or not.
    @inline(__always)
    private func valueCount(_ entry: Int, _ request: RequestView, _ state: EvaluationState) -> Int {
        Self.isPending(entry, state.cache) ? request.formArgumentCount ?? 0 : state.cache.targets[entry].values.count
    }

    @inline(never)
    private func makeValues(_ entry: Int, _ request: RequestView, _ state: inout EvaluationState) {
        let values = request.values(for: ruleSet.plan.targets[Int(state.cache.targets[entry].slot)])
        state.cache.targets[entry].values = values
        state.cache.pending &= ~(1 &<< UInt64(entry))
    }

    /// Reads and transforms chain slot `slot` and records where its values are: `absent`, a new
    /// entry, or (when the chain changed no value) its target's raw entry.
    @inline(never)
    private func prepareChain(_ slot: Int, _ request: RequestView, _ state: inout EvaluationState) -> Int32 {
        let info = ruleSet.plan.flat.chains[slot]
        let entry = targetEntry(Int(info.target), request, &state)
        guard entry >= 0 else {
            state.cache.chainIndex[slot] = RequestCache.absent
            return RequestCache.absent
        }
        if info.mask != 0 {
            if !state.cache.targets[entry].memosReady { seedMemos(entry, request, &state) }
            // Unless every step is known to leave every value as it is, run the chain.
            let byAll = state.cache.targets[entry].unchangedByAll
            if info.mask & ~byAll != 0 {
                realize(entry, request, &state)
                let program = ruleSet.plan.chains[slot]
                // Chains that differ only in leading steps leaving every value unchanged give the
                // same result: the first one computed serves the others.
                // Both chains must have emptied no value (checked only when a partner exists).
                let key = program.remainingKey(after: byAll)
                if key != 0, let share = state.cache.sharedChain(entry: Int32(entry), key: key),
                   keepsEveryValue(program, entry, &state),
                   keepsEveryValue(ruleSet.plan.chains[Int(share.slot)], entry, &state) {
                    state.cache.chainIndex[slot] = share.index
                    return share.index
                }
                if let result = transformed(entry, program, &state) {
                    state.cache.chains.append(RequestCache.ChainEntry(target: Int32(entry), values: result))
                    let index = Int32(state.cache.chains.count - 1)
                    state.cache.chainIndex[slot] = index
                    if key != 0 {
                        state.cache.shares.append(.init(entry: Int32(entry), key: key, slot: Int32(slot), index: index))
                    }
                    return index
                }
            }
            // Nothing changed: the slot shares its target's raw entry.
            let raw = Int(info.raw)
            let shared = state.cache.chainIndex[raw] == RequestCache.unread
                ? prepareChain(raw, request, &state) : state.cache.chainIndex[raw]
            state.cache.chainIndex[slot] = shared
            return shared
        }
        state.cache.chains.append(RequestCache.ChainEntry(target: Int32(entry), values: nil))
        let index = Int32(state.cache.chains.count - 1)
        state.cache.chainIndex[slot] = index
        return index
    }

    /// True when `program` empties no value of target entry `entry` for being too short for its
    /// readers (see `transformed`): its result is then exactly the steps' output, which another
    /// chain with the same remaining steps may share. Judged on the shortest value (the bound
    /// only grows with the input), conservatively.
    private func keepsEveryValue(_ program: ChainProgram, _ entry: Int, _ state: inout EvaluationState) -> Bool {
        var shortest = state.cache.targets[entry].shortest
        if shortest < 0 {
            shortest = Int.max
            for value in state.cache.targets[entry].values { shortest = min(shortest, value.value.count) }
            state.cache.targets[entry].shortest = shortest
        }
        guard let bound = program.outputBound(shortest) else { return true }
        return bound >= program.minUseful
    }

    /// Seeds target entry `entry`'s memos from each value's bytes: most steps are known to
    /// change nothing without a run.
    private func seedMemos(_ entry: Int, _ request: RequestView, _ state: inout EvaluationState) {
        let role = ruleSet.plan.flat.pieceRoles[Int(state.cache.targets[entry].slot)]
        if role != .none, piecesReady(role, request, &state) {
            // The body and its arguments: judged from what its one screen pass found, not a pass
            // of their own.
            let first = state.cache.memos.count
            if let all = state.cache.appendPieceMemos(role, count: valueCount(entry, request, state)) {
                state.cache.targets[entry].firstMemo = first
                state.cache.targets[entry].unchangedByAll = all
                state.cache.targets[entry].memosReady = true
                return
            }
        }
        if state.cache.targets[entry].slot == ruleSet.plan.uriParts?.uri,
           seedURIMemos(entry, request, &state) { return }
        realize(entry, request, &state)
        if state.cache.targets[entry].values.count == 1 {
            // Most targets (the method, the path, a header): no loop, no copy of the array.
            let memo = state.cache.targets[entry].values[0].value.withUnsafeBytes {
                TransformationIdentity.unchangedMask(of: $0)
            }
            state.cache.memos.append(memo)
            state.cache.targets[entry].firstMemo = state.cache.memos.count - 1
            state.cache.targets[entry].unchangedByAll = memo
            state.cache.targets[entry].memosReady = true
            return
        }
        let values = state.cache.targets[entry].values
        let first = state.cache.memos.count
        state.cache.memos.reserveCapacity(first + values.count)
        var all = UInt64.max
        // By index: an element copy held across the append would retain its slice's storage.
        for index in values.indices {
            let mask = values[index].value.withUnsafeBytes { TransformationIdentity.unchangedMask(of: $0) }
            all &= mask
            state.cache.memos.append(mask)
        }
        state.cache.targets[entry].firstMemo = first
        state.cache.targets[entry].unchangedByAll = all
        state.cache.targets[entry].memosReady = true
    }

    /// Seeds the memos of raw `uri` entry `entry` without a pass of their own where its parts
    /// give them (`URIParts`). With a `?`, the `query` (the uri's bytes after its first `?`) is
    /// seeded with it from one pass over the uri: the query's memo is the OR over its stretch,
    /// the uri's that and the rest's (the header phase seeds both on a request with a query, so
    /// the query's own pass is saved). Without one, the uri is the path: the path's memo, when
    /// seeded, is the uri's (the same bytes). False when not done (the query seeded already, the
    /// path not seeded, or the values are not the uri's parts): `entry` is then seeded as any other.
    @inline(never)
    private func seedURIMemos(_ entry: Int, _ request: RequestView, _ state: inout EvaluationState) -> Bool {
        guard let parts = ruleSet.plan.uriParts, state.cache.targets[entry].values.count == 1 else { return false }
        let uriLength = state.cache.targets[entry].values[0].value.count
        // The `?` is where the path ends, when the path is read (else found).
        let path = Int(state.cache.targetIndex[Int(parts.path)])
        let mark: Int
        if path >= 0 && state.cache.targets[path].values.count == 1 {
            mark = state.cache.targets[path].values[0].value.count
            if mark == uriLength {
                guard state.cache.targets[path].memosReady else { return false }
                let memo = state.cache.memos[state.cache.targets[path].firstMemo]
                state.cache.memos.append(memo)
                state.cache.targets[entry].firstMemo = state.cache.memos.count - 1
                state.cache.targets[entry].unchangedByAll = memo
                state.cache.targets[entry].memosReady = true
                return true
            }
        } else {
            mark = state.cache.targets[entry].values[0].value.withUnsafeBufferPointer { uri in
                uri.baseAddress.map { ByteScan.first(URIParts.questionMark, $0, from: 0, to: uri.count) } ?? 0
            }
        }
        guard mark < uriLength else { return false }
        let query = targetEntry(Int(parts.query), request, &state)
        guard query >= 0, !state.cache.targets[query].memosReady, state.cache.targets[query].values.count == 1,
              state.cache.targets[query].values[0].value.count == uriLength &- mark &- 1 else { return false }
        let split: (path: UInt64, query: UInt64)? = state.cache.targets[entry].values[0].value.withUnsafeBytes { uri in
            guard uri[mark] == URIParts.questionMark else { return nil }
            return (TransformationIdentity.changes(in: UnsafeRawBufferPointer(rebasing: uri[..<mark])),
                    TransformationIdentity.changes(in: UnsafeRawBufferPointer(rebasing: uri[(mark + 1)...])))
        }
        guard let changes = split else { return false }
        let questionMark = TransformationIdentity.changing[Int(URIParts.questionMark)]
        let memos = (uri: TransformationIdentity.judgedByBytes & ~(changes.path | questionMark | changes.query),
                     query: mark &+ 1 == uriLength ? TransformationIdentity.unchangedWhenEmpty
            : TransformationIdentity.judgedByBytes & ~changes.query)
        let first = state.cache.memos.count
        state.cache.memos.append(memos.uri)
        state.cache.memos.append(memos.query)
        state.cache.targets[entry].firstMemo = first
        state.cache.targets[entry].unchangedByAll = memos.uri
        state.cache.targets[entry].memosReady = true
        state.cache.targets[query].firstMemo = first + 1
        state.cache.targets[query].unchangedByAll = memos.query
        state.cache.targets[query].memosReady = true
        return true
    }

    /// Summarizes each value of chain entry `entry` and all of them together.
    @inline(never)
    private func summarize(_ entry: Int, _ request: RequestView, _ state: inout EvaluationState) {
        let screen = ruleSet.plan.flat.screen
        let first = state.cache.summaries.count
        var union = RequestCache.ValueSummary()
        var longest = 0
        if let values = state.cache.chains[entry].values {
            state.cache.summaries.reserveCapacity(first + values.count)
            // By index (as in `seedMemos`): an element copy held across the append would retain
            // its slice's storage, once per value.
            for index in values.indices {
                let summary = values[index].withUnsafeBytes { RequestCache.ValueSummary($0, screen: screen) }
                union.formUnion(summary)
                longest = max(longest, values[index].count)
                state.cache.summaries.append(summary)
            }
        } else if case let target = Int(state.cache.chains[entry].target),
                  case let role = ruleSet.plan.flat.pieceRoles[Int(state.cache.targets[target].slot)],
                  role != .none, piecesReady(role, request, &state),
                  let pieces = state.cache.appendPieceSummaries(role, count: valueCount(target, request, state)) {
            // Pieces of the body: their summaries come from one pass over it.
            union = pieces.union
            longest = pieces.longest
        } else if case let target = Int(state.cache.chains[entry].target),
                  !Self.isPending(target, state.cache), state.cache.targets[target].values.count == 1 {
            // One raw value (most targets): no loop, no copy of the array.
            summarizeSingle(entry, &state)
            return
        } else {
            realize(Int(state.cache.chains[entry].target), request, &state)
            let values = state.cache.targets[Int(state.cache.chains[entry].target)].values
            state.cache.summaries.reserveCapacity(first + values.count)
            for index in values.indices {
                let summary = values[index].value.withUnsafeBytes { RequestCache.ValueSummary($0, screen: screen) }
                union.formUnion(summary)
                longest = max(longest, values[index].value.count)
                state.cache.summaries.append(summary)
            }
        }
        state.cache.chains[entry].firstSummary = first
        state.cache.chains[entry].union = union
        state.cache.chains[entry].longest = longest
        state.cache.chains[entry].summarized = true
    }

    /// The length bit (`SlotNumbering.lengthBit`) when a chain entry's longest value reaches
    /// the screened `size` checks' floor (`SlotNumbering.screenSizeChecks`), else 0: resolving
    /// a slot some size check reads (its readers hold the bit) adds it, as a literal hit.
    /// Without a branch:
    /// `floor - 1 - longest` is negative exactly when `longest` reaches the floor (`Int.max`
    /// when no check has the bit: never).
    @inline(__always)
    private static func lengthBit(_ longest: Int, _ flat: PlanPointers) -> UInt64 {
        UInt64(bitPattern: Int64((flat.lengthFloor &- 1) &- longest)) & SlotNumbering.lengthBit
    }

    /// `summarize` for entry `entry` of raw chain slot `slot`: the uri's from its parts where it
    /// can be (`URIParts`).
    @inline(__always)
    private func summarizeRaw(_ slot: Int, _ entry: Int, _ request: RequestView, _ state: inout EvaluationState) {
        if slot == Int(ruleSet.plan.uriRaw), summarizeURI(entry, request, &state) { return }
        summarize(entry, request, &state)
    }

    /// Summarizes raw `uri` entry `entry` from the raw `path` and `query` summaries (`URIParts`);
    /// false when they are not to be made (`uriPart`) or the values are not its parts (then its
    /// bytes are scanned).
    @inline(never)
    private func summarizeURI(_ entry: Int, _ request: RequestView, _ state: inout EvaluationState) -> Bool {
        guard let parts = ruleSet.plan.uriParts else { return false }
        let target = Int(state.cache.chains[entry].target)
        guard state.cache.targets[target].values.count == 1 else { return false }
        let uriLength = state.cache.targets[target].values[0].value.count
        let unchanged = state.cache.targets[target].memosReady ? state.cache.targets[target].unchangedByAll : nil
        // A step every screened chain over the query has (`url_decode`) that the uri needs (it
        // holds an escape): the query's raw summary is not wanted, known without looking further.
        if let unchanged, parts.queryCommon & ~unchanged != 0, !isSummarized(parts.queryRaw, state) { return false }
        let path = uriPart(parts.pathRaw, parts.pathScreens, unchanged, request, &state)
        guard path >= 0, let screen = ruleSet.plan.flat.screen else { return false }
        let pathLength = state.cache.chains[path].longest
        // No `?`: the path is the whole uri, whatever the query.
        let query = uriLength == pathLength ? path : uriPart(parts.queryRaw, parts.queryScreens, unchanged, request, &state)
        guard query >= 0 else { return false }
        var across = LiteralScreen.Hits()
        if uriLength > pathLength, let window = parts.window(around: pathLength, length: uriLength) {
            // Literals holding `?` that reach across it: scanned where they can lie.
            across = state.cache.targets[target].values[0].value.withUnsafeBytes {
                ValueScan(screen).summary(of: UnsafeRawBufferPointer(rebasing: $0[window])).literals
            }
        }
        guard let summary = URIParts.summary(uriLength: uriLength, path: state.cache.chains[path].union,
                                             pathLength: pathLength, query: state.cache.chains[query].union,
                                             queryLength: state.cache.chains[query].longest,
                                             across: across) else { return false }
        let first = state.cache.summaries.count
        state.cache.summaries.append(summary)
        state.cache.chains[entry].firstSummary = first
        state.cache.chains[entry].union = summary
        state.cache.chains[entry].longest = uriLength
        state.cache.chains[entry].summarized = true
        return true
    }

    /// The summarized raw entry of part `raw` (a raw chain slot, its target among the screen
    /// targets at `screens`) of the uri, or -1. Summarized now only when a screened chain over
    /// the part is made of steps in `unchanged` (the uri's memo, nil when not seeded: every
    /// step that leaves the uri unchanged leaves its part so), since the phase reading the part
    /// needs that summary anyway. A part with more values than one is not used.
    @inline(__always)
    private func uriPart(_ raw: Int32, _ screens: (Int32, Int32), _ unchanged: UInt64?, _ request: RequestView,
                         _ state: inout EvaluationState) -> Int {
        var entry = Int(state.cache.chainIndex[Int(raw)])
        if entry < 0 || !state.cache.chains[entry].summarized {
            guard let unchanged, leavesUnchanged(screens.0, unchanged) || leavesUnchanged(screens.1, unchanged) else {
                return -1
            }
            if entry == Int(RequestCache.unread) { entry = Int(prepareChain(Int(raw), request, &state)) }
            guard entry >= 0 else { return -1 }
        }
        guard state.cache.targets[Int(state.cache.chains[entry].target)].values.count == 1 else { return -1 }
        if !state.cache.chains[entry].summarized { summarizeSingle(entry, &state) }
        return entry
    }

    /// `summarize` for raw entry `entry` of a single-valued target (a part of the uri, and most
    /// targets `summarize` meets), without the cases such a value never is (transformed values,
    /// pieces of the body): no loop, no copy of the values array, and no call back into
    /// `summarize`.
    private func summarizeSingle(_ entry: Int, _ state: inout EvaluationState) {
        let target = Int(state.cache.chains[entry].target)
        let screen = ruleSet.plan.flat.screen
        let summary = state.cache.targets[target].values[0].value.withUnsafeBytes {
            RequestCache.ValueSummary($0, screen: screen)
        }
        let first = state.cache.summaries.count
        state.cache.summaries.append(summary)
        state.cache.chains[entry].firstSummary = first
        state.cache.chains[entry].union = summary
        state.cache.chains[entry].longest = state.cache.targets[target].values[0].value.count
        state.cache.chains[entry].summarized = true
    }

    /// Whether raw chain slot `raw` is read and summarized.
    @inline(__always)
    private func isSummarized(_ raw: Int32, _ state: borrowing EvaluationState) -> Bool {
        let entry = Int(state.cache.chainIndex[Int(raw)])
        return entry >= 0 && state.cache.chains[entry].summarized
    }

    /// True when some chain of screen target `screen` (-1: none) is made only of steps in
    /// `unchanged`.
    @inline(__always)
    private func leavesUnchanged(_ screen: Int32, _ unchanged: UInt64) -> Bool {
        guard screen >= 0 else { return false }
        let flat = ruleSet.plan.flat
        let target = flat.screenTargets[Int(screen)]
        for c in Int(target.firstChain)..<Int(target.endChain) where flat.screenChains[c].mask & ~unchanged == 0 {
            return true
        }
        return false
    }

    /// Makes sure the body has had its pass (`RequestCache.summarizeForm` /
    /// `summarizeBodyPieces`): the values of `role` then have their summaries and memos from it.
    /// False when they do not (no screen, no check reads the body's arguments, or no body).
    @inline(__always)
    private func piecesReady(_ role: PieceRole, _ request: RequestView, _ state: inout EvaluationState) -> Bool {
        guard let screen = ruleSet.plan.flat.screen, ruleSet.plan.readsBodyPieces, !request.body.isEmpty else {
            return false
        }
        if !state.cache.bodyPieces.ready { summarizeBodyPieces(screen, request, &state) }
        return true
    }

    /// Summarizes the body and each of its arguments' names and values in one pass over it. A
    /// urlencoded body's arguments are cut by the pass itself (no values made); another body's
    /// (JSON, multipart) are its `body.args` values, placed where they lie in the body.
    @inline(never)
    private func summarizeBodyPieces(_ screen: LiteralScreen.Tables, _ request: RequestView,
                                     _ state: inout EvaluationState) {
        let exact = ruleSet.plan.exactPieceBytes
        if let form = request.formShape() {
            request.body.withUnsafeBytes { body in
                state.cache.summarizeForm(body, shape: form, limit: request.limits.maxArguments,
                                          screen: screen, exactBytes: exact)
            }
        } else {
            state.cache.summarizeBodyPieces(request.values(for: TargetSelector(kind: .bodyArgs)), body: request.body,
                                            screen: screen, exactBytes: exact)
        }
    }

    /// True when no value of the check can match, known without walking its targets: every
    /// target already read and none has values, or every chain slot resolved and the request's
    /// values lack one of the check's literal sets (`RequestCache.candidates`, bit-parallel over
    /// all checks; a check with two sets needs both bits).
    @inline(__always)
    static func ruledOut(_ info: CheckInfo, _ cache: RequestCache) -> Bool {
        if info.chainsMasked && info.chainBits.isSubset(of: cache.resolved)
            && (cache.candidates.low & info.screenLow != info.screenLow
                || cache.candidates.high & info.screenHigh != info.screenHigh) { return true }
        return info.masked && info.targetBits.isSubset(of: cache.known) && !info.targetBits.intersects(cache.present)
    }

    /// Resolves what a phase's screened checks read, where that costs no transformation: every
    /// chain slot over a target the request lacks, and every chain slot whose steps are known
    /// to leave all the target's values unchanged (their values are the raw ones, summarized
    /// once). Slots that would run a transformation are left to the checks that need them (a
    /// rule that decides early then spares the work). Most checks are then decided by `ruledOut`.
    @inline(never)
    private func resolveAll(_ screen: Range<Int>, _ request: RequestView, _ state: inout EvaluationState) {
        let flat = ruleSet.plan.flat
        for i in screen {
            let target = flat.screenTargets[i]
            if target.chainBits.isSubset(of: state.cache.resolved) { continue }
            let entry = targetEntry(Int(target.target), request, &state)
            if entry < 0 {
                state.cache.resolved.formUnion(target.chainBits)
                // Recorded on the slots too: a check that still walks them decides with one load.
                state.cache.chainIndex.withUnsafeMutableBufferPointer { index in
                    for c in Int(target.firstChain)..<Int(target.endChain) {
                        index[Int(flat.screenChains[c].slot)] = RequestCache.absent
                    }
                }
                continue
            }
            if !state.cache.targets[entry].memosReady { seedMemos(entry, request, &state) }
            let unchanged = state.cache.targets[entry].unchangedByAll
            var bits = ChainBits()
            var readers = LiteralScreen.Hits()
            for c in Int(target.firstChain)..<Int(target.endChain) where flat.screenChains[c].mask & ~unchanged == 0 {
                bits.insert(Int(flat.screenChains[c].slot))
                readers.low |= flat.screenChains[c].readers.low
                readers.high |= flat.screenChains[c].readers.high
            }
            if bits == ChainBits() { continue }
            // Those slots' values are the raw ones: summarized once, as the raw slot.
            let rawSlot = Int(flat.chains[Int(flat.screenChains[Int(target.firstChain)].slot)].raw)
            var raw = state.cache.chainIndex[rawSlot]
            if raw == RequestCache.unread { raw = prepareChain(rawSlot, request, &state) }
            if !state.cache.chains[Int(raw)].summarized { summarizeRaw(rawSlot, Int(raw), request, &state) }
            let union = state.cache.chains[Int(raw)].union.literals
            state.cache.candidates.low |= readers.low & union.low
            state.cache.candidates.high |= readers.high & union.high
            if readers.high & SlotNumbering.lengthBit != 0 {
                state.cache.candidates.high |= Self.lengthBit(state.cache.chains[Int(raw)].longest, flat)
            }
            state.cache.resolved.formUnion(bits)
            // The slots share the raw entry (as `prepareChain` would record them).
            state.cache.chainIndex.withUnsafeMutableBufferPointer { index in
                for c in Int(target.firstChain)..<Int(target.endChain) where flat.screenChains[c].mask & ~unchanged == 0 {
                    index[Int(flat.screenChains[c].slot)] = raw
                }
            }
        }
    }

    /// Marks the phase's screen targets cut from a part the request lacks (`AbsentSource`) read
    /// and absent, and their chain slots resolved, as `resolveAll` would find them one by one:
    /// a few bit operations and a store per target instead of reading each one. `range`: the
    /// phase's groups in `PlanPointers.groups`.
    @inline(__always)
    private func markAbsentSources(_ range: Range<Int>, _ request: RequestView, _ state: inout EvaluationState) {
        let groups = ruleSet.plan.flat.groups
        var lacking: UInt64 = 0   // bit k: group `range.lowerBound + k` (at most 64 a phase)
        for k in range {
            let group = groups.groups[k]
            if group.chainBits.isSubset(of: state.cache.resolved) { continue }
            if group.nameBit != 0 {
                // A field name: looked up with the others in one pass over the fields.
                if !state.cache.fieldNamesRead {
                    state.cache.fieldNames = request.fieldNames(in: groups.fieldNames)
                    state.cache.fieldNamesRead = true
                }
                if state.cache.fieldNames & group.nameBit != 0
                    && (group.source == .header || !request.lacksCookies) { continue }
            } else if !group.source.isLacking(in: request, name: groups.name(of: group)) {
                continue
            }
            state.cache.resolved.formUnion(group.chainBits)
            state.cache.known.formUnion(group.targetBits)
            lacking |= 1 &<< UInt64(k - range.lowerBound)
        }
        if lacking == 0 { return }
        // One uniqueness check for all. The chain slots keep `unread`: a check that walks one
        // finds its target absent with one more load (`walk`), and most checks are decided from
        // `resolved` alone.
        state.cache.targetIndex.withUnsafeMutableBufferPointer { index in
            while lacking != 0 {
                let group = groups.groups[range.lowerBound + lacking.trailingZeroBitCount]
                for t in Int(group.firstTarget)..<Int(group.endTarget) {
                    index[Int(groups.targetSlots[t])] = RequestCache.absent
                }
                lacking &= lacking &- 1
            }
        }
    }

    /// Marks chain slot `slot` (summarized as entry `entry`) resolved: the checks reading it whose
    /// literals occur in one of its values become candidates.
    @inline(never)
    private func resolve(_ slot: Int, _ entry: Int, _ state: inout EvaluationState) {
        let readers = ruleSet.plan.flat.chains[slot].readers
        let union = state.cache.chains[entry].union.literals
        state.cache.candidates.low |= readers.low & union.low
        state.cache.candidates.high |= readers.high & union.high
        if readers.high & SlotNumbering.lengthBit != 0 {
            state.cache.candidates.high |= Self.lengthBit(state.cache.chains[entry].longest, ruleSet.plan.flat)
        }
        state.cache.resolved.insert(slot)
    }

    /// False when the check's regex cannot match a value of `length` bytes with `summary`: PCRE2's
    /// start information rules it out, or none of its required literals occurs.
    @inline(__always)
    private func mayMatch(_ info: CheckInfo, _ length: Int, _ summary: RequestCache.ValueSummary) -> Bool {
        if info.screenBit >= 0
            && (summary.literals.low & info.screenLow != info.screenLow
                || summary.literals.high & info.screenHigh != info.screenHigh) { return false }
        if info.firstFilter == info.endFilter { return true }
        let filters = ruleSet.plan.flat.filters
        for f in Int(info.firstFilter)..<Int(info.endFilter)
        where filters[f].mayMatch(length: length, present: summary.bytes) { return true }
        return false
    }

    /// The values of `selector` through `chain` one step at a time, each step reported (for
    /// observers that want them; the result equals `transformed`).
    private func stepwise<O: InspectionObserver>(_ values: [TargetValue], _ selector: TargetSelector,
                                                 _ chain: [Transformation], _ observer: inout O) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        result.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            var bytes = Array(value.value)
            for step in chain {
                bytes = step.apply(bytes)
                observer.transformed(selector, index: index, step: step, result: bytes)
            }
            result.append(bytes[...])
        }
        return result
    }

    /// The values of target entry `entry` through `chain`; nil when every value came through
    /// unchanged (the raw values are the result). Unchanged values in the result are the raw
    /// slices themselves, not copies.
    private func transformed(_ entry: Int, _ chain: ChainProgram,
                             _ state: inout EvaluationState) -> [ArraySlice<UInt8>]? {
        let values = state.cache.targets[entry].values
        let first = state.cache.targets[entry].firstMemo
        var result: [ArraySlice<UInt8>] = []
        for index in values.indices {
            let raw = values[index].value
            let out: ArraySlice<UInt8>
            if chain.mask & ~state.cache.memos[first + index] != 0, let bound = chain.outputBound(raw.count),
               bound < chain.minUseful {
                // Some step would run, but nothing it makes is long enough for any reader of the
                // slot to match: the empty value answers every reader the same, without the work.
                out = []
            } else {
                out = Self.chain(chain.transforms, bits: chain.bits, raw, memo: &state.cache.memos[first + index])
            }
            if result.isEmpty {
                if Self.sameBuffer(out, raw) { continue }
                // The first changed value: the ones before it came through unchanged.
                result.reserveCapacity(values.count)
                for before in 0..<index { result.append(values[before].value) }
            }
            result.append(out)
        }
        var byAll = UInt64.max
        for index in values.indices { byAll &= state.cache.memos[first + index] }
        state.cache.targets[entry].unchangedByAll = byAll
        return result.isEmpty ? nil : result
    }

    /// `raw` through `chain`. While the value is still the raw one, a step known (from `memo`) to
    /// leave it unchanged is skipped, and a step found to leave it unchanged is remembered:
    /// transformations are pure, so the answer holds for every chain over the same value.
    /// Steps over the raw value read the request's bytes in place (`Transformation.changed`), so
    /// nothing is copied until a step changes them; a value no step changed comes back as `raw`
    /// itself.
    @inline(__always)
    private static func chain(_ chain: [Transformation], bits: [UInt64], _ raw: ArraySlice<UInt8>,
                              memo: inout UInt64) -> ArraySlice<UInt8> {
        var k = 0
        var first: [UInt8]?
        while k < chain.count {
            defer { k += 1 }
            if memo & bits[k] != 0 { continue }
            first = raw.withUnsafeBufferPointer { chain[k].changed($0) }
            if first != nil { break }
            memo |= bits[k]
        }
        guard var bytes = first else { return raw }
        while k < chain.count {
            bytes = chain[k].apply(bytes)
            k += 1
        }
        return bytes[...]
    }

    /// True when both slices are the same bytes in the same storage (`chain` hands back the raw
    /// slice when no step changed it), or both are empty.
    @inline(__always)
    private static func sameBuffer(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        a.count == b.count && (a.isEmpty || a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in pa.baseAddress == pb.baseAddress }
        })
    }

    /// Where `range` (offsets from the start of `bytes`, the operator's input) matched.
    @inline(__always)
    private func found(_ selector: TargetSelector, _ value: TargetValue, _ bytes: ArraySlice<UInt8>,
                       _ range: Range<Int>, limitHit: Bool) -> Found {
        Found(place: .value(selector, value.name), bytes: bytes, range: range, limitHit: limitHit)
    }

    private func isExcluded(_ selector: TargetSelector, _ value: TargetValue, _ exclusions: [TargetSelector]) -> Bool {
        guard !exclusions.isEmpty else { return false }
        for ex in exclusions {
            guard let exName = ex.name else { continue }
            guard ex.kind == selector.kind.singularKind || ex.kind == selector.kind else { continue }
            if selector.kind.caseInsensitiveNames {
                if exName.count == value.name.count && zip(exName, value.name).allSatisfy({ lower($0) == lower($1) }) { return true }
            } else if exName.elementsEqual(value.name) {
                return true
            }
        }
        return false
    }

    private func lower(_ b: UInt8) -> UInt8 { (b >= 65 && b <= 90) ? b | 0x20 : b }
}

extension TargetKind {
    /// Collection kinds whose values carry names (`query.args` → `query.arg:NAME`).
    var hasNamedValues: Bool {
        switch self {
        case .queryArgs, .headers, .cookies, .bodyArgs, .bodyJSON: return true
        default: return false
        }
    }

    /// The `kind:NAME` form of a collection kind, for match records and exclusions.
    var singularKind: TargetKind {
        switch self {
        case .queryArgs: return .queryArg
        case .headers: return .header
        case .cookies: return .cookie
        case .bodyArgs: return .bodyArg
        default: return self
        }
    }

    var singular: String { singularKind == self && self == .bodyJSON ? "body.json" : singularKind.rawValue }

    /// Header names compare case-insensitively; argument and cookie names exactly.
    var caseInsensitiveNames: Bool { self == .headers || self == .header || self == .headerNames }
}

extension Inspector {
    /// False when no value of `target`'s raw slot holds the bytes (Base64 digits, or the
    /// literals' own bytes: `ValuePreimage`) that the check with preimage filter `preimage`
    /// needs: then the chain is not computed for it. Judged on the union of the raw values'
    /// bytes, from their summary when another check (or the body's pass) made it.
    private func mayDecodeToMatch(_ preimage: Int32, _ target: CheckTarget, _ request: RequestView,
                                  _ state: inout EvaluationState) -> Bool {
        if case .length(let shortest) = ruleSet.plan.preimages[Int(preimage)] {
            // A `size` check: no value is longer than the part of the request it is cut from.
            return request.lengthBound(of: ruleSet.plan.targets[Int(target.target)].kind) >= shortest
        }
        let entry = targetEntry(Int(target.target), request, &state)
        guard entry >= 0 else { return true }
        let rawSlot = Int(ruleSet.plan.flat.chains[Int(target.chain)].raw)
        var raw = state.cache.chainIndex[rawSlot]
        if Self.isPending(entry, state.cache) && raw == RequestCache.unread {
            // Arguments not made into values: the body's pass summarizes them instead.
            raw = prepareChain(rawSlot, request, &state)
            if raw >= 0 && !state.cache.chains[Int(raw)].summarized { summarize(Int(raw), request, &state) }
        }
        if !(raw >= 0 && state.cache.chains[Int(raw)].summarized) { realize(entry, request, &state) }
        let present = raw >= 0 && state.cache.chains[Int(raw)].summarized
            ? state.cache.chains[Int(raw)].union.bytes
            : Base64Preimage.bytes(of: state.cache.targets[entry].values)
        return ruleSet.plan.preimages[Int(preimage)].mayDecodeToMatch(present)
    }
}
