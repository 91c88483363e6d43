/// `equals`: the whole value is the given bytes (ASCII case folded when case-insensitive).
///
/// An empty needle is allowed here: `equals ""` is how a rule asks for an empty value.
public struct EqualsOperator: MatchOperator {
    /// The bytes compared against; already folded when `caseInsensitive`.
    public let needle: [UInt8]
    public let caseInsensitive: Bool
    private let original: [UInt8]

    public init(_ bytes: [UInt8], caseInsensitive: Bool) {
        self.original = bytes
        self.needle = caseInsensitive ? ByteSearch.folded(bytes) : bytes
        self.caseInsensitive = caseInsensitive
    }

    public func evaluate(_ value: UnsafeRawBufferPointer, scratch: inout EvaluationScratch) -> OperatorResult {
        guard value.count == needle.count else { return .noMatch }
        let same = needle.withUnsafeBytes { n in
            caseInsensitive ? ByteSearch.equalFolded(n, value, at: 0) : ByteSearch.equalExact(n, value, at: 0)
        }
        return same ? .match(0..<value.count) : .noMatch
    }

    public var summary: String { "equals \(SummaryText.quoted(original))\(SummaryText.caseSuffix(caseInsensitive))" }
}

/// `contains`: the bytes occur anywhere in the value; the range is the first occurrence.
public struct ContainsOperator: MatchOperator {
    public let needle: [UInt8]
    public let caseInsensitive: Bool
    private let original: [UInt8]

    /// Throws for an empty needle: it would match every value, which is never what a rule means.
    public init(_ bytes: [UInt8], caseInsensitive: Bool) throws(OperatorError) {
        guard !bytes.isEmpty else { throw OperatorError(message: "contains: empty string matches every value") }
        self.original = bytes
        self.needle = caseInsensitive ? ByteSearch.folded(bytes) : bytes
        self.caseInsensitive = caseInsensitive
    }

    public func evaluate(_ value: UnsafeRawBufferPointer, scratch: inout EvaluationScratch) -> OperatorResult {
        let at = needle.withUnsafeBytes { n in
            caseInsensitive ? ByteSearch.findFolded(n, in: value) : ByteSearch.find(n, in: value)
        }
        guard let at else { return .noMatch }
        return .match(at..<(at + needle.count))
    }

    public var summary: String { "contains \(SummaryText.quoted(original))\(SummaryText.caseSuffix(caseInsensitive))" }
}

/// `starts_with`: the value begins with the bytes.
public struct StartsWithOperator: MatchOperator {
    public let needle: [UInt8]
    public let caseInsensitive: Bool
    private let original: [UInt8]

    /// Throws for an empty needle (it would match every value).
    public init(_ bytes: [UInt8], caseInsensitive: Bool) throws(OperatorError) {
        guard !bytes.isEmpty else { throw OperatorError(message: "starts_with: empty string matches every value") }
        self.original = bytes
        self.needle = caseInsensitive ? ByteSearch.folded(bytes) : bytes
        self.caseInsensitive = caseInsensitive
    }

    public func evaluate(_ value: UnsafeRawBufferPointer, scratch: inout EvaluationScratch) -> OperatorResult {
        guard value.count >= needle.count else { return .noMatch }
        let same = needle.withUnsafeBytes { n in
            caseInsensitive ? ByteSearch.equalFolded(n, value, at: 0) : ByteSearch.equalExact(n, value, at: 0)
        }
        return same ? .match(0..<needle.count) : .noMatch
    }

    public var summary: String { "starts_with \(SummaryText.quoted(original))\(SummaryText.caseSuffix(caseInsensitive))" }
}

/// `ends_with`: the value ends with the bytes.
public struct EndsWithOperator: MatchOperator {
    public let needle: [UInt8]
    public let caseInsensitive: Bool
    private let original: [UInt8]

    /// Throws for an empty needle (it would match every value).
    public init(_ bytes: [UInt8], caseInsensitive: Bool) throws(OperatorError) {
        guard !bytes.isEmpty else { throw OperatorError(message: "ends_with: empty string matches every value") }
        self.original = bytes
        self.needle = caseInsensitive ? ByteSearch.folded(bytes) : bytes
        self.caseInsensitive = caseInsensitive
    }

    public func evaluate(_ value: UnsafeRawBufferPointer, scratch: inout EvaluationScratch) -> OperatorResult {
        guard value.count >= needle.count else { return .noMatch }
        let start = value.count - needle.count
        let same = needle.withUnsafeBytes { n in
            caseInsensitive ? ByteSearch.equalFolded(n, value, at: start) : ByteSearch.equalExact(n, value, at: start)
        }
        return same ? .match(start..<value.count) : .noMatch
    }

    public var summary: String { "ends_with \(SummaryText.quoted(original))\(SummaryText.caseSuffix(caseInsensitive))" }
}

/// `contains_word`: an occurrence of the bytes preceded and followed by a non-word byte (not
/// `[A-Za-z0-9_]`) or the value's ends — ModSecurity's `@containsWord`. The range is the first
/// such occurrence; occurrences inside longer words are skipped, so `cat` is found in `concat cat`
/// at the second one.
public struct ContainsWordOperator: MatchOperator {
    public let needle: [UInt8]
    public let caseInsensitive: Bool
    private let original: [UInt8]

    /// Throws for an empty needle. (ModSecurity matches every value then; a rule never means that.)
    public init(_ bytes: [UInt8], caseInsensitive: Bool) throws(OperatorError) {
        guard !bytes.isEmpty else { throw OperatorError(message: "contains_word: empty word matches every value") }
        self.original = bytes
        self.needle = caseInsensitive ? ByteSearch.folded(bytes) : bytes
        self.caseInsensitive = caseInsensitive
    }

    public func evaluate(_ value: UnsafeRawBufferPointer, scratch: inout EvaluationScratch) -> OperatorResult {
        needle.withUnsafeBytes { n in
            var from = 0
            while true {
                let found = caseInsensitive ? ByteSearch.findFolded(n, in: value, from: from)
                                            : ByteSearch.find(n, in: value, from: from)
                guard let at = found else { return .noMatch }
                let end = at + n.count
                let before = at == 0 || !ByteSearch.isWordByte(value[at - 1])
                let after = end == value.count || !ByteSearch.isWordByte(value[end])
                if before && after { return .match(at..<end) }
                from = at + 1
            }
        }
    }

    public var summary: String { "contains_word \(SummaryText.quoted(original))\(SummaryText.caseSuffix(caseInsensitive))" }
}
