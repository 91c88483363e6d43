/// A rules file that cannot be loaded, located as `file:line:column: message`.
///
/// Load errors are meant for a person editing the file: the location points at the offending
/// node and the message says what was expected there. A reload that fails keeps the old set.
public struct RuleSetLoadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file as given to the loader.
    public let file: String
    /// 1-based line.
    public let line: Int
    /// 1-based column (counted in Unicode scalars, as libyaml does).
    public let column: Int
    /// What is wrong and what was expected.
    public let message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): \(message)" }
}
