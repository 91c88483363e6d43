/// What `portcullis check FILE…` does, as a library function the command and the tests share:
/// compile each file (every error, every warning), then run every rule's examples.
public struct RuleSetChecker: Sendable {
    public var loader: RuleSetLoader

    public init(loader: RuleSetLoader = RuleSetLoader()) {
        self.loader = loader
    }

    public func check(paths: [String]) -> CheckReport {
        CheckReport(files: paths.map { check(path: $0) })
    }

    public func check(path: String) -> FileCheckReport {
        report(loader.diagnose(contentsOf: path))
    }

    /// Checks YAML text (tests, tools); `sourcePath` names it.
    public func check(yaml: String, sourcePath: String) -> FileCheckReport {
        report(loader.diagnose(yaml: yaml, sourcePath: sourcePath))
    }

    private func report(_ diagnosis: RuleSetDiagnosis) -> FileCheckReport {
        let results = diagnosis.ruleSet.map(ExampleRunner.run) ?? []
        return FileCheckReport(path: diagnosis.path, errors: diagnosis.errors, warnings: diagnosis.warnings,
                               ruleCount: diagnosis.ruleSet?.ruleCount ?? diagnosis.ruleCount,
                               examples: results)
    }
}

/// The check of one file.
public struct FileCheckReport: Sendable {
    public let path: String
    public let errors: [RuleSetLoadError]
    public let warnings: [RuleSetWarning]
    public let ruleCount: Int
    /// Every example run (none when the file has errors).
    public let examples: [ExampleResult]

    public var failures: [ExampleResult] { examples.filter { !$0.passed } }

    /// No errors and every example held; with `strict`, no warnings either.
    public func passed(strict: Bool = false) -> Bool {
        errors.isEmpty && failures.isEmpty && (!strict || warnings.isEmpty)
    }

    /// One line per failing example:
    /// `file:line: rule 1001 (name): block example not blocked: GET /… (allowed by rule 7 (name))`.
    public var failureLines: [String] {
        failures.map { "\(path):\($0.example.line): rule \($0.ruleID) (\($0.ruleName)): \($0.failureText)" }
    }

    /// `Rules/default.yaml: 24 rules, 61 examples, all held`, `… 2 failed`, or the error count.
    public var summary: String {
        let warningPart = warnings.isEmpty ? "" : "; \(count(warnings.count, "warning"))"
        guard errors.isEmpty else {
            return "\(path): \(count(errors.count, "error"))\(warningPart); examples not run"
        }
        let held = failures.isEmpty ? "all held" : "\(failures.count) failed"
        return "\(path): \(count(ruleCount, "rule")), \(count(examples.count, "example")), \(held)\(warningPart)"
    }

    /// Errors, warnings and failing examples, then the summary; `quiet` leaves out the summary of
    /// a file without problems.
    public func lines(quiet: Bool) -> [String] {
        var lines = errors.map(\.description) + warnings.map(\.description) + failureLines
        if !quiet || !lines.isEmpty { lines.append(summary) }
        return lines
    }

    private func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}

/// The check of several files.
public struct CheckReport: Sendable {
    public let files: [FileCheckReport]

    public func passed(strict: Bool = false) -> Bool { files.allSatisfy { $0.passed(strict: strict) } }

    public func lines(quiet: Bool) -> [String] { files.flatMap { $0.lines(quiet: quiet) } }
}
