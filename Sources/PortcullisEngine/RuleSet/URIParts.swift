/// The raw `uri` is the raw `path`, then `?` and the raw `query` when the request target has a
/// `?` (`RequestView`: the path is the target before its first `?`, the query what follows it).
/// A literal found in the uri lies wholly in the path, wholly in the query, or across the `?`,
/// and then it holds `?` and lies within its longest such literal's reach of it. So the uri's
/// summary is, exactly, the union of the path's and the query's, the `?` byte and the literal
/// hits of that short stretch around the `?` (none when no literal holds `?`): the uri's bytes
/// are not scanned a second time (on `make bench`'s `args` request, 106 bytes).
///
/// The plan keeps one when it reads all three targets (unnamed).
struct URIParts: Sendable {
    /// The `uri` target slot.
    var uri: Int32
    /// The target slots of `path` and `query`, and their raw chain slots.
    var path: Int32
    var query: Int32
    var pathRaw: Int32
    var queryRaw: Int32
    /// Where `path` and `query` are among the plan's screen targets (`PlanPointers.screenTargets`)
    /// in the header and the body phase; -1 where they are not. A part's raw values are summarized
    /// for the uri only where a screened chain over it leaves them unchanged: the phase reading
    /// it then needs that summary anyway.
    var pathScreens: (Int32, Int32) = (-1, -1)
    var queryScreens: (Int32, Int32) = (-1, -1)
    /// The memo bits every screened chain over `query` has (all bits when there is none): a
    /// memo lacking one leaves no such chain unchanged.
    var queryCommon = UInt64.max

    /// The length of the longest screen literal holding `?`; 0 when none does.
    var reach: Int

    static let questionMark: UInt8 = 0x3F

    /// Nil when the plan lacks `uri`, `path` or `query`.
    init?(targets: [TargetSelector], rawChains: [Int32], screenLiterals: [Set<[UInt8]>]) {
        func slot(_ kind: TargetKind) -> Int? { targets.firstIndex(of: TargetSelector(kind: kind)) }
        guard let uri = slot(.uri), let path = slot(.path), let query = slot(.query) else { return nil }
        self.uri = Int32(uri)
        self.path = Int32(path)
        self.query = Int32(query)
        pathRaw = rawChains[path]
        queryRaw = rawChains[query]
        reach = screenLiterals.lazy.flatMap { $0 }.filter { $0.contains(Self.questionMark) }.map(\.count).max() ?? 0
    }

    /// Notes where the parts are among the screen targets of the header phase (`header`) and
    /// the body phase (`body`).
    mutating func place(in screenTargets: [ScreenTarget], chains screenChains: [ScreenChain], header: Range<Int>,
                        body: Range<Int>) {
        func index(_ slot: Int32, _ range: Range<Int>) -> Int32 {
            Int32(range.first { screenTargets[$0].target == slot } ?? -1)
        }
        pathScreens = (index(path, header), index(path, body))
        queryScreens = (index(query, header), index(query, body))
        for screen in [queryScreens.0, queryScreens.1] where screen >= 0 {
            let target = screenTargets[Int(screen)]
            for c in Int(target.firstChain)..<Int(target.endChain) { queryCommon &= screenChains[c].mask }
        }
    }

    /// Where in a uri of `length` bytes with its `?` at `mark` a literal holding `?` that reaches
    /// across it must lie; nil when no literal holds `?`.
    func window(around mark: Int, length: Int) -> Range<Int>? {
        guard reach > 0 else { return nil }
        return max(0, mark - reach + 1)..<min(length, mark + reach)
    }

    /// The summary of a uri of `uriLength` bytes whose path and query have the summaries `path`
    /// (of `pathLength` bytes) and `query` (of `queryLength`), and whose `window` (around its
    /// `?`) has the literal hits `across`; nil when the lengths show the values are not its parts.
    static func summary(uriLength: Int, path: RequestCache.ValueSummary, pathLength: Int,
                        query: RequestCache.ValueSummary, queryLength: Int,
                        across: LiteralScreen.Hits) -> RequestCache.ValueSummary? {
        // No `?`: the path is the whole uri.
        if uriLength == pathLength { return path }
        guard uriLength == pathLength + 1 + queryLength else { return nil }
        var summary = path
        summary.formUnion(query)
        summary.bytes.insert(questionMark)
        summary.literals.low |= across.low
        summary.literals.high |= across.high
        return summary
    }
}
