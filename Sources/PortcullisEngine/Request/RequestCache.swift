/// What evaluation has already read and transformed for one request, by slot of the rule set's
/// `EvaluationPlan`: each target is extracted once, each (target, chain) pair transformed once,
/// and each transformation run over a raw value at most once (most transformations leave
/// ordinary values unchanged, so chains that share steps share that work too).
///
/// Kept in `EvaluationState`, so it lives exactly as long as the request's evaluation.
struct RequestCache: Sendable {
    /// The rule set whose plan numbered the slots; another set (a reload between the phases of
    /// one request) starts the cache over.
    private(set) var owner: ObjectIdentifier?
    /// Values of each target slot, once read.
    var values: [[TargetValue]?] = []
    /// How many values each target slot has; -1 until read. Checked first, so a target the
    /// request does not have (most of them, for most requests) costs a load and a compare.
    var counts: [Int] = []
    /// Per target slot, per value: bit `ordinal` set when that transformation is known to leave
    /// the raw value unchanged. Empty until a chain over the slot is computed.
    var unchanged: [[UInt64]] = []
    /// Each (target, chain) slot's values through the chain, once computed.
    var chains: [Chained?] = []
    /// Per target slot, what each raw value holds (for regex prefilters); empty until needed.
    var rawBytes: [[ValueSummary]] = []
    /// Per chain slot whose values changed, what each transformed value holds.
    var chainBytes: [[ValueSummary]] = []

    /// What the regex prefilters need to know about one value: the bytes it holds and which
    /// checks' required literals occur in it.
    struct ValueSummary: Sendable {
        var bytes: PresentBytes
        var literals: LiteralScreen.Hits

        init(_ value: [UInt8], screen: LiteralScreen?) {
            (bytes, literals) = value.withUnsafeBytes { raw in
                (PresentBytes(of: raw), screen?.hits(in: raw) ?? LiteralScreen.Hits())
            }
        }
    }

    enum Chained: Sendable {
        /// Every value came through the chain unchanged: use the raw values.
        case unchanged
        case values([[UInt8]])
    }

    /// Makes the cache fit `set`'s plan (a no-op when it already does).
    @inline(__always)
    mutating func prepare(for set: CompiledRuleSet) {
        let id = ObjectIdentifier(set)
        if owner == id { return }
        owner = id
        values = Array(repeating: nil, count: set.plan.targets.count)
        counts = Array(repeating: -1, count: set.plan.targets.count)
        unchanged = Array(repeating: [], count: set.plan.targets.count)
        chains = Array(repeating: nil, count: set.plan.chainCount)
        rawBytes = Array(repeating: [], count: set.plan.targets.count)
        chainBytes = Array(repeating: [], count: set.plan.chainCount)
    }

    /// Forgets what was read from the body: the body phase may see a view whose body the header
    /// phase did not have.
    mutating func forgetBody(of set: CompiledRuleSet) {
        guard owner == ObjectIdentifier(set) else { return }
        for slot in set.plan.bodyTargets {
            values[slot] = nil
            counts[slot] = -1
            unchanged[slot] = []
            rawBytes[slot] = []
        }
        for slot in set.plan.bodyChains {
            chains[slot] = nil
            chainBytes[slot] = []
        }
    }
}
