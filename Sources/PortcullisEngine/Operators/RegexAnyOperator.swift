/// `regex_any`: a list of PCRE2 patterns; the value matches when any pattern does.
///
/// Patterns that mean the same inside a group are joined into one alternation
/// `(?:p1)|(?:p2)|…` and matched in one JIT call — one scan of the value instead of one per
/// pattern. A pattern that could change meaning when joined (back-references or subroutine calls
/// by number, named groups, conditionals, `(*VERB)`s, `\Q` quoting, inline `x` mode comments,
/// callouts) stays a separate regex. The joined form reports the leftmost match of any joined
/// pattern; separate patterns are tried in list order. Either way the range is one real match of
/// one listed pattern.
///
/// Limits: the joined regex shares one match budget, so when it hits the limit the joined
/// patterns are retried one by one with their own budgets — the outcome is what separate
/// patterns would give. `.limitHit` is returned only when no pattern matched and one ran out.
public struct RegexAnyOperator: MatchOperator {
    /// Every pattern compiled alone, in list order (used for patterns not joined, and for the
    /// retry after the joined regex hits its limit).
    public let patterns: [Regex]
    /// The alternation of the joinable patterns, when there are at least two of them.
    public let joined: Regex?
    /// Indices into `patterns` that are covered by `joined`.
    public let joinedIndices: [Int]
    /// Indices into `patterns` tried one by one after `joined`.
    public let separateIndices: [Int]

    /// Compiles each pattern (an error names the entry and carries PCRE2's offset within that
    /// entry), then joins the ones that may be joined. An empty list is an error.
    public init(_ sources: [String], caseInsensitive: Bool) throws(OperatorError) {
        guard !sources.isEmpty else { throw OperatorError(message: "regex_any: empty pattern list") }
        let options: RegexOptions = caseInsensitive ? .caseless : []
        var compiled: [Regex] = []
        compiled.reserveCapacity(sources.count)
        for (index, source) in sources.enumerated() {
            do {
                compiled.append(try Regex(source, options: options))
            } catch {
                throw OperatorError(message: error.message, offset: error.offset, entry: index)
            }
        }
        var joinable = sources.indices.filter { RegexAnyOperator.isJoinable(sources[$0]) }
        var joinedRegex: Regex?
        if joinable.count >= 2 {
            let alternation = joinable.map { "(?:" + sources[$0] + ")" }.joined(separator: "|")
            joinedRegex = try? Regex(alternation, options: options)
        }
        if joinedRegex == nil { joinable = [] }
        let joinedSet = Set(joinable)
        self.patterns = compiled
        self.joined = joinedRegex
        self.joinedIndices = joinable
        self.separateIndices = sources.indices.filter { !joinedSet.contains($0) }
    }

    public func evaluate(_ value: UnsafeRawBufferPointer, scratch: inout EvaluationScratch) -> OperatorResult {
        var limitHit = false
        if let joined {
            switch joined.firstMatch(in: value, scratch: &scratch.regex) {
            case .match(let range): return .match(range)
            case .noMatch: break
            case .limitHit:
                for index in joinedIndices {
                    switch patterns[index].firstMatch(in: value, scratch: &scratch.regex) {
                    case .match(let range): return .match(range)
                    case .noMatch: break
                    case .limitHit: limitHit = true
                    }
                }
            }
        }
        for index in separateIndices {
            switch patterns[index].firstMatch(in: value, scratch: &scratch.regex) {
            case .match(let range): return .match(range)
            case .noMatch: break
            case .limitHit: limitHit = true
            }
        }
        return limitHit ? .limitHit : .noMatch
    }

    public var summary: String {
        let first = patterns.first.map { SummaryText.quoted($0.pattern) } ?? ""
        let more = patterns.count > 1 ? " (+\(patterns.count - 1) more)" : ""
        let caseless = patterns.first?.options.contains(.caseless) ?? false
        return "regex_any \(first)\(more)\(SummaryText.caseSuffix(caseless))"
    }

    /// Conservative check that wrapping `pattern` in `(?:…)` and putting it beside others keeps
    /// its meaning. False positives only cost speed (the pattern stays separate), so anything
    /// unusual — even inside a character class — says no.
    static func isJoinable(_ pattern: String) -> Bool {
        let b = Array(pattern.utf8)
        var i = 0
        while i < b.count {
            switch b[i] {
            case UInt8(ascii: "\\"):
                guard i + 1 < b.count else { return false }
                switch b[i + 1] {
                // \1…\9 back-references, \g \k references, \Q quoting (may swallow our `)`).
                case UInt8(ascii: "1")...UInt8(ascii: "9"), UInt8(ascii: "g"), UInt8(ascii: "k"),
                     UInt8(ascii: "Q"):
                    return false
                default:
                    i += 2
                }
            case UInt8(ascii: "("):
                guard i + 1 < b.count else { return false }
                if b[i + 1] == UInt8(ascii: "*") { return false }   // (*VERB) and start-of-pattern items
                if b[i + 1] == UInt8(ascii: "?") {
                    guard isJoinableGroupStart(b, at: i + 2) else { return false }
                }
                i += 1
            default:
                i += 1
            }
        }
        return true
    }

    /// After `(?`: allowed are non-capturing/atomic/branch-reset groups, lookarounds, comments,
    /// and inline option letters without `x` (extended mode turns `#` into a comment to the end).
    private static func isJoinableGroupStart(_ b: [UInt8], at j: Int) -> Bool {
        guard j < b.count else { return false }
        switch b[j] {
        case UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: ">"),
             UInt8(ascii: "|"), UInt8(ascii: "#"):
            return true
        case UInt8(ascii: "<"):
            guard j + 1 < b.count else { return false }
            return b[j + 1] == UInt8(ascii: "=") || b[j + 1] == UInt8(ascii: "!")
        default:
            var k = j
            while k < b.count {
                switch b[k] {
                case UInt8(ascii: "i"), UInt8(ascii: "m"), UInt8(ascii: "n"), UInt8(ascii: "s"),
                     UInt8(ascii: "J"), UInt8(ascii: "U"), UInt8(ascii: "-"), UInt8(ascii: "^"):
                    k += 1
                case UInt8(ascii: ")"), UInt8(ascii: ":"):
                    return k > j
                default:
                    return false
                }
            }
            return false
        }
    }
}
