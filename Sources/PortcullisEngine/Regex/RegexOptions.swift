import CPCRE2

/// Compile-time flags for a `Regex`.
///
/// Only flags a rule author may ask for appear here; byte semantics (no UTF) are always on and
/// cannot be switched off from a pattern, see `Regex`.
public struct RegexOptions: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Case-insensitive for ASCII letters (byte semantics: bytes ≥ 0x80 are never folded).
    public static let caseless = RegexOptions(rawValue: PCRE2_CASELESS)
    /// `^` and `$` also match at line breaks inside the subject.
    public static let multiline = RegexOptions(rawValue: PCRE2_MULTILINE)
    /// `.` also matches a newline.
    public static let dotAll = RegexOptions(rawValue: PCRE2_DOTALL)
    /// Whitespace and `#` comments in the pattern are ignored.
    public static let extended = RegexOptions(rawValue: PCRE2_EXTENDED)
}

/// What one match attempt found. Evaluation never throws: a pattern that runs out of budget
/// reports `.limitHit`, and the engine decides what that means (counted, logged, configured outcome).
public enum RegexMatchResult: Equatable, Sendable {
    /// The leftmost match, as byte offsets into the subject.
    case match(Range<Int>)
    case noMatch
    /// The match limit, depth limit or JIT stack ran out before PCRE2 could decide.
    case limitHit
}
