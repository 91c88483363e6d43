/// How much of a request body the engine looks at (`body:` in a rules file), and what a body
/// larger than that means. Bodies are buffered up to the limit before body-phase rules run, so
/// the limit bounds memory per request.
public struct BodyInspection: Sendable, Equatable {
    /// What to do when a body exceeds `inspectLimit`.
    public enum Oversize: String, Sendable, Equatable, CaseIterable {
        /// Treat the oversize body as a match of the rules that look at bodies (safest).
        case match
        /// Treat it as not matching.
        case noMatch = "no_match"
        /// Inspect the first `inspectLimit` bytes and let the rest through unseen.
        case `continue`
    }

    /// Bytes of body inspected. Default: 16 KiB.
    public var inspectLimit: Int
    /// Default: `.match`.
    public var oversize: Oversize

    public init(inspectLimit: Int = 16 * 1024, oversize: Oversize = .match) {
        self.inspectLimit = inspectLimit
        self.oversize = oversize
    }
}
