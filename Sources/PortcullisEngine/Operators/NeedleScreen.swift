/// What a value's summary (`RequestCache.ValueSummary`) can tell about the string operators
/// (`equals`, `contains`, `starts_with`, `ends_with`, `contains_word`): each matches only a value
/// that contains its needle, so the needle is a required literal for the literal screen, and its
/// length and bytes make a byte prefilter. Both are necessary conditions, never sufficient: the
/// operator still decides every value they let through.
///
/// Case: the screen folds ASCII case, which for a case-sensitive needle only lets more values
/// through; the prefilter takes a needle byte in both cases when the operator folds case.
enum NeedleScreen {
    /// The needle of a string operator (folded when the operator folds case), or nil for other
    /// operators and for `equals ""` (the empty value contains no literal).
    static func needle(of op: any MatchOperator) -> (bytes: [UInt8], caseInsensitive: Bool, anchoredStart: Bool)? {
        let found: (bytes: [UInt8], caseInsensitive: Bool, anchoredStart: Bool)
        if let o = op as? ContainsOperator {
            found = (o.needle, o.caseInsensitive, false)
        } else if let o = op as? StartsWithOperator {
            found = (o.needle, o.caseInsensitive, true)
        } else if let o = op as? EndsWithOperator {
            found = (o.needle, o.caseInsensitive, false)
        } else if let o = op as? EqualsOperator {
            found = (o.needle, o.caseInsensitive, true)
        } else if let o = op as? ContainsWordOperator {
            found = (o.needle, o.caseInsensitive, false)
        } else {
            return nil
        }
        return found.bytes.isEmpty ? nil : found
    }

    /// The literal set for `LiteralScreen` (the needle, folded as the screen folds).
    static func literals(of op: any MatchOperator) -> Set<[UInt8]>? {
        needle(of: op).map { [$0.bytes.map(RequiredLiterals.Parser.fold)] }
    }

    /// A byte prefilter: no match is shorter than the needle, every match contains its least
    /// common byte, and a value `starts_with` or `equals` accepts begins with its first byte.
    static func prefilter(of op: any MatchOperator) -> RegexPrefilter? {
        guard let (needle, caseInsensitive, anchoredStart) = needle(of: op) else { return nil }
        func set(_ b: UInt8) -> ByteSet {
            var s = ByteSet()
            if caseInsensitive { s.insertEitherCase(b) } else { s.insert(b) }
            return s
        }
        let rarest = needle.min { RequiredLiterals.Info.chance($0) < RequiredLiterals.Info.chance($1) }!
        return RegexPrefilter(minLength: needle.count, start: anchoredStart ? set(needle[0]) : nil,
                              required: set(rarest))
    }
}
