/// `ip_in`: the value (a client address as text) is inside one of the CIDR blocks or single
/// addresses. A value that is not an address never matches. See `IPSet` for the address space.
public struct IPInOperator: MatchOperator {
    public let set: IPSet

    public init(_ entries: [String]) throws(OperatorError) {
        set = try IPSet(entries)
    }

    public func evaluate(_ value: UnsafeRawBufferPointer, scratch: inout EvaluationScratch) -> OperatorResult {
        set.contains(text: value) ? .match(0..<value.count) : .noMatch
    }

    public var summary: String {
        "ip_in (\(set.entryCount) \(set.entryCount == 1 ? "block" : "blocks"))"
    }
}
