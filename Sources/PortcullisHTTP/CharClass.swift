/// Byte classes of RFC 9110/9112 as bit masks, for the parsers' inner loops.
///
/// Why masks instead of `switch`: one shift and test per byte, no branches per character range.
enum CharClass {
    /// tchar (RFC 9110 5.6.2), bytes 0..<64 and 64..<128.
    static let tokenLow: UInt64 = 0x03FF_6CFA_0000_0000
    static let tokenHigh: UInt64 = 0x57FF_FFFF_C7FF_FFFE
    /// reg-name bytes (RFC 3986 unreserved / sub-delims); '%' is checked separately.
    static let regNameLow: UInt64 = 0x2BFF_7FD2_0000_0000
    static let regNameHigh: UInt64 = 0x47FF_FFFE_87FF_FFFE

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
enum Byte {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let sp: UInt8 = 0x20
    static let htab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let comma: UInt8 = 0x2C
    static let slash: UInt8 = 0x2F
    static let question: UInt8 = 0x3F
    static let equals: UInt8 = 0x3D
    static let dquote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C
    static let star: UInt8 = 0x2A
    static let percent: UInt8 = 0x25
    static let at: UInt8 = 0x40
    static let openBracket: UInt8 = 0x5B
    static let closeBracket: UInt8 = 0x5D
    static let hash: UInt8 = 0x23
}
