/// `regex`: one PCRE2 pattern, JIT-compiled at load, matched with the loop's scratch and limits.
///
/// Byte semantics as `Regex` documents; case-insensitivity is `RegexOptions.caseless` (ASCII only).
/// A hit of the match limit is reported as `.limitHit`, never as a match or a non-match.
public struct RegexOperator: MatchOperator {
    public let regex: Regex

    /// Compiles `pattern`; a compile error keeps PCRE2's message and offset.
    public init(_ pattern: String, caseInsensitive: Bool) throws(OperatorError) {
        do {
            regex = try Regex(pattern, options: caseInsensitive ? .caseless : [])
        } catch {
            throw OperatorError(message: error.message, offset: error.offset)
        }
    }

    public func evaluate(_ value: UnsafeRawBufferPointer, scratch: inout EvaluationScratch) -> OperatorResult {
        OperatorResult(regex.firstMatch(in: value, scratch: &scratch.regex))
    }

    public var summary: String {
        "regex \(SummaryText.quoted(regex.pattern))\(SummaryText.caseSuffix(regex.options.contains(.caseless)))"
    }
}

extension OperatorResult {
    /// The operator form of a regex result (same cases).
    init(_ result: RegexMatchResult) {
        switch result {
        case .match(let range): self = .match(range)
        case .noMatch: self = .noMatch
        case .limitHit: self = .limitHit
        }
    }
}
