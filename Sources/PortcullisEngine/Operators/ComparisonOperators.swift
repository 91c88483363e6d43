extension Comparison {
    /// The operator as written in summaries: `==`, `!=`, `>`, `>=`, `<`, `<=`.
    public var symbol: String {
        switch self {
        case .eq: return "=="
        case .ne: return "!="
        case .gt: return ">"
        case .ge: return ">="
        case .lt: return "<"
        case .le: return "<="
        }
    }

    /// `lhs <op> rhs`.
    @inline(__always)
    public func holds<T: Comparable>(_ lhs: T, _ rhs: T) -> Bool {
        switch self {
        case .eq: return lhs == rhs
        case .ne: return lhs != rhs
        case .gt: return lhs > rhs
        case .ge: return lhs >= rhs
        case .lt: return lhs < rhs
        case .le: return lhs <= rhs
        }
    }
}

/// `size`: compares the value's length in bytes (after transformations) with a bound.
public struct SizeOperator: MatchOperator {
    public let comparison: Comparison
    public let bound: Int

    public init(_ comparison: Comparison, _ bound: Int) {
        self.comparison = comparison
        self.bound = bound
    }

    public func evaluate(_ value: UnsafeRawBufferPointer, scratch: inout EvaluationScratch) -> OperatorResult {
        comparison.holds(value.count, bound) ? .match(0..<value.count) : .noMatch
    }

    public var summary: String { "size \(comparison.symbol) \(bound)" }
}

/// `number`: parses the value as a decimal number — optional `+`/`-`, digits, optional `.`
/// fraction (`12`, `-3.5`, `.5`, `7.`) — and compares it with a bound. Anything else (empty,
/// whitespace, exponents, hex, `inf`, `nan`) is not a number and never matches, whatever the
/// comparison: `number != 5` does not match `abc`.
public struct NumberOperator: MatchOperator {
    public let comparison: Comparison
    public let bound: Double

    /// Throws for a bound that is not finite (NaN compares false with everything).
    public init(_ comparison: Comparison, _ bound: Double) throws(OperatorError) {
        guard bound.isFinite else { throw OperatorError(message: "number: bound must be a finite number") }
        self.comparison = comparison
        self.bound = bound
    }

    public func evaluate(_ value: UnsafeRawBufferPointer, scratch: inout EvaluationScratch) -> OperatorResult {
        guard let number = NumberOperator.parse(value) else { return .noMatch }
        return comparison.holds(number, bound) ? .match(0..<value.count) : .noMatch
    }

    public var summary: String { "number \(comparison.symbol) \(NumberOperator.format(bound))" }

    /// The value as a decimal number, or nil when it is not one (see the type's grammar).
    public static func parse(_ value: UnsafeRawBufferPointer) -> Double? {
        let n = value.count
        var i = 0
        if i < n && (value[i] == UInt8(ascii: "+") || value[i] == UInt8(ascii: "-")) { i += 1 }
        let negative = n > 0 && value[0] == UInt8(ascii: "-")
        // Exact fast path: up to 15 significant digits fit a Double exactly, and dividing by an
        // exact power of ten ≤ 10^22 rounds once — correctly rounded, no allocation.
        var mantissa: UInt64 = 0
        var digits = 0
        var intDigits = 0
        var fracDigits = 0
        while i < n, value[i] &- 0x30 < 10 {
            mantissa = mantissa &* 10 &+ UInt64(value[i] &- 0x30)
            intDigits += 1
            i += 1
        }
        if i < n && value[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, value[i] &- 0x30 < 10 {
                mantissa = mantissa &* 10 &+ UInt64(value[i] &- 0x30)
                fracDigits += 1
                i += 1
            }
        }
        digits = intDigits + fracDigits
        guard i == n, digits > 0 else { return nil }
        if digits <= 15 {
            let magnitude = Double(mantissa) / powersOfTen[fracDigits]
            return negative ? -magnitude : magnitude
        }
        // Long numbers: let the standard library round them (strtod underneath).
        return Double(String(decoding: value, as: UTF8.self))
    }

    private static let powersOfTen: [Double] = (0...15).map { p in
        var x = 1.0
        for _ in 0..<p { x *= 10 }
        return x
    }

    static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }
}
