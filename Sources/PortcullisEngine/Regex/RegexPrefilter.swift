import CPCRE2

/// What PCRE2 itself knows must hold for any match of a compiled pattern (its start
/// optimisations): a shortest length, the bytes a match can start with, and a byte every match
/// contains. A value that fails one of them cannot match, so the engine skips the call into
/// PCRE2 — the outcome is the no-match PCRE2 would reach without trying a start position (so
/// never a limit hit). Computed once at load from `pcre2_pattern_info`.
struct RegexPrefilter: Sendable, Equatable {
    /// No match is shorter.
    var minLength: Int
    /// Every match starts with one of these bytes; nil when PCRE2 knows no such set.
    var start: ByteSet?
    /// Every match contains one of these bytes (one literal, in either case); nil when unknown.
    var required: ByteSet?

    /// A filter that lets every value through.
    static let none = RegexPrefilter(minLength: 0, start: nil, required: nil)

    init(minLength: Int, start: ByteSet?, required: ByteSet?) {
        self.minLength = minLength
        self.start = start
        self.required = required
    }

    /// Reads the pattern's start information. Case: a first or required literal is taken in
    /// both ASCII cases, which is never narrower than what PCRE2 matches.
    init(code: OpaquePointer) {
        var min: UInt32 = 0
        minLength = pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_MINLENGTH), &min) == 0 ? Int(min) : 0
        start = nil
        required = nil
        var firstType: UInt32 = 0
        if pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_FIRSTCODETYPE), &firstType) == 0 {
            if firstType == 1 {
                var unit: UInt32 = 0
                if pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_FIRSTCODEUNIT), &unit) == 0, unit < 256 {
                    var set = ByteSet()
                    set.insertEitherCase(UInt8(unit))
                    start = set
                }
            } else if firstType == 0 {
                var bitmap: UnsafePointer<UInt8>?
                if pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_FIRSTBITMAP), &bitmap) == 0, let bitmap {
                    var set = ByteSet()
                    for byte in 0..<256 where bitmap[byte >> 3] & (1 << UInt8(byte & 7)) != 0 {
                        set.insert(UInt8(byte))
                    }
                    start = set
                }
            }
        }
        var lastType: UInt32 = 0
        if pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_LASTCODETYPE), &lastType) == 0, lastType == 1 {
            var unit: UInt32 = 0
            if pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_LASTCODEUNIT), &unit) == 0, unit < 256 {
                var set = ByteSet()
                set.insertEitherCase(UInt8(unit))
                required = set
            }
        }
    }

    /// False when a value of `length` bytes containing exactly the bytes `present` cannot match.
    @inline(__always)
    func mayMatch(length: Int, present: ByteSet) -> Bool {
        if length < minLength { return false }
        if let start, !present.intersects(start) { return false }
        if let required, !present.intersects(required) { return false }
        return true
    }

    /// True when the filter can rule nothing out.
    var isTrivial: Bool { minLength == 0 && start == nil && required == nil }
}
