import PortcullisHTTP

/// Limits on what the engine extracts from a request, so a hostile request cannot make
/// extraction itself expensive.
public struct ExtractionLimits: Sendable, Equatable {
    /// Most arguments taken from the query or a body (the rest are ignored and `tooManyArguments`
    /// is set). Default: 1,000.
    public var maxArguments = 1000
    /// Deepest JSON nesting followed; deeper input sets `malformedBody`. Default: 64.
    public var maxJSONDepth = 64
    /// Most multipart parts read. Default: 100.
    public var maxMultipartParts = 100

    public init() {}
}

/// A request as the engine sees it: the parsed head, the client address, and the body bytes
/// buffered for inspection. Values for each target are extracted on first use and cached, so
/// targets no rule reads cost nothing.
///
/// Argument parsing matches what a typical upstream sees: `&`-separated pairs, `+` as space,
/// percent-decoding of names and values, repeated names kept in order, a pair without `=` is a
/// name with an empty value.
public final class RequestView {
    public let head: RequestHead
    /// The client's numeric address, e.g. `203.0.113.9` or `2001:db8::1`.
    public let clientAddress: [UInt8]
    /// The buffered body (at most the inspect limit), empty if none.
    public let body: [UInt8]
    /// True when the body was larger than what was buffered.
    public let bodyTruncated: Bool
    public let limits: ExtractionLimits

    public init(head: RequestHead, clientAddress: [UInt8], body: [UInt8] = [], bodyTruncated: Bool = false,
                limits: ExtractionLimits = ExtractionLimits()) {
        self.head = head
        self.clientAddress = clientAddress
        self.body = body
        self.bodyTruncated = bodyTruncated
        self.limits = limits
    }

    /// Every value of `selector` in request order.
    public func values(for selector: TargetSelector) -> [TargetValue] {
        fatalError("unimplemented")
    }

    /// The body could not be parsed as its Content-Type says (bad JSON, bad multipart).
    public var malformedBody: Bool { fatalError("unimplemented") }

    /// More arguments than `limits.maxArguments` were present.
    public var tooManyArguments: Bool { fatalError("unimplemented") }
}
