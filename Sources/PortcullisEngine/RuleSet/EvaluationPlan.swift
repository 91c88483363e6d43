/// A rule set laid out for evaluation: every distinct target and every distinct (target,
/// transformation chain) pair read by some check gets a slot number, so the per-request caches
/// (`RequestCache`) are arrays indexed by slot instead of dictionaries keyed by hashed selectors
/// and chains; and rules and checks are reference types, so walking them per request copies no
/// arrays and no existential operators.
///
/// Built once per `CompiledRuleSet`, immutable and shared by every event loop.
struct EvaluationPlan: Sendable {
    let headerRules: [RuleProgram]
    let bodyRules: [RuleProgram]
    /// The selector of each target slot.
    let targets: [TargetSelector]
    /// How many (target, chain) slots there are.
    let chainCount: Int
    /// Target and chain slots over targets that read the body.
    let bodyTargets: [Int]
    let bodyChains: [Int]
    /// The required literals of regex checks, looked for in one pass per value; nil when no
    /// check has any.
    let screen: LiteralScreen?

    init(headerRules: [CompiledRule], bodyRules: [CompiledRule]) {
        var numbering = SlotNumbering()
        self.headerRules = headerRules.map { RuleProgram($0, &numbering) }
        self.bodyRules = bodyRules.map { RuleProgram($0, &numbering) }
        self.targets = numbering.targets
        self.chainCount = numbering.chains.count
        let targets = numbering.targets
        self.bodyTargets = targets.indices.filter { targets[$0].kind.readsBody }
        self.bodyChains = numbering.chains.filter { targets[$0.key.target].kind.readsBody }.map(\.value).sorted()
        self.screen = numbering.screenLiterals.isEmpty ? nil : LiteralScreen(numbering.screenLiterals)
    }
}

/// Hands out slot numbers while a plan is built.
struct SlotNumbering {
    var targets: [TargetSelector] = []
    var targetIndex: [TargetSelector: Int] = [:]
    var chains: [ChainKey: Int] = [:]
    /// Required-literal sets of the screen, by bit (equal sets share a bit).
    var screenLiterals: [Set<[UInt8]>] = []
    var screenBits: [Set<[UInt8]>: Int] = [:]

    /// The screen bit for a check with `literals`; nil when the screen is full.
    mutating func screenBit(_ literals: Set<[UInt8]>) -> Int? {
        if let bit = screenBits[literals] { return bit }
        guard screenLiterals.count < LiteralScreen.capacity else { return nil }
        let bit = screenLiterals.count
        screenLiterals.append(literals)
        screenBits[literals] = bit
        return bit
    }

    struct ChainKey: Hashable {
        let target: Int
        let chain: [Transformation]
    }

    mutating func target(_ selector: TargetSelector) -> Int {
        if let slot = targetIndex[selector] { return slot }
        let slot = targets.count
        targets.append(selector)
        targetIndex[selector] = slot
        return slot
    }

    mutating func chain(target: Int, _ chain: [Transformation]) -> Int {
        let key = ChainKey(target: target, chain: chain)
        if let slot = chains[key] { return slot }
        let slot = chains.count
        chains[key] = slot
        return slot
    }
}

/// One rule and its condition, prepared for evaluation.
final class RuleProgram: Sendable {
    let rule: CompiledRule
    let condition: ConditionProgram

    init(_ rule: CompiledRule, _ numbering: inout SlotNumbering) {
        self.rule = rule
        self.condition = ConditionProgram(rule.condition, &numbering)
    }
}

/// `Condition` with each check replaced by its `CheckProgram`.
indirect enum ConditionProgram: Sendable {
    case check(CheckProgram)
    case all([ConditionProgram])
    case any([ConditionProgram])
    case not(ConditionProgram)
    case label(LabelMatch)

    init(_ condition: Condition, _ numbering: inout SlotNumbering) {
        switch condition {
        case .check(let check): self = .check(CheckProgram(check, &numbering))
        case .all(let parts): self = .all(parts.map { ConditionProgram($0, &numbering) })
        case .any(let parts): self = .any(parts.map { ConditionProgram($0, &numbering) })
        case .not(let inner): self = .not(ConditionProgram(inner, &numbering))
        case .label(let match): self = .label(match)
        }
    }
}

/// One check with the slot numbers of what it reads.
final class CheckProgram: Sendable {
    /// The check as compiled (handed to observers).
    let check: Check
    let targets: [TargetSelector]
    /// Target slot of each entry of `targets`.
    let targetSlots: [Int]
    /// (target, chain) slot of each entry of `targets`; unused when `transforms` is empty.
    let chainSlots: [Int]
    let transforms: [Transformation]
    /// Bit of each transformation in a value's "leaves it unchanged" memo (`RequestCache`).
    let transformBits: [UInt64]
    /// All of `transformBits` together.
    let transformMask: UInt64
    let op: any MatchOperator
    let exclusions: [TargetSelector]
    let negated: Bool
    /// When set, a value can match only if one of these filters lets it through (the operator is
    /// a regex or a list of them); nil: always run the operator.
    let prefilter: [RegexPrefilter]?
    /// The check's bit in the plan's `LiteralScreen`, or -1: a value whose screen hits lack the
    /// bit contains none of the regex's required literals (or of the phrases) and cannot match.
    let screenBit: Int

    init(_ check: Check, _ numbering: inout SlotNumbering) {
        self.check = check
        self.targets = check.targets
        let targetSlots = check.targets.map { numbering.target($0) }
        self.targetSlots = targetSlots
        self.chainSlots = check.transforms.isEmpty
            ? targetSlots.map { _ in -1 }
            : targetSlots.map { numbering.chain(target: $0, check.transforms) }
        self.transforms = check.transforms
        self.transformBits = check.transforms.map { UInt64(1) << UInt64($0.ordinal) }
        self.transformMask = transformBits.reduce(0, |)
        self.op = check.op
        self.exclusions = check.exclusions
        self.negated = check.negated
        self.prefilter = Self.prefilter(of: check.op)
        self.screenBit = Self.requiredLiterals(of: check.op).flatMap { numbering.screenBit($0) } ?? -1
    }

    private static func requiredLiterals(of op: any MatchOperator) -> Set<[UInt8]>? {
        if let regex = op as? RegexOperator { return RequiredLiterals.of(regex.regex.pattern) }
        if let any = op as? RegexAnyOperator { return RequiredLiterals.of(anyOf: any.patterns.map(\.pattern)) }
        // A phrase match is an occurrence of one phrase (folding only widens the screen).
        if let phrases = (op as? PhrasesOperator)?.phrases, !phrases.isEmpty, !phrases.contains(where: \.isEmpty) {
            return Set(phrases.map { $0.map(RequiredLiterals.Parser.fold) })
        }
        return nil
    }

    /// The filters of a regex operator's patterns; nil when some pattern has none (or the
    /// operator is not a regex).
    private static func prefilter(of op: any MatchOperator) -> [RegexPrefilter]? {
        let filters: [RegexPrefilter]
        if let regex = op as? RegexOperator {
            filters = [regex.regex.prefilter]
        } else if let any = op as? RegexAnyOperator {
            filters = (any.joined.map { [$0.prefilter] } ?? []) + any.separateIndices.map { any.patterns[$0].prefilter }
        } else {
            return nil
        }
        if filters.isEmpty || filters.contains(where: \.isTrivial) { return nil }
        return filters
    }
}

extension Transformation {
    /// Position in `allCases` (fewer than 64 cases: one bit each in a memo word).
    var ordinal: Int { Transformation.ordinals[self]! }

    private static let ordinals: [Transformation: Int] = {
        precondition(allCases.count <= 64, "a memo word has one bit per transformation")
        var table: [Transformation: Int] = [:]
        for (index, t) in allCases.enumerated() { table[t] = index }
        return table
    }()
}
