/// What evaluation has already read and transformed for one request, by slot of the rule set's
/// `EvaluationPlan`: each target is extracted once, each (target, chain) pair transformed once,
/// and each transformation run over a raw value at most once (most transformations leave
/// ordinary values unchanged, so chains that share steps share that work too).
///
/// A chain that leaves every value unchanged shares its target's raw entry, so the values are
/// summarized (bytes present, literal-screen hits) once however many chains read them.
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
    /// Bit `e` set: entry `e` of `targets` (below 64) has values still to be made (its `values`
    /// is empty). They are a urlencoded body's arguments: the body's pass summarizes and seeds
    /// them from its bytes, and only a check that must read them makes them
    /// (`Inspector.realize`).
    var pending: UInt64 = 0
    /// Per (target, chain) slot: `unread`, `absent`, or the index of its entry in `chains`
    /// (slots whose chain changed nothing share their target's raw entry).
    var chainIndex: [Int32] = []
    var chains: [ChainEntry] = []
    /// Chain entries by target entry and the steps left once the leading steps known to leave
    /// every value unchanged are dropped (`ChainProgram.remainingKey`): another slot whose chain
    /// comes to the same steps shares the entry instead of running them again (chains that
    /// differ only in decoders the value does not need often end in the same `lowercase`), when
    /// neither chain empties a value as too short for its readers.
    var shares: [Share] = []

    struct Share: Sendable {
        var entry: Int32
        var key: UInt64
        /// The chain slot that computed the entry.
        var slot: Int32
        var index: Int32
    }

    /// The chain entry computed for target entry `entry` with remaining steps `key`, if any.
    func sharedChain(entry: Int32, key: UInt64) -> Share? {
        for share in shares where share.entry == entry && share.key == key { return share }
        return nil
    }
    /// Every summarized value's summary, entry after entry: one table kept across requests
    /// instead of an array per entry.
    var summaries: [ValueSummary] = []
    /// The body's summary and its arguments' names' and values' summaries and memos (in argument
    /// order, with their unions and longest lengths), made in one pass over the body
    /// (`summarizeBodyPieces`, `summarizeForm`) the first time a raw `body`, `body.args` or
    /// `body.arg_names` value is summarized or has its memos seeded.
    var bodyPieces = BodyPieces()

    /// The body and its arguments' names and values, summarized in one pass over it.
    struct BodyPieces: Sendable {
        var ready = false
        var whole = ValueSummary()
        /// The body's length (the whole value's).
        var textLength = 0
        var names = PieceList()
        var values = PieceList()

        /// Records what a pass found for names (group 0) and values (group 1) together, and
        /// marks the pieces ready.
        mutating func finish(_ groups: (LiteralScreen.GroupTotal, LiteralScreen.GroupTotal),
                             longest: (Int, Int), textLength: Int) {
            names.union = groups.0.summary
            names.unchangedByAll = groups.0.unchanged
            names.longest = longest.0
            values.union = groups.1.summary
            values.unchangedByAll = groups.1.unchanged
            values.longest = longest.1
            self.textLength = textLength
            ready = true
        }
    }

    /// Summaries of one kind of piece, as `summarize` hands them on, and their memos, as
    /// `seedMemos` does. A summary's bytes are the value's own only where a filter may read
    /// them (see `LiteralScreen.Tables.summarize(_:pieces:exactBytes:into:groups:)`), else
    /// `ByteSet.all`; the union's are exact.
    struct PieceList: Sendable {
        var summaries: [ValueSummary] = []
        var union = ValueSummary()
        var longest = 0
        var memos: [UInt64] = []
        var unchangedByAll = UInt64.max
    }

    /// Scratch for that pass (kept for its capacity): the stretches of the body it summarizes.
    var pieces: [LiteralScreen.Piece] = []
    /// Every read target's per-value "unchanged by" memos, entry after entry (kept across
    /// requests like `summaries`).
    var memos: [UInt64] = []
    /// Target slots (below `TargetBits.capacity`) already read, and those of them with values.
    var known = TargetBits()
    var present = TargetBits()
    /// Chain slots (below `ChainBits.capacity`) resolved for the screen: absent, or read and
    /// summarized.
    var resolved = ChainBits()
    /// Screen bits of the checks whose literals occur in some value of a resolved slot they
    /// read (each slot adds its `ChainInfo.readers ∩ union.literals` once). A check whose slots
    /// are all resolved and whose bit is not here cannot match any of its values.
    var candidates = LiteralScreen.Hits()

    /// The bits of the plan's `ScreenGroups.fieldNames` that the request's fields have, once
    /// `fieldNamesRead` (found at the first phase that asks; the head is the same in both).
    var fieldNames: UInt64 = 0
    var fieldNamesRead = false

    /// Some body slot may have been read since the last `reset`: a phase that reads the body
    /// ran (`enter`). Until then `forgetBody` has nothing to forget.
    var bodyRead = false

    static let unread: Int32 = -1
    static let absent: Int32 = -2

    /// A target's values and what is known about them.
    struct TargetEntry: Sendable {
        /// The values; empty while pending (`RequestCache.pending`).
        var values: [TargetValue]
        /// The target slot the values are of.
        var slot: Int32
        /// Where this target's per-value memos start in `RequestCache.memos`: bit `ordinal` set
        /// when that transformation is known to leave the raw value unchanged. Valid once
        /// `memosReady` (seeded from the values' bytes when a chain over the target is first read).
        var firstMemo = 0
        var memosReady = false
        /// Bit `ordinal` set when that transformation is known to leave every value unchanged
        /// (the AND of the memos): a chain made only of such steps is decided without a loop.
        var unchangedByAll: UInt64 = 0
        /// The length of the shortest value, once a chain sharing its result needed it; -1 before.
        var shortest = -1
    }

    /// The values of one chain slot (or several: every slot whose chain left the target's values
    /// unchanged shares the raw one) and, once a screening check needs them, their summaries.
    struct ChainEntry: Sendable {
        /// Index of the target's entry in `targets`.
        var target: Int32
        /// The transformed values (unchanged ones are the raw slices, changed ones arrays of their
        /// own); nil: the target's raw values.
        var values: [ArraySlice<UInt8>]?
        /// Where the per-value summaries start in `RequestCache.summaries` (one per value, in
        /// order); valid once `summarized`.
        var firstSummary = 0
        /// All values together: a check none of whose values can match (judged on the union)
        /// skips the slot with one test.
        var union = ValueSummary()
        var longest = 0
        var summarized = false
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

        init(bytes: ByteSet, literals: LiteralScreen.Hits) {
            self.bytes = bytes
            self.literals = literals
        }

        /// The summary of `value` (one `ValueScan` pass for bytes and literals together).
        @inline(__always)
        init(_ value: UnsafeRawBufferPointer, screen: LiteralScreen.Tables?) {
            if let screen {
                self = ValueScan(screen).summary(of: value)
            } else {
                bytes = ByteSet(of: value)
                literals = LiteralScreen.Hits()
            }
        }

        mutating func formUnion(_ other: ValueSummary) {
            bytes.formUnion(other.bytes)
            literals.low |= other.literals.low
            literals.high |= other.literals.high
        }
    }

    /// Makes the cache fit `set`'s plan (a no-op when it already does).
    @inline(__always)
    mutating func prepare(for set: CompiledRuleSet) {
        if owner === set { return }
        reset(for: set)
    }

    /// Empties the cache for a new request on `set`, keeping the capacity of its tables (a cache
    /// recycled through `EvaluationScratch` then costs no allocation for them).
    mutating func reset(for set: CompiledRuleSet) {
        owner = set
        Self.fill(&targetIndex, count: set.plan.targets.count)
        Self.fill(&chainIndex, count: set.plan.chainCount)
        release()
        targets.reserveCapacity(set.plan.targets.count)
        chains.reserveCapacity(min(set.plan.chainCount, 64))
        known = TargetBits()
        present = TargetBits()
        resolved = ChainBits()
        candidates = LiteralScreen.Hits()
        fieldNamesRead = false
        bodyRead = false
    }

    /// Exchanges the tables (and the owner) with `other`, the rest left as it is: a state's empty
    /// cache and the event loop's spare trade their memory with a few word swaps instead of
    /// moving the whole cache (`Inspector.evaluate` resets what it takes; `Inspector.finish`
    /// hands over a released cache).
    mutating func exchangeTables(with other: inout RequestCache) {
        swap(&owner, &other.owner)
        swap(&targetIndex, &other.targetIndex)
        swap(&targets, &other.targets)
        swap(&chainIndex, &other.chainIndex)
        swap(&chains, &other.chains)
        swap(&shares, &other.shares)
        swap(&summaries, &other.summaries)
        // The piece lists' tables only: their unions and lengths are set by the pass that
        // makes them ready (`BodyPieces.finish`), not read before.
        swap(&bodyPieces.names.summaries, &other.bodyPieces.names.summaries)
        swap(&bodyPieces.names.memos, &other.bodyPieces.names.memos)
        swap(&bodyPieces.values.summaries, &other.bodyPieces.values.summaries)
        swap(&bodyPieces.values.memos, &other.bodyPieces.values.memos)
        swap(&pieces, &other.pieces)
        swap(&memos, &other.memos)
    }

    /// Drops what the cache holds for its request (values, transformed values, summaries) but
    /// keeps the tables' capacity.
    mutating func release() {
        Self.clear(&targets)
        pending = 0
        Self.clear(&chains)
        Self.clear(&shares)
        Self.clear(&summaries)
        bodyPieces.ready = false
        Self.clear(&memos)
    }

    /// Empties `table`, keeping its capacity; an empty one is left alone (`removeAll` would
    /// still check its uniqueness: a cache released at the end of one request is reset at the
    /// start of the next).
    @inline(__always)
    private static func clear<T>(_ table: inout [T]) {
        if !table.isEmpty { table.removeAll(keepingCapacity: true) }
    }

    private static func fill(_ table: inout [Int32], count: Int) {
        if table.count == count {
            table.withUnsafeMutableBufferPointer { $0.update(repeating: unread) }
        } else {
            table = Array(repeating: unread, count: count)
        }
    }

    /// Starts `phase` of `set`'s rules: the body phase forgets what an earlier phase read from
    /// the body (it may see a view whose body that phase did not have); the first phase to read
    /// the body finds nothing to forget.
    @inline(__always)
    mutating func enter(_ phase: Phase, of set: CompiledRuleSet) {
        if phase == .requestBody {
            if bodyRead { forgetBody(of: set) }
            bodyRead = true
        } else if set.plan.headerReadsBody {
            bodyRead = true
        }
    }

    /// Forgets what was read from the body: the body phase may see a view whose body the header
    /// phase did not have.
    mutating func forgetBody(of set: CompiledRuleSet) {
        guard owner === set else { return }
        for slot in set.plan.bodyTargets { targetIndex[slot] = Self.unread }
        for slot in set.plan.bodyChains { chainIndex[slot] = Self.unread }
        known.remove(set.plan.bodyTargetBits)
        present.remove(set.plan.bodyTargetBits)
        bodyPieces.ready = false
        // The body slots' bits stay in `candidates`: a stale bit only sends a check to the walk.
        resolved.remove(set.plan.bodyChainBits)
    }
}
