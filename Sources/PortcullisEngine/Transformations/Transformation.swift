/// A transformation applied to a value before an operator sees it (`transforms:` in the native
/// language, `t:` in SecLang). Pure functions over bytes, applied in the order listed.
public enum Transformation: String, Sendable, Hashable, CaseIterable {
    case urlDecode = "url_decode"
    case urlDecodeUni = "url_decode_uni"
    case htmlEntityDecode = "html_entity_decode"
    case jsDecode = "js_decode"
    case cssDecode = "css_decode"
    case base64Decode = "base64_decode"
    case hexDecode = "hex_decode"
    case lowercase
    case uppercase
    case compressWhitespace = "compress_whitespace"
    case removeWhitespace = "remove_whitespace"
    case removeNulls = "remove_nulls"
    case replaceNulls = "replace_nulls"
    case removeComments = "remove_comments"
    case replaceComments = "replace_comments"
    case cmdLine = "cmd_line"
    case normalizePath = "normalize_path"
    case normalizePathWin = "normalize_path_win"
    case trim
    case length
    case utf8ToUnicode = "utf8_to_unicode"
    case sha1
    case md5

    /// The transformed value. Never fails: malformed input is handled as ModSecurity does
    /// (invalid escapes kept as they are).
    ///
    /// When a value needs no change the input array itself is returned (no copy), so a chain of
    /// transformations over ordinary values costs one scan per step and no allocation.
    public func apply(_ input: [UInt8]) -> [UInt8] {
        switch self {
        case .urlDecode: Transformations.urlDecode(input)
        case .urlDecodeUni: Transformations.urlDecodeUni(input)
        case .htmlEntityDecode: Transformations.htmlEntityDecode(input)
        case .jsDecode: Transformations.jsDecode(input)
        case .cssDecode: Transformations.cssDecode(input)
        case .base64Decode: Transformations.base64Decode(input)
        case .hexDecode: Transformations.hexDecode(input)
        case .lowercase: Transformations.lowercase(input)
        case .uppercase: Transformations.uppercase(input)
        case .compressWhitespace: Transformations.compressWhitespace(input)
        case .removeWhitespace: Transformations.removeWhitespace(input)
        case .removeNulls: Transformations.removeNulls(input)
        case .replaceNulls: Transformations.replaceNulls(input)
        case .removeComments: Transformations.removeComments(input)
        case .replaceComments: Transformations.replaceComments(input)
        case .cmdLine: Transformations.cmdLine(input)
        case .normalizePath: Transformations.normalizePath(input)
        case .normalizePathWin: Transformations.normalizePathWin(input)
        case .trim: Transformations.trim(input)
        case .length: Transformations.length(input)
        case .utf8ToUnicode: Transformations.utf8ToUnicode(input)
        case .sha1: Transformations.sha1(input)
        case .md5: Transformations.md5(input)
        }
    }
}

/// The byte functions behind `Transformation`, one file per family (`Transformations+Decoding.swift`
/// …). A namespace, not a registry: `Transformation.apply(_:)` is the only dispatch.
enum Transformations {
    /// Runs `body` over the input's bytes, writing into a fresh array of `capacity` bytes; `body`
    /// returns how many it wrote. One allocation per changed value, no per-byte growth checks.
    ///
    /// `capacity` must bound the output: every caller states why its output fits.
    @inline(__always)
    static func rewrite(
        _ input: [UInt8], capacity: Int,
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeMutablePointer<UInt8>) -> Int
    ) -> [UInt8] {
        input.withUnsafeBufferPointer { src in
            [UInt8](unsafeUninitializedCapacity: max(capacity, 1)) { dst, count in
                count = body(src, dst.baseAddress!)
            }
        }
    }

    /// The index of the first byte for which `predicate` holds, or nil: the scan that lets a
    /// transformation hand back its input untouched.
    @inline(__always)
    static func firstIndex(_ input: [UInt8], where predicate: (UInt8) -> Bool) -> Int? {
        input.withUnsafeBufferPointer { src in
            var i = 0
            while i < src.count {
                if predicate(src[i]) { return i }
                i += 1
            }
            return nil
        }
    }

    /// The value of one hex digit, or 0xFF when `c` is not one.
    @inline(__always)
    static func hexNibble(_ c: UInt8) -> UInt8 {
        switch c {
        case 0x30...0x39: c &- 0x30
        case 0x41...0x46: c &- 0x37
        case 0x61...0x66: c &- 0x57
        default: 0xFF
        }
    }

    @inline(__always)
    static func isHex(_ c: UInt8) -> Bool { hexNibble(c) != 0xFF }

    /// The byte two hex digits spell; both must be valid.
    @inline(__always)
    static func hexPair(_ hi: UInt8, _ lo: UInt8) -> UInt8 {
        (hexNibble(hi) << 4) | hexNibble(lo)
    }

    /// C's `isspace` in the "C" locale: space, \t \n \v \f \r.
    @inline(__always)
    static func isCSpace(_ c: UInt8) -> Bool {
        c == 0x20 || (c >= 0x09 && c <= 0x0D)
    }

    /// What ModSecurity's whitespace transformations treat as whitespace: `isspace` plus the
    /// non-breaking space 0xA0, which `&nbsp;` decodes to and which some back ends treat as a
    /// separator.
    @inline(__always)
    static func isWhitespace(_ c: UInt8) -> Bool {
        isCSpace(c) || c == 0xA0
    }

    @inline(__always)
    static func lowerHexDigit(_ v: UInt32) -> UInt8 {
        let d = UInt8(truncatingIfNeeded: v & 0xF)
        return d < 10 ? 0x30 &+ d : 0x57 &+ d
    }
}
