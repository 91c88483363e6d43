import CShim
import Glibc

/// Byte-level helpers shared by the string operators: ASCII case folding and substring search.
///
/// Everything here works on raw bytes with ASCII-only folding (bytes ≥ 0x80 are never folded),
/// the way ModSecurity's operators see a value after its transformations.
enum ByteSearch {
    /// `b` with ASCII `A`–`Z` mapped to `a`–`z`; every other byte unchanged.
    @inline(__always)
    static func fold(_ b: UInt8) -> UInt8 {
        b &- 0x41 < 26 ? b | 0x20 : b
    }

    /// True for the bytes ModSecurity's `@containsWord` treats as part of a word: `[A-Za-z0-9_]`.
    @inline(__always)
    static func isWordByte(_ b: UInt8) -> Bool {
        (b | 0x20) &- 0x61 < 26 || b &- 0x30 < 10 || b == 0x5F
    }

    /// The needle lowercased (ASCII only), so folded searches fold only the haystack.
    static func folded(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map(fold)
    }

    /// Offset of the first occurrence of `needle` in `hay` at or after `from`, or nil.
    ///
    /// Glibc's Swift module does not export `memmem` and this target does not link `CShim`, so
    /// this is `memchr` on the needle's first byte (vectorised in glibc) confirmed by `memcmp`.
    /// Needles come from rules and are short; the worst case is O(value × needle).
    @inline(__always)
    static func find(_ needle: UnsafeRawBufferPointer, in hay: UnsafeRawBufferPointer, from: Int = 0) -> Int? {
        let m = needle.count
        let n = hay.count
        guard m > 0 else { return from <= n ? from : nil }
        guard m <= n - from, let h = hay.baseAddress, let nd = needle.baseAddress else { return nil }
        // glibc's memmem is linear in the haystack (two-way), so a hostile value cannot make a
        // `contains` cost length × needle length.
        guard let hit = cshim_memmem(h + from, n - from, nd, m) else { return nil }
        return h.distance(to: UnsafeRawPointer(hit))
    }

    /// Like `find`, folding ASCII case of `hay`; `foldedNeedle` must already be folded.
    @inline(__always)
    static func findFolded(_ foldedNeedle: UnsafeRawBufferPointer, in hay: UnsafeRawBufferPointer,
                           from: Int = 0) -> Int? {
        let m = foldedNeedle.count
        let n = hay.count
        guard m > 0 else { return from <= n ? from : nil }
        guard m <= n - from else { return nil }
        let first = foldedNeedle[0]
        var i = from
        while i <= n - m {
            if fold(hay[i]) == first && equalFolded(foldedNeedle, hay, at: i) { return i }
            i += 1
        }
        return nil
    }

    /// True when `hay[at..<at+needle.count]` equals the folded needle, folding `hay`.
    @inline(__always)
    static func equalFolded(_ foldedNeedle: UnsafeRawBufferPointer, _ hay: UnsafeRawBufferPointer, at: Int) -> Bool {
        var k = 0
        while k < foldedNeedle.count {
            if fold(hay[at + k]) != foldedNeedle[k] { return false }
            k += 1
        }
        return true
    }

    /// True when `hay[at..<at+needle.count]` equals `needle` exactly.
    @inline(__always)
    static func equalExact(_ needle: UnsafeRawBufferPointer, _ hay: UnsafeRawBufferPointer, at: Int) -> Bool {
        guard needle.count > 0 else { return true }
        return memcmp(hay.baseAddress! + at, needle.baseAddress!, needle.count) == 0
    }
}

/// Rendering of operator arguments for `summary`: printable ASCII as is, `"` and `\` escaped,
/// other bytes as `\xNN`; long arguments are cut with `…` so `explain` lines stay readable.
enum SummaryText {
    static let limit = 60

    static func quoted(_ bytes: [UInt8]) -> String {
        var out = "\""
        for b in bytes.prefix(limit) {
            switch b {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789abcdef".utf8)
                out += "\\x"
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(b >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(b & 0xF)]))
            }
        }
        if bytes.count > limit { out += "…" }
        return out + "\""
    }

    static func quoted(_ text: String) -> String {
        let cut = text.count > limit ? String(text.prefix(limit)) + "…" : text
        return "\"" + cut + "\""
    }

    static func caseSuffix(_ caseInsensitive: Bool) -> String {
        caseInsensitive ? " (case-insensitive)" : ""
    }
}
