/// An immutable, loaded rule set that every event loop reads without locks.
///
/// Each transaction takes the current set at its start; a reload builds a new one off the hot
/// path and swaps one reference. For now it carries only the settings of a rules file: rules
/// arrive with the rule engine (issue 4), and the loader refuses files that list any.
public final class CompiledRuleSet: Sendable {
    /// `name:` from the file.
    public let name: String
    /// The path the set was loaded from, as given (for logs and the admin endpoint).
    public let sourcePath: String
    /// What happens when no rule decides.
    public let defaultAction: DefaultAction
    /// How request bodies are inspected.
    public let body: BodyInspection
    /// Number of compiled rules.
    public let ruleCount: Int
    /// Wall-clock time of the load, as time since the Unix epoch.
    public let loadedAt: Duration
    /// How long reading, parsing and compiling took.
    public let loadDuration: Duration

    public init(name: String, sourcePath: String, defaultAction: DefaultAction, body: BodyInspection,
                ruleCount: Int, loadedAt: Duration, loadDuration: Duration) {
        self.name = name
        self.sourcePath = sourcePath
        self.defaultAction = defaultAction
        self.body = body
        self.ruleCount = ruleCount
        self.loadedAt = loadedAt
        self.loadDuration = loadDuration
    }
}
