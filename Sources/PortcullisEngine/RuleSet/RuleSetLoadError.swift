/// A rules file that cannot be loaded, located as `file:line:column: rule ID: message`.
///
/// Load errors are meant for a person editing the file: the location points at the offending
/// node and the message says what is wrong and what was expected there. A reload that fails keeps
/// the old set.
public struct RuleSetLoadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file as given to the loader.
    public let file: String
    /// 1-based line.
    public let line: Int
    /// 1-based column (counted in Unicode scalars, as libyaml does).
    public let column: Int
    /// The rule the error is in; nil for file-level errors (`name:`, `body:` …).
    public let rule: RuleReference?
    /// What is wrong and what was expected (`…; expected …`).
    public let message: String

    public init(file: String, line: Int, column: Int, rule: RuleReference? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.rule = rule
        self.message = message
    }

    /// `file:line:column: rule 1001: message`, the rule part only for errors inside a rule.
    public var description: String {
        let rulePart = rule.map { "rule \($0): " } ?? ""
        return "\(file):\(line):\(column): \(rulePart)\(message)"
    }
}

/// How a report names a rule: its id, or — before the id is known or when it is broken — its
/// position in the `rules:` list.
public enum RuleReference: Sendable, Hashable, CustomStringConvertible {
    case id(RuleID)
    /// 1-based position in the `rules:` list.
    case position(Int)

    public var description: String {
        switch self {
        case .id(let id): return id.description
        case .position(let n): return "#\(n) (no valid id)"
        }
    }
}

/// Something legal but probably wrong in a rules file (a regex prone to catastrophic
/// backtracking, a label no earlier rule attaches). `portcullis check` prints warnings; they fail
/// it only with `--strict`.
public struct RuleSetWarning: Equatable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int
    public let rule: RuleReference?
    public let message: String

    public init(file: String, line: Int, column: Int, rule: RuleReference? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.rule = rule
        self.message = message
    }

    /// `file:line:column: warning: rule 1001: message`.
    public var description: String {
        let rulePart = rule.map { "rule \($0): " } ?? ""
        return "\(file):\(line):\(column): warning: \(rulePart)\(message)"
    }
}
