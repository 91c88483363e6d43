// Case folding over ASCII letters only, with byte semantics: a byte ≥ 0x80 is never touched, so a
// multi-byte UTF-8 character cannot be split or changed, and the result does not depend on a locale.

extension Transformations {
    /// `lowercase`: maps `A`–`Z` to `a`–`z`.
    ///
    /// Defeats mixed-case keywords (`UnIoN SeLeCt`, `<ScRiPt>`) that case-insensitive back ends
    /// (SQL, HTML) accept, so that rules can be written in lowercase once.
    static func lowercase(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        foldCase(input, from: UInt8(ascii: "A"))
    }

    /// `uppercase`: maps `a`–`z` to `A`–`Z`. The same evasion as `lowercase`, for rules written
    /// in uppercase.
    static func uppercase(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        foldCase(input, from: UInt8(ascii: "a"))
    }

    /// Flips bit 0x20 of every letter in `from`…`from + 25`: A–Z and a–z differ only there.
    @inline(__always)
    private static func foldCase(_ input: UnsafeBufferPointer<UInt8>, from first: UInt8) -> [UInt8]? {
        @inline(__always) func isTarget(_ c: UInt8) -> Bool { c &- first < 26 }
        guard let start = firstIndex(input, where: isTarget, skipping: { mayHaveLetterRange($0, from: first) })
        else { return nil }
        return rewrite(input, capacity: input.count) { s, d in
            copyPrefix(s, d, start)
            let n = s.count
            let src = UnsafeRawPointer(s.baseAddress!)
            let dst = UnsafeMutableRawPointer(d)
            var i = start
            // Eight bytes a step: bit 7 of each letter byte, moved down to bit 5, flips its case.
            while i &+ 8 <= n {
                let word = src.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                dst.storeBytes(of: word ^ (letterBits(word, from: first) &>> 2), toByteOffset: i, as: UInt64.self)
                i &+= 8
            }
            while i < n {
                let c = s[i]
                d[i] = isTarget(c) ? c ^ 0x20 : c
                i &+= 1
            }
            return n
        }
    }
}
