/// `phrases`: any phrase of a list occurs in the value (Aho-Corasick, see `PhraseMatcher`); the
/// range is the occurrence that ends first.
public struct PhrasesOperator: MatchOperator {
    public let matcher: PhraseMatcher
    /// The phrases as given (nil when built from a matcher): every match is one of them, so the
    /// engine's literal screen can rule values out before the automaton runs.
    let phrases: [[UInt8]]?

    public init(_ phrases: [[UInt8]], caseInsensitive: Bool) throws(OperatorError) {
        matcher = try PhraseMatcher(phrases, caseInsensitive: caseInsensitive)
        self.phrases = phrases
    }

    public init(matcher: PhraseMatcher) {
        self.matcher = matcher
        self.phrases = nil
    }

    public func evaluate(_ value: UnsafeRawBufferPointer, scratch: inout EvaluationScratch) -> OperatorResult {
        matcher.firstMatch(in: value).map { .match($0) } ?? .noMatch
    }

    public var summary: String {
        "phrases (\(matcher.phraseCount))\(SummaryText.caseSuffix(matcher.caseInsensitive))"
    }
}
