/// Working memory for one event loop's evaluations (regex match data, scratch buffers). Not
/// `Sendable` and not copyable: one per loop, passed `inout`.
public struct EvaluationScratch: ~Copyable {
    public var regex: MatchScratch
    /// While `hasSpareCache`: a finished request's cache, kept so the next request reuses its
    /// tables' memory (`Inspector.finish`). Otherwise an empty cache that the next finished
    /// request's state takes in exchange: caches are swapped, not made and dropped per request.
    var spareCache = RequestCache()
    var hasSpareCache = false

    public init(limits: MatchLimits = .default) {
        regex = MatchScratch(limits: limits)
    }
}

/// What an operator found in one value.
public enum OperatorResult: Sendable, Equatable {
    /// Matched; the range of the value that matched (for logs and `explain`).
    case match(Range<Int>)
    case noMatch
    /// A regex hit its match or depth limit: counted and logged; the rule set decides the outcome.
    case limitHit
}

/// A compiled operator (`regex`, `contains`, `phrases`, `ip_in` …). Built once at load time by
/// `OperatorFactory`; evaluation never throws.
public protocol MatchOperator: Sendable {
    func evaluate(_ value: UnsafeRawBufferPointer, scratch: inout EvaluationScratch) -> OperatorResult
    /// A short description for `explain` and error messages, e.g. `contains "select"`.
    var summary: String { get }
}

/// Comparisons of `size` (the value's length in bytes) and `number` (the value parsed as a
/// decimal number).
public enum Comparison: String, Sendable, Hashable, CaseIterable {
    case eq, ne, gt, ge, lt, le
}

/// Everything needed to build an operator, as the loaders read it. Front ends (YAML, later
/// SecLang and AWS WAF JSON) produce specs; `OperatorFactory.make` compiles them.
public enum OperatorSpec: Sendable, Equatable {
    case regex(String, caseInsensitive: Bool)
    case regexAny([String], caseInsensitive: Bool)
    case equals([UInt8], caseInsensitive: Bool)
    case contains([UInt8], caseInsensitive: Bool)
    case startsWith([UInt8], caseInsensitive: Bool)
    case endsWith([UInt8], caseInsensitive: Bool)
    /// The word bounded by non-word characters (or the ends), as ModSecurity's @containsWord.
    case containsWord([UInt8], caseInsensitive: Bool)
    /// Any of the phrases (Aho-Corasick).
    case phrases([[UInt8]], caseInsensitive: Bool)
    /// The value is an IPv4/IPv6 address inside one of the CIDR blocks (or single addresses).
    case ipIn([String])
    case size(Comparison, Int)
    case number(Comparison, Double)
}

/// Why an operator spec could not be compiled (bad regex, bad CIDR …). The loader adds the
/// location.
public struct OperatorError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// Offset within the offending pattern or entry, when known (PCRE2's error offset).
    public var offset: Int?
    /// Index of the offending entry for list specs (regex_any, ip_in).
    public var entry: Int?

    public init(message: String, offset: Int? = nil, entry: Int? = nil) {
        self.message = message
        self.offset = offset
        self.entry = entry
    }

    public var description: String { message }
}

/// Builds operators from specs.
public enum OperatorFactory {
    public static func make(_ spec: OperatorSpec) throws(OperatorError) -> any MatchOperator {
        switch spec {
        case .regex(let pattern, let caseInsensitive):
            return try RegexOperator(pattern, caseInsensitive: caseInsensitive)
        case .regexAny(let patterns, let caseInsensitive):
            return try RegexAnyOperator(patterns, caseInsensitive: caseInsensitive)
        case .equals(let bytes, let caseInsensitive):
            return EqualsOperator(bytes, caseInsensitive: caseInsensitive)
        case .contains(let bytes, let caseInsensitive):
            return try ContainsOperator(bytes, caseInsensitive: caseInsensitive)
        case .startsWith(let bytes, let caseInsensitive):
            return try StartsWithOperator(bytes, caseInsensitive: caseInsensitive)
        case .endsWith(let bytes, let caseInsensitive):
            return try EndsWithOperator(bytes, caseInsensitive: caseInsensitive)
        case .containsWord(let bytes, let caseInsensitive):
            return try ContainsWordOperator(bytes, caseInsensitive: caseInsensitive)
        case .phrases(let phrases, let caseInsensitive):
            return try PhrasesOperator(phrases, caseInsensitive: caseInsensitive)
        case .ipIn(let entries):
            return try IPInOperator(entries)
        case .size(let comparison, let bound):
            return SizeOperator(comparison, bound)
        case .number(let comparison, let bound):
            return try NumberOperator(comparison, bound)
        }
    }
}
