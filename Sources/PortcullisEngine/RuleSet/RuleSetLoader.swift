import Yams

/// Loads a native YAML rules file (docs/RULES.md) into a `CompiledRuleSet`, refusing anything it
/// does not understand with a located error.
///
/// `load` throws the first error; `diagnose` collects every error it can (it goes on with the
/// next setting or rule after one fails) plus warnings, for `portcullis check`.
public struct RuleSetLoader: Sendable {
    /// Source of the `loadedAt` timestamp; injectable so tests need no real clock.
    public var wallClock: @Sendable () -> Duration
    /// Files the loader reads from memory instead of disk, by path as resolved against the rules
    /// file (the phrase lists of the rules embedded in the binary).
    public var bundledFiles: [String: [UInt8]] = [:]

    /// `wallClock` defaults to the system's real-time clock.
    public init(wallClock: (@Sendable () -> Duration)? = nil) {
        self.wallClock = wallClock ?? { systemWallClock() }
    }

    /// Reads and loads the file at `path`.
    public func load(contentsOf path: String) throws(RuleSetLoadError) -> CompiledRuleSet {
        try diagnose(contentsOf: path).get()
    }

    /// Loads rules from YAML text; `sourcePath` names it in errors and in the result, and phrase
    /// files are resolved relative to its directory.
    public func load(yaml: String, sourcePath: String) throws(RuleSetLoadError) -> CompiledRuleSet {
        try diagnose(yaml: yaml, sourcePath: sourcePath).get()
    }

    /// Reads and compiles the file at `path`, collecting every error and warning.
    public func diagnose(contentsOf path: String) -> RuleSetDiagnosis {
        let bytes: [UInt8]
        switch FileBytes.read(path) {
        case .success(let read): bytes = read
        case .failure(let failure):
            return RuleSetDiagnosis(path: path, errors: [RuleSetLoadError(file: path, line: 1, column: 1,
                message: "cannot read rules file: \(failure.message); expected a readable YAML file")])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return RuleSetDiagnosis(path: path, errors: [RuleSetLoadError(file: path, line: 1, column: 1,
                message: "rules file is not valid UTF-8; expected UTF-8 YAML text")])
        }
        return diagnose(yaml: text, sourcePath: path)
    }

    /// Compiles YAML text, collecting every error and warning.
    public func diagnose(yaml: String, sourcePath: String) -> RuleSetDiagnosis {
        let started = ContinuousClock.now
        let file = LocatedErrors(file: sourcePath, text: yaml)
        let root: Node
        do {
            guard let composed = try Yams.compose(yaml: yaml) else {
                return RuleSetDiagnosis(path: sourcePath, errors: [file.error(at: nil,
                    "empty rules file; expected a mapping with keys \(TopKey.list)")])
            }
            root = composed
        } catch {
            return RuleSetDiagnosis(path: sourcePath, errors: [file.yamlError(error)])
        }
        var errors: [RuleSetLoadError] = []
        let fields = RuleSetFields(root: root, file: file, errors: &errors)
        var compiler = RuleCompiler(file: file, sourcePath: sourcePath, bundledFiles: bundledFiles)
        var rules: [CompiledRule] = []
        var ruleCount = 0
        if let list = fields.rules {
            for (index, node) in list.enumerated() {
                ruleCount += 1
                do {
                    rules.append(try compiler.compile(node, index: index))
                } catch {
                    errors.append(error)
                }
            }
        }
        var warnings = compiler.warnings
        warnings.append(contentsOf: Self.labelWarnings(rules, file: file))
        guard errors.isEmpty else {
            return RuleSetDiagnosis(path: sourcePath, errors: errors, warnings: warnings, ruleCount: ruleCount)
        }
        let set = CompiledRuleSet(name: fields.name, sourcePath: sourcePath, defaultAction: fields.defaultAction,
                                  body: fields.body, rules: rules, mode: fields.mode,
                                  limitOutcome: fields.limitOutcome,
                                  sourceFiles: [sourcePath] + compiler.phraseFiles,
                                  rateLimitSettings: fields.rateLimits,
                                  loadedAt: wallClock(), loadDuration: ContinuousClock.now - started)
        return RuleSetDiagnosis(path: sourcePath, ruleSet: set, warnings: warnings, ruleCount: ruleCount)
    }

    /// A `label` condition that no rule evaluated before it can satisfy never matches: warn.
    static func labelWarnings(_ rules: [CompiledRule], file: LocatedErrors) -> [RuleSetWarning] {
        let ordered = rules.enumerated().sorted { a, b in
            (a.element.phase, a.element.priority, a.offset) < (b.element.phase, b.element.priority, b.offset)
        }.map(\.element)
        var attached: [Label] = []
        var warnings: [RuleSetWarning] = []
        for rule in ordered {
            for match in rule.condition.labelMatches where !attached.contains(where: match.matches) {
                let text: String
                switch match {
                case .exact(let label): text = label.text
                case .namespace(let prefix): text = prefix
                }
                let line = Int(rule.source.split(separator: ":").last ?? "") ?? 1
                warnings.append(RuleSetWarning(file: file.file, line: line, column: 1, rule: .id(rule.id),
                    message: "label condition '\(text)' can never match: no rule that runs before this one "
                        + "attaches it; expected a label set by an earlier rule (lower priority, or the header "
                        + "phase for a body-phase rule)"))
            }
            attached.append(contentsOf: rule.labels)
        }
        return warnings
    }
}

/// Everything `RuleSetLoader.diagnose` found in one file: the compiled set when there were no
/// errors, else every error it could find; warnings either way.
public struct RuleSetDiagnosis: Sendable {
    /// The file as given.
    public let path: String
    /// The set; nil when there are errors.
    public let ruleSet: CompiledRuleSet?
    /// In file order per setting and rule; the first is what `load` throws.
    public let errors: [RuleSetLoadError]
    public let warnings: [RuleSetWarning]
    /// Entries of `rules:`, compiled or not.
    public let ruleCount: Int

    public init(path: String, ruleSet: CompiledRuleSet? = nil, errors: [RuleSetLoadError] = [],
                warnings: [RuleSetWarning] = [], ruleCount: Int = 0) {
        self.path = path
        self.ruleSet = ruleSet
        self.errors = errors
        self.warnings = warnings
        self.ruleCount = ruleCount
    }

    /// The set, or the first error.
    public func get() throws(RuleSetLoadError) -> CompiledRuleSet {
        if let first = errors.first { throw first }
        guard let ruleSet else {
            throw RuleSetLoadError(file: path, line: 1, column: 1, message: "rules file did not compile")
        }
        return ruleSet
    }
}

extension Condition {
    /// Every `label` test in the tree.
    var labelMatches: [LabelMatch] {
        switch self {
        case .check: return []
        case .label(let m): return [m]
        case .all(let parts), .any(let parts): return parts.flatMap(\.labelMatches)
        case .not(let inner): return inner.labelMatches
        }
    }
}
