/// Parses sizes as rule and config files write them: `16KiB`, `1MiB`, `2GiB`, `512B` or a bare
/// byte count. Only binary (IEC) suffixes are accepted, so `16KB` is an error instead of silently
/// meaning either 16,000 or 16,384.
public enum ByteSize {
    /// The accepted forms, for error messages.
    public static let expectedForms = "a byte count like 16384, 512B, 16KiB, 1MiB or 1GiB"

    /// Bytes for `text`, or nil when it is not one of `expectedForms` or overflows.
    public static func parse(_ text: some StringProtocol) -> Int? {
        let trimmed = trimSpaces(Substring(text))
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let value = Int(digits) else { return nil }
        let multiplier: Int
        switch trimSpaces(trimmed.dropFirst(digits.count)) {
        case "", "B": multiplier = 1
        case "KiB": multiplier = 1 << 10
        case "MiB": multiplier = 1 << 20
        case "GiB": multiplier = 1 << 30
        default: return nil
        }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }

    private static func trimSpaces(_ text: Substring) -> Substring {
        var text = text
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
