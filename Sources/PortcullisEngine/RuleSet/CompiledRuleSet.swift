/// An immutable, loaded rule set that every event loop reads without locks.
///
/// Each transaction takes the current set at its start; a reload builds a new one off the hot
/// path and swaps one reference. Rules are kept per phase, in evaluation order (priority, then
/// file order).
public final class CompiledRuleSet: Sendable {
    /// `name:` from the file.
    public let name: String
    /// The path the set was loaded from, as given (for logs and the admin endpoint).
    public let sourcePath: String
    /// What happens when no rule decides.
    public let defaultAction: DefaultAction
    /// How request bodies are inspected.
    public let body: BodyInspection
    /// Header-phase rules, then body-phase rules, each in evaluation order.
    public let headerRules: [CompiledRule]
    public let bodyRules: [CompiledRule]
    /// `mode: detect` turns every block into a count.
    public let mode: EnforcementMode
    /// What a regex that hits its match limit counts as.
    public let limitOutcome: LimitOutcome
    /// The files the set was loaded from (the main file and phrase files it names).
    public let sourceFiles: [String]
    /// Settings shared by the rate-limit rules (`rate_limits:`).
    public let rateLimitSettings: RateLimitSettings
    /// The rules laid out for evaluation (slots for the per-request caches).
    let plan: EvaluationPlan

    /// Number of compiled rules.
    public var ruleCount: Int { headerRules.count + bodyRules.count }
    /// True when some rule reads the body, so the proxy must buffer it before forwarding.
    public var inspectsBody: Bool { !bodyRules.isEmpty }
    /// Wall-clock time of the load, as time since the Unix epoch.
    public let loadedAt: Duration
    /// How long reading, parsing and compiling took.
    public let loadDuration: Duration

    /// `rules` in any order; they are sorted by priority (stable) and split by phase here.
    public init(name: String, sourcePath: String, defaultAction: DefaultAction, body: BodyInspection,
                rules: [CompiledRule] = [], mode: EnforcementMode = .enforce, limitOutcome: LimitOutcome = .match,
                sourceFiles: [String] = [], rateLimitSettings: RateLimitSettings = RateLimitSettings(),
                loadedAt: Duration, loadDuration: Duration) {
        self.rateLimitSettings = rateLimitSettings
        self.name = name
        self.sourcePath = sourcePath
        self.defaultAction = defaultAction
        self.body = body
        let ordered = rules.enumerated().sorted { a, b in
            a.element.priority != b.element.priority ? a.element.priority < b.element.priority : a.offset < b.offset
        }.map(\.element)
        self.headerRules = ordered.filter { $0.phase == .requestHeaders }
        self.bodyRules = ordered.filter { $0.phase == .requestBody }
        self.plan = EvaluationPlan(headerRules: headerRules, bodyRules: bodyRules)
        self.mode = mode
        self.limitOutcome = limitOutcome
        self.sourceFiles = sourceFiles.isEmpty ? [sourcePath] : sourceFiles
        self.loadedAt = loadedAt
        self.loadDuration = loadDuration
    }
}
