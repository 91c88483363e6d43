import CPCRE2

/// A set of byte values (256 bits): which bytes occur in a value, or which bytes a match may
/// start with.
struct PresentBytes: Sendable, Equatable {
    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    init() {}

    /// The bytes that occur in `bytes`.
    init(of bytes: UnsafeRawBufferPointer) {
        var w0: UInt64 = 0, w1: UInt64 = 0
        var high = false
        if let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) {
            // Bytes below 0x80 (nearly all) without a branch; the rest in a second pass if any.
            for i in 0..<bytes.count {
                let b = base[i]
                let bit = UInt64(1) << UInt64(b & 63)
                let upper = UInt64(b >> 6 & 1) &* ~0   // all ones for 0x40...0x7F (and 0xC0...)
                w0 |= bit & ~upper
                w1 |= bit & upper
                high = high || b >= 0x80
            }
        }
        if !high {
            words = (w0, w1, 0, 0)
            return
        }
        var set = PresentBytes()
        for b in bytes { set.insert(b) }
        self = set
    }

    mutating func formUnion(_ other: PresentBytes) {
        words = (words.0 | other.words.0, words.1 | other.words.1, words.2 | other.words.2,
                 words.3 | other.words.3)
    }

    init(of bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { PresentBytes(of: $0) }
    }

    mutating func insert(_ b: UInt8) {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    /// `b` and, for an ASCII letter, its other case.
    mutating func insertEitherCase(_ b: UInt8) {
        insert(b)
        if (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) { insert(b ^ 0x20) }
    }

    func contains(_ b: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    @inline(__always)
    func intersects(_ other: PresentBytes) -> Bool {
        let low: UInt64 = (words.0 & other.words.0) | (words.1 & other.words.1)
        let high: UInt64 = (words.2 & other.words.2) | (words.3 & other.words.3)
        return low | high != 0
    }

    static func == (a: PresentBytes, b: PresentBytes) -> Bool { a.words == b.words }
}

/// What PCRE2 itself knows must hold for any match of a compiled pattern (its start
/// optimisations): a shortest length, the bytes a match can start with, and a byte every match
/// contains. A value that fails one of them cannot match, so the engine skips the call into
/// PCRE2 — the outcome is the no-match PCRE2 would reach without trying a start position (so
/// never a limit hit). Computed once at load from `pcre2_pattern_info`.
struct RegexPrefilter: Sendable, Equatable {
    /// No match is shorter.
    var minLength: Int
    /// Every match starts with one of these bytes; nil when PCRE2 knows no such set.
    var start: PresentBytes?
    /// Every match contains one of these bytes (one literal, in either case); nil when unknown.
    var required: PresentBytes?

    /// A filter that lets every value through.
    static let none = RegexPrefilter(minLength: 0, start: nil, required: nil)

    init(minLength: Int, start: PresentBytes?, required: PresentBytes?) {
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
                    var set = PresentBytes()
                    set.insertEitherCase(UInt8(unit))
                    start = set
                }
            } else if firstType == 0 {
                var bitmap: UnsafePointer<UInt8>?
                if pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_FIRSTBITMAP), &bitmap) == 0, let bitmap {
                    var set = PresentBytes()
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
                var set = PresentBytes()
                set.insertEitherCase(UInt8(unit))
                required = set
            }
        }
    }

    /// False when a value of `length` bytes containing exactly the bytes `present` cannot match.
    @inline(__always)
    func mayMatch(length: Int, present: PresentBytes) -> Bool {
        if length < minLength { return false }
        if let start, !present.intersects(start) { return false }
        if let required, !present.intersects(required) { return false }
        return true
    }

    /// True when the filter can rule nothing out.
    var isTrivial: Bool { minLength == 0 && start == nil && required == nil }
}
