/// `phrases`: any phrase of a list occurs in the value (Aho-Corasick, see `PhraseMatcher`); the
/// range is the occurrence that ends first.
public struct PhrasesOperator: MatchOperator {
    public let matcher: PhraseMatcher

    public init(_ phrases: [[UInt8]], caseInsensitive: Bool) throws(OperatorError) {
        matcher = try PhraseMatcher(phrases, caseInsensitive: caseInsensitive)
    }

    public init(matcher: PhraseMatcher) {
        self.matcher = matcher
    }

    public func evaluate(_ value: UnsafeRawBufferPointer, scratch: inout EvaluationScratch) -> OperatorResult {
        matcher.firstMatch(in: value).map { .match($0) } ?? .noMatch
    }

    public var summary: String {
        "phrases (\(matcher.phraseCount))\(SummaryText.caseSuffix(matcher.caseInsensitive))"
    }
}
