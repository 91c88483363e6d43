import CPCRE2

/// Budgets for one match attempt; they bound the CPU a hostile subject can make a pattern burn.
public struct MatchLimits: Sendable, Hashable {
    /// Upper bound on PCRE2's internal match() calls (backtracking steps). Default: 100,000 —
    /// PCRE2's own default of 10,000,000 lets one request spend seconds in one pattern.
    public var matchLimit: UInt32
    /// Upper bound on backtracking depth for the interpreter. The JIT ignores it; its bound is
    /// `jitStackBytes`. Default: 10,000.
    public var depthLimit: UInt32
    /// Largest JIT stack a match may grow to. Default: 1 MiB.
    public var jitStackBytes: Int

    public init(matchLimit: UInt32 = 100_000, depthLimit: UInt32 = 10_000, jitStackBytes: Int = 1 << 20) {
        self.matchLimit = matchLimit
        self.depthLimit = depthLimit
        self.jitStackBytes = jitStackBytes
    }

    public static let `default` = MatchLimits()
}

/// Per-event-loop working memory for matching: PCRE2 match data, a match context holding the
/// limits, and a JIT stack.
///
/// A compiled `Regex` is shared by every loop; this is not. One scratch belongs to one loop (it is
/// neither `Sendable` nor copyable), so matching allocates nothing and takes no lock.
public struct MatchScratch: ~Copyable {
    let matchData: OpaquePointer
    let context: OpaquePointer
    let jitStack: OpaquePointer?
    /// The limits this scratch enforces.
    public let limits: MatchLimits

    public init(limits: MatchLimits = .default) {
        // One ovector pair: callers need the overall match only. Allocation failure here means
        // the process is out of memory; there is nothing sensible to continue with.
        guard let data = pcre2_match_data_create_8(1, nil) else { fatalError("pcre2_match_data_create failed") }
        guard let context = pcre2_match_context_create_8(nil) else { fatalError("pcre2_match_context_create failed") }
        pcre2_set_match_limit_8(context, limits.matchLimit)
        pcre2_set_depth_limit_8(context, limits.depthLimit)
        let startBytes = min(32 * 1024, limits.jitStackBytes)
        let stack = pcre2_jit_stack_create_8(startBytes, max(startBytes, limits.jitStackBytes), nil)
        if let stack {
            pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(stack))
        }
        self.matchData = data
        self.context = context
        self.jitStack = stack
        self.limits = limits
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_match_context_free_8(context)
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
    }
}

@available(*, unavailable, message: "a MatchScratch belongs to one event loop")
extension MatchScratch: Sendable {}
