/// Why a pattern did not compile, as PCRE2 put it.
///
/// Rule loaders turn this into a located load error (`file:line:column` plus the offset inside the
/// pattern), so the message and the offset are kept exactly as PCRE2 reported them.
public struct RegexError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The pattern that failed to compile.
    public let pattern: String
    /// PCRE2's own message, e.g. "missing closing parenthesis".
    public let message: String
    /// Byte offset into the pattern where PCRE2 stopped.
    public let offset: Int
    /// PCRE2's numeric error code, for callers that need to tell errors apart.
    public let code: Int32

    public init(pattern: String, message: String, offset: Int, code: Int32) {
        self.pattern = pattern
        self.message = message
        self.offset = offset
        self.code = code
    }

    public var description: String {
        "regex error at offset \(offset): \(message)"
    }
}
