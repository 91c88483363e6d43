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

    /// The longest output for an input of `length` bytes; nil when the output can be longer
    /// than any bound stated here. Lets evaluation skip transforming a value whose result could
    /// not be long enough for any check to match (tested on random and adversarial inputs).
    public func outputBound(_ length: Int) -> Int? {
        switch self {
        case .base64Decode: return length / 4 * 3 + 3
        case .hexDecode: return length   // a value with nothing to decode comes back whole
        case .sha1: return 20
        case .md5: return 16
        case .length: return 20
        case .utf8ToUnicode: return nil
        case .urlDecode, .urlDecodeUni, .htmlEntityDecode, .jsDecode, .cssDecode, .lowercase, .uppercase,
             .compressWhitespace, .removeWhitespace, .removeNulls, .replaceNulls, .removeComments,
             .replaceComments, .cmdLine, .normalizePath, .normalizePathWin, .trim:
            return length
        }
    }

    /// The transformed value. Never fails: malformed input is handled as ModSecurity does
    /// (invalid escapes kept as they are).
    ///
    /// When a value needs no change the input array itself is returned (no copy), so a chain of
    /// transformations over ordinary values costs one scan per step and no allocation.
    public func apply(_ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBufferPointer { changed($0) } ?? input
    }

    /// The transformed value of the bytes `input` points at, or nil when it comes out byte for
    /// byte as it went in. Lets a caller run a step over bytes it does not own (a slice of the
    /// request) and copy nothing unless the step changes them: `apply` is this with the input
    /// array handed back for nil. Not inlined: one call per step keeps the callers small
    /// enough for the optimiser to inline what they need themselves.
    @inline(never)
    func changed(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
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
        _ input: UnsafeBufferPointer<UInt8>, capacity: Int,
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeMutablePointer<UInt8>) -> Int
    ) -> [UInt8] {
        written(capacity: capacity) { body(input, $0.baseAddress!) }
    }

    /// A new array of the bytes `body` writes (at most `capacity`; it returns how many).
    ///
    /// Written into temporary memory (on the stack when small), then copied into an array of
    /// exactly the written size. Not `Array(unsafeUninitializedCapacity:)` or
    /// `Array(repeating:count:)`: on this toolchain both allocate through an unspecialised generic
    /// path, a runtime metadata lookup of ~500 instructions per array, far more than the copy.
    @inline(__always)
    static func written(capacity: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) -> Int) -> [UInt8] {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(capacity, 1)) { dst in
            let count = body(dst)
            return Array(UnsafeBufferPointer(start: dst.baseAddress, count: count))
        }
    }

    /// The index of the first byte for which `predicate` holds, or nil: the scan that lets a
    /// transformation hand back its input untouched.
    ///
    /// Eight bytes at a time: a word with no byte the predicate can hold for (checked with
    /// `mayMatch`, a cheap whole-word test) is skipped without looking at its bytes.
    @inline(__always)
    static func firstIndex(
        _ input: [UInt8], where predicate: (UInt8) -> Bool, skipping mayMatch: (UInt64) -> Bool
    ) -> Int? {
        input.withUnsafeBufferPointer { firstIndex($0, where: predicate, skipping: mayMatch) }
    }

    /// `firstIndex(_:where:skipping:)` over the bytes `input` points at.
    @inline(__always)
    static func firstIndex(
        _ input: UnsafeBufferPointer<UInt8>, where predicate: (UInt8) -> Bool, skipping mayMatch: (UInt64) -> Bool
    ) -> Int? {
        let n = input.count
        guard let p = input.baseAddress.map(UnsafeRawPointer.init) else { return nil }
        var i = 0
        while i + 8 <= n {
            if mayMatch(p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                for k in i..<(i + 8) where predicate(p.load(fromByteOffset: k, as: UInt8.self)) { return k }
            }
            i += 8
        }
        while i < n {
            if predicate(p.load(fromByteOffset: i, as: UInt8.self)) { return i }
            i += 1
        }
        return nil
    }

    /// The first index `start` names, asking it only at the bytes `isCandidate` selects, in
    /// order: for transformations where a change needs some byte nearby (`/*` needs a `*`), so
    /// `start(s, k)` may look around candidate `k` and name an index up to a few bytes before it.
    /// Words holding no candidate (checked with `mayHold`, a cheap whole-word test) are skipped.
    @inline(__always)
    static func firstIndex(
        _ input: UnsafeBufferPointer<UInt8>, candidates isCandidate: (UInt8) -> Bool,
        skipping mayHold: (UInt64) -> Bool, start: (UnsafeBufferPointer<UInt8>, Int) -> Int?
    ) -> Int? {
        let s = input
        guard let p = s.baseAddress else { return nil }
        let raw = UnsafeRawPointer(p)
        let n = s.count
        var i = 0
        while i + 8 <= n {
            if mayHold(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                for k in i..<(i + 8) where isCandidate(p[k]) {
                    if let found = start(s, k) { return found }
                }
            }
            i += 8
        }
        while i < n {
            if isCandidate(p[i]), let found = start(s, i) { return found }
            i += 1
        }
        return nil
    }

    /// `firstIndex` without a word test: every byte is looked at.
    @inline(__always)
    static func firstIndex(_ input: UnsafeBufferPointer<UInt8>, where predicate: (UInt8) -> Bool) -> Int? {
        firstIndex(input, where: predicate, skipping: { _ in true })
    }

    /// The index of the first `byte`, or nil.
    @inline(__always)
    static func firstIndex(of byte: UInt8, in input: UnsafeBufferPointer<UInt8>) -> Int? {
        firstIndex(input, where: { $0 == byte }, skipping: { hasByte($0, byte) })
    }

    /// The index of the first `a` or `b`, or nil.
    @inline(__always)
    static func firstIndex(of a: UInt8, or b: UInt8, in input: UnsafeBufferPointer<UInt8>) -> Int? {
        firstIndex(input, where: { $0 == a || $0 == b }, skipping: { hasByte($0, a) || hasByte($0, b) })
    }

    /// `firstIndex(of:in:)` for an array.
    static func firstIndex(of byte: UInt8, in input: [UInt8]) -> Int? {
        input.withUnsafeBufferPointer { firstIndex(of: byte, in: $0) }
    }

    /// `firstIndex(of:or:in:)` for an array.
    static func firstIndex(of a: UInt8, or b: UInt8, in input: [UInt8]) -> Int? {
        input.withUnsafeBufferPointer { firstIndex(of: a, or: b, in: $0) }
    }

    private static let lowBits: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Whether some byte of `word` equals `byte` (the classic zero-byte test on `word ^ byte…`;
    /// exact, no false positives).
    @inline(__always)
    static func hasByte(_ word: UInt64, _ byte: UInt8) -> Bool {
        let x = word ^ (lowBits &* UInt64(byte))
        return ((x &- lowBits) & ~x & highBits) != 0
    }

    /// Whether some byte of `word` is below `limit` (at most 0x80); may also say so for a byte
    /// just above a real hit, never misses one.
    @inline(__always)
    static func hasByteBelow(_ word: UInt64, _ limit: UInt8) -> Bool {
        ((word &- lowBits &* UInt64(limit)) & ~word & highBits) != 0
    }

    /// Whether some byte of `word` is ≥ 0x80.
    @inline(__always)
    static func hasHighByte(_ word: UInt64) -> Bool { word & highBits != 0 }

    /// Whether some byte of `word` lies in `lo…lo+25` (A–Z or a–z).
    @inline(__always)
    static func mayHaveLetterRange(_ word: UInt64, from lo: UInt8) -> Bool {
        letterBits(word, from: lo) != 0
    }

    /// Bit 7 set in each byte of `word` that lies in `lo…lo+25` (A–Z or a–z), every other bit
    /// clear. Computed per byte on the low seven bits; bytes ≥ 0x80 never count.
    @inline(__always)
    static func letterBits(_ word: UInt64, from lo: UInt8) -> UInt64 {
        // For 7-bit x: (x + (0x80 - lo)) has bit 7 set iff x ≥ lo; (x + (0x80 - lo - 26)) iff
        // x ≥ lo + 26. Neither sum exceeds 0xFF, so no byte carries into the next.
        let x = word & ~highBits
        let geLo = (x &+ lowBits &* UInt64(0x80 - lo)) & highBits
        let geHi = (x &+ lowBits &* UInt64(0x80 - lo - 26)) & highBits
        return geLo & ~geHi & ~word
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
