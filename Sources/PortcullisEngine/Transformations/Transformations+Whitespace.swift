// Whitespace and NUL handling. Back ends ignore or collapse whitespace in many places (SQL between
// tokens, shells between words, HTML between attributes) and C-based ones stop at a NUL, so
// attackers pad payloads with both to break up what a rule looks for.

extension Transformations {
    /// `compress_whitespace`: replaces each run of whitespace (space, `\t \n \v \f \r`, and 0xA0)
    /// with one space.
    ///
    /// Defeats `UNION%0B%0BSELECT`, tabs or newlines between keywords and other padding, so a rule
    /// can match a single space between tokens.
    static func compressWhitespace(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let start = firstIndex(
            input, candidates: isWhitespace, skipping: { hasByteBelow($0, 0x21) || hasByte($0, 0xA0) }
        ) { s, i in
            // A lone plain space is already compressed.
            s[i] != UInt8(ascii: " ") || (i + 1 < s.count && isWhitespace(s[i + 1])) ? i : nil
        }
        guard let start else { return nil }
        return rewrite(input, capacity: input.count) { s, d in
            copyPrefix(s, d, start)
            var o = start
            var inRun = false
            for i in start..<s.count {
                let c = s[i]
                if isWhitespace(c) {
                    if inRun { continue }
                    inRun = true
                    d[o] = UInt8(ascii: " ")
                } else {
                    inRun = false
                    d[o] = c
                }
                o += 1
            }
            return o
        }
    }

    /// `remove_whitespace`: removes every whitespace byte (space, `\t \n \v \f \r`, 0xA0).
    ///
    /// Defeats keywords split by whitespace where the back end joins them (`java script:`,
    /// `j\ta\tv\ta\ts\tc\tr\ti\tp\tt:` in a URL attribute).
    static func removeWhitespace(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        removeBytes(input, where: isWhitespace, skipping: { hasByteBelow($0, 0x21) || hasByte($0, 0xA0) })
    }

    /// `trim`: removes leading and trailing whitespace (C `isspace`: space, `\t \n \v \f \r`).
    ///
    /// Defeats padding around a value that a back end trims before comparing (`admin ` for
    /// `admin`), so equality and anchored rules still hold.
    static func trim(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var lo = 0, hi = input.count
        while lo < hi && isCSpace(input[lo]) { lo += 1 }
        while hi > lo && isCSpace(input[hi - 1]) { hi -= 1 }
        if lo == 0 && hi == input.count { return nil }
        return Array(UnsafeBufferPointer(rebasing: input[lo..<hi]))
    }

    /// `remove_nulls`: removes every NUL byte.
    ///
    /// Defeats `SEL%00ECT` and `<scr%00ipt>`, which C-string or lenient parsers in the back end
    /// (or the browser) read as if the NUL were not there.
    static func removeNulls(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        removeBytes(input, where: { $0 == 0 }, skipping: { hasByte($0, 0) })
    }

    /// `replace_nulls`: replaces every NUL byte with a space.
    ///
    /// For back ends that treat a NUL as a separator: `UNION%00SELECT` then matches a rule that
    /// expects whitespace between the keywords.
    static func replaceNulls(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard let start = firstIndex(of: 0, in: input) else { return nil }
        return rewrite(input, capacity: input.count) { s, d in
            copyPrefix(s, d, start)
            for i in start..<s.count {
                let c = s[i]
                d[i] = c == 0 ? UInt8(ascii: " ") : c
            }
            return s.count
        }
    }

    /// The input without the bytes `drop` selects; the input itself when there are none.
    /// `mayDrop` is the word test for the scan (see `firstIndex(_:where:skipping:)`).
    @inline(__always)
    static func removeBytes(
        _ input: UnsafeBufferPointer<UInt8>, where drop: (UInt8) -> Bool, skipping mayDrop: (UInt64) -> Bool
    ) -> [UInt8]? {
        guard let start = firstIndex(input, where: drop, skipping: mayDrop) else { return nil }
        return rewrite(input, capacity: input.count) { s, d in
            copyPrefix(s, d, start)
            var o = start
            for i in start..<s.count {
                let c = s[i]
                if drop(c) { continue }
                d[o] = c
                o += 1
            }
            return o
        }
    }
}
