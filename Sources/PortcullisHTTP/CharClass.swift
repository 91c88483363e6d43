/// Byte classes of RFC 9110/9112 as bit masks, for the parsers' inner loops.
///
/// Why masks instead of `switch`: one shift and test per byte, no branches per character range.
enum CharClass {
    /// tchar (RFC 9110 5.6.2), bytes 0..<64 and 64..<128.
    @inline(__always) static var tokenLow: UInt64 { 0x03FF_6CFA_0000_0000 }
    @inline(__always) static var tokenHigh: UInt64 { 0x57FF_FFFF_C7FF_FFFE }
    /// reg-name bytes (RFC 3986 unreserved / sub-delims); '%' is checked separately.
    @inline(__always) static var regNameLow: UInt64 { 0x2BFF_7FD2_0000_0000 }
    @inline(__always) static var regNameHigh: UInt64 { 0x47FF_FFFE_87FF_FFFE }

    @inline(__always)
    static func isToken(_ b: UInt8) -> Bool {
        if b < 64 { return (tokenLow >> UInt64(b)) & 1 != 0 }
        if b < 128 { return (tokenHigh >> UInt64(b &- 64)) & 1 != 0 }
        return false
    }

    @inline(__always)
    static func isRegName(_ b: UInt8) -> Bool {
        if b < 64 { return (regNameLow >> UInt64(b)) & 1 != 0 }
        if b < 128 { return (regNameHigh >> UInt64(b &- 64)) & 1 != 0 }
        return false
    }

    /// field-vchar / SP / HTAB (RFC 9110 5.5): everything but CTLs and DEL; obs-text allowed.
    @inline(__always)
    static func isFieldValue(_ b: UInt8) -> Bool {
        b >= 0x20 ? b != 0x7F : b == 0x09
    }

    @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

    /// Value of a hex digit, or nil.
    @inline(__always)
    static func hexValue(_ b: UInt8) -> UInt64? {
        if b &- 0x30 < 10 { return UInt64(b &- 0x30) }
        let l = b | 0x20
        if l &- 0x61 < 6 { return UInt64(l &- 0x61 &+ 10) }
        return nil
    }

    @inline(__always)
    static func isOWS(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
}

/// Byte constants used throughout, so comparisons read as the characters they are.
/// Computed, not `static let`: a stored static is a lazily initialised global, and its accessor
/// would run in every iteration of the parsers' inner loops.
enum Byte {
    @inline(__always) static var cr: UInt8 { 0x0D }
    @inline(__always) static var lf: UInt8 { 0x0A }
    @inline(__always) static var sp: UInt8 { 0x20 }
    @inline(__always) static var htab: UInt8 { 0x09 }
    @inline(__always) static var colon: UInt8 { 0x3A }
    @inline(__always) static var semicolon: UInt8 { 0x3B }
    @inline(__always) static var comma: UInt8 { 0x2C }
    @inline(__always) static var slash: UInt8 { 0x2F }
    @inline(__always) static var question: UInt8 { 0x3F }
    @inline(__always) static var equals: UInt8 { 0x3D }
    @inline(__always) static var dquote: UInt8 { 0x22 }
    @inline(__always) static var backslash: UInt8 { 0x5C }
    @inline(__always) static var star: UInt8 { 0x2A }
    @inline(__always) static var percent: UInt8 { 0x25 }
    @inline(__always) static var at: UInt8 { 0x40 }
    @inline(__always) static var openBracket: UInt8 { 0x5B }
    @inline(__always) static var closeBracket: UInt8 { 0x5D }
    @inline(__always) static var hash: UInt8 { 0x23 }
}
