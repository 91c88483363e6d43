/// Parses durations as config files and flags write them: `500ms`, `2s`, `1m`, `1h`.
enum DurationText {
    static let expectedForms = "a duration like 500ms, 2s, 1m or 1h"

    static func parse(_ text: some StringProtocol) -> Duration? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let value = Int64(digits) else { return nil }
        switch text.dropFirst(digits.count) {
        case "ms": return .milliseconds(value)
        case "s": return .seconds(value)
        case "m": return .seconds(value * 60)
        case "h": return .seconds(value * 3600)
        default: return nil
        }
    }
}
