/// What evaluation has already read and transformed for one request, by slot of the rule set's
/// `EvaluationPlan`: each target is extracted once, each (target, chain) pair transformed once,
/// and each transformation run over a raw value at most once (most transformations leave
/// ordinary values unchanged, so chains that share steps share that work too).
///
/// Kept in `EvaluationState`, so it lives exactly as long as the request's evaluation.
struct RequestCache: Sendable {
    /// The rule set whose plan numbered the slots; another set (a reload between the phases of
    /// one request) starts the cache over.
    /// Held (not just its address): a set freed between the phases could otherwise be followed
    /// by another at the same address with other slot numbers.
    private(set) var owner: CompiledRuleSet?
    /// Per target slot: `unread`, `absent` (read, no values), or the index of its entry in
    /// `targets`. Plain integers, so making and dropping the table per request is a fill and a free;
    /// a target the request does not have (most, for most requests) costs a load and a compare.
    var targetIndex: [Int32] = []
    var targets: [TargetEntry] = []
    /// Per (target, chain) slot: `unread`, `unchanged` (every value came through the chain
    /// unchanged: the raw values are the result), or the index of its entry in `chains`.
    var chainIndex: [Int32] = []
    var chains: [ChainEntry] = []

    static let unread: Int32 = -1
    static let absent: Int32 = -2
    static let unchanged: Int32 = -2

    /// A target's values and what is known about them.
    struct TargetEntry: Sendable {
        var values: [TargetValue]
        /// Per value: bit `ordinal` set when that transformation is known to leave the raw value
        /// unchanged. Empty until a chain over the target is computed.
        var unchanged: [UInt64] = []
        /// Bit `ordinal` set when that transformation is known to leave every value unchanged
        /// (the AND of `unchanged`): a chain made only of such steps is decided without a loop.
        var unchangedByAll: UInt64 = 0
        /// What the raw values hold (for regex prefilters); nil until needed.
        var summary: SlotSummary?
    }

    /// A chain's values where some value changed.
    struct ChainEntry: Sendable {
        var values: [[UInt8]]
        var summary: SlotSummary?
    }

    /// What the values of one slot hold, each and all together: a check none of whose values
    /// can match (judged on the union) skips the slot with one test.
    /// (A class: the caches hold one reference per slot, so making them per request stays cheap.)
    final class SlotSummary: Sendable {
        let each: [ValueSummary]
        let union: ValueSummary
        let longest: Int

        init(_ values: some Collection<[UInt8]>, screen: LiteralScreen?) {
            var each: [ValueSummary] = []
            each.reserveCapacity(values.count)
            var union = ValueSummary()
            var longest = 0
            for value in values {
                let summary = ValueSummary(value, screen: screen)
                union.bytes.formUnion(summary.bytes)
                union.literals.low |= summary.literals.low
                union.literals.high |= summary.literals.high
                longest = max(longest, value.count)
                each.append(summary)
            }
            self.each = each
            self.union = union
            self.longest = longest
        }
    }

    /// What the regex prefilters need to know about one value: the bytes it holds and which
    /// checks' required literals occur in it.
    struct ValueSummary: Sendable {
        var bytes: ByteSet
        var literals: LiteralScreen.Hits

        init() {
            bytes = ByteSet()
            literals = LiteralScreen.Hits()
        }

        init(_ value: [UInt8], screen: LiteralScreen?) {
            (bytes, literals) = value.withUnsafeBytes { raw in
                (ByteSet(of: raw), screen?.hits(in: raw) ?? LiteralScreen.Hits())
            }
        }
    }

    /// Makes the cache fit `set`'s plan (a no-op when it already does).
    @inline(__always)
    mutating func prepare(for set: CompiledRuleSet) {
        if owner === set { return }
        owner = set
        targetIndex = Array(repeating: Self.unread, count: set.plan.targets.count)
        chainIndex = Array(repeating: Self.unread, count: set.plan.chainCount)
        // One allocation each instead of regrowing entry by entry.
        targets.removeAll(keepingCapacity: true)
        targets.reserveCapacity(set.plan.targets.count)
        chains.removeAll(keepingCapacity: true)
        chains.reserveCapacity(min(set.plan.chainCount, 16))
    }

    /// Forgets what was read from the body: the body phase may see a view whose body the header
    /// phase did not have.
    mutating func forgetBody(of set: CompiledRuleSet) {
        guard owner === set else { return }
        for slot in set.plan.bodyTargets { targetIndex[slot] = Self.unread }
        for slot in set.plan.bodyChains { chainIndex[slot] = Self.unread }
    }
}
