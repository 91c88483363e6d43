/// A rule's identifier as written in its file (`id: 1001`).
public struct RuleID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var value: Int
    public init(_ value: Int) { self.value = value }
    public static func < (a: RuleID, b: RuleID) -> Bool { a.value < b.value }
    public var description: String { String(value) }
}

/// A label a matching rule attaches to the request (`labels: [attack:sqli]`), and that later
/// rules can test with a `label` check.
public struct Label: Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public init(_ text: String) { self.text = text }
    public var description: String { text }
}

/// When a rule runs. Header rules decide before any body byte is read; body rules see the body
/// buffered up to the inspect limit.
public enum Phase: Int, Sendable, Hashable, Comparable, CaseIterable {
    case requestHeaders = 1
    case requestBody = 2

    public static func < (a: Phase, b: Phase) -> Bool { a.rawValue < b.rawValue }
}

/// The response sent for a blocked request.
public struct BlockResponse: Sendable, Equatable {
    /// Default: 403.
    public var status: Int
    /// Default: a short text naming the rule id.
    public var body: [UInt8]?
    public var headers: [Header]

    public struct Header: Sendable, Equatable {
        public var name: [UInt8]
        public var value: [UInt8]
        public init(name: [UInt8], value: [UInt8]) {
            self.name = name
            self.value = value
        }
    }

    public init(status: Int = 403, body: [UInt8]? = nil, headers: [Header] = []) {
        self.status = status
        self.body = body
        self.headers = headers
    }
}

/// What a matching rule does (`action:`).
public enum RuleAction: Sendable, Equatable {
    /// Answer locally and stop; in `mode: detect` recorded as a count instead.
    case block(BlockResponse)
    /// Let the request through and stop evaluating.
    case allow
    /// Record the match and go on.
    case count

    public var name: String {
        switch self {
        case .block: return "block"
        case .allow: return "allow"
        case .count: return "count"
        }
    }

    /// True when a match ends evaluation (allow, or block in `mode: enforce`).
    public func decides(in mode: EnforcementMode) -> Bool {
        switch self {
        case .allow: return true
        case .block: return mode == .enforce
        case .count: return false
        }
    }
}

/// One check: targets (minus exclusions), a transformation chain, an operator, maybe negated.
/// A check matches when the operator matches any value of any target (or, negated, when it
/// matches none).
public struct Check: Sendable {
    public var targets: [TargetSelector]
    public var exclusions: [TargetSelector]
    public var transforms: [Transformation]
    public var op: any MatchOperator
    public var negated: Bool

    public init(targets: [TargetSelector], exclusions: [TargetSelector] = [], transforms: [Transformation] = [],
                op: any MatchOperator, negated: Bool = false) {
        self.targets = targets
        self.exclusions = exclusions
        self.transforms = transforms
        self.op = op
        self.negated = negated
    }

    public var readsBody: Bool { targets.contains { $0.kind.readsBody } }
}

/// How a `label` check matches: one label exactly, or every label under a namespace
/// (`attack:` matches `attack:sqli`).
public enum LabelMatch: Sendable, Hashable {
    case exact(Label)
    case namespace(String)

    public func matches(_ label: Label) -> Bool {
        switch self {
        case .exact(let l): return l == label
        case .namespace(let prefix): return label.text.hasPrefix(prefix)
        }
    }
}

/// A rule's condition: a tree of all / any / not over checks and label tests.
public indirect enum Condition: Sendable {
    case check(Check)
    case all([Condition])
    case any([Condition])
    case not(Condition)
    case label(LabelMatch)

    public var readsBody: Bool {
        switch self {
        case .check(let c): return c.readsBody
        case .all(let cs), .any(let cs): return cs.contains { $0.readsBody }
        case .not(let c): return c.readsBody
        case .label: return false
        }
    }
}

/// A request written in a rule's `examples:` (`GET /search?q=…`, or a full raw request).
public struct RuleExample: Sendable, Equatable {
    public enum Expectation: String, Sendable, Equatable { case block, allow }
    public var expectation: Expectation
    public var request: String
    /// Line of the example in its file, for `portcullis check` reports.
    public var line: Int

    public init(expectation: Expectation, request: String, line: Int) {
        self.expectation = expectation
        self.request = request
        self.line = line
    }
}

/// A compiled rule, immutable and shared by every loop.
public struct CompiledRule: Sendable {
    public var id: RuleID
    public var name: String
    public var description: String
    /// Lower runs first; rules of equal priority keep file order. Default: file order.
    public var priority: Int
    public var phase: Phase
    public var condition: Condition
    public var action: RuleAction
    public var labels: [Label]
    public var examples: [RuleExample]
    /// Where the rule was defined (`file:line`), for reports.
    public var source: String
    /// Set for a rate-limit rule: the condition makes the request a candidate, the limit decides.
    public var rateLimit: CompiledRateLimit?

    public init(id: RuleID, name: String, description: String = "", priority: Int, phase: Phase,
                condition: Condition, action: RuleAction, labels: [Label] = [], examples: [RuleExample] = [],
                source: String, rateLimit: CompiledRateLimit? = nil) {
        self.rateLimit = rateLimit
        self.id = id
        self.name = name
        self.description = description
        self.priority = priority
        self.phase = phase
        self.condition = condition
        self.action = action
        self.labels = labels
        self.examples = examples
        self.source = source
    }
}

/// Whether blocks are enforced (`mode: enforce`, the default) or only recorded as counts
/// (`mode: detect`, for shadow-testing a rule set on live traffic).
public enum EnforcementMode: String, Sendable, Hashable, CaseIterable {
    case enforce
    case detect
}

/// What a regex that hits its match limit counts as (`on_limit:`). Default: match — a request
/// built to exhaust a pattern is itself suspicious.
public enum LimitOutcome: String, Sendable, Hashable, CaseIterable {
    case match
    case noMatch = "no_match"
}
