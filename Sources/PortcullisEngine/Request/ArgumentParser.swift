/// Parses `application/x-www-form-urlencoded` bodies and query strings into named values.
///
/// (Not named `ArgumentParser`: that is the module name of swift-argument-parser, which the
/// `portcullis` executable imports next to this module; the type would shadow it.)
///
/// Why these rules: the firewall must read arguments the way the upstream will, or an attack can
/// hide in the difference. They follow the WHATWG URL standard's urlencoded parser, which PHP,
/// Node, Go (since 1.17) and Python (since 3.9.2) agree with:
/// - pairs are separated by `&` only. `;` is *not* a separator: `a=1;b=2` is one argument `a`
///   with the value `1;b=2`, which is still inspected whole, so a server that does split on `;`
///   cannot be handed anything the firewall did not see;
/// - `+` becomes a space, then `%XX` is decoded, in names and values alike (`%2B` is a literal
///   `+`, `%26` a literal `&` inside a value);
/// - a `%` not followed by two hex digits is kept as is (`%zz` stays `%zz`, a trailing `%4`
///   stays `%4`);
/// - repeated names are kept, in order;
/// - a pair without `=` is a name with an empty value; `=value` is a value with an empty name
///   (kept, so the value is inspected, although PHP drops it);
/// - empty pairs (`a=1&&b=2`, a trailing `&`) are skipped;
/// - only the first `=` splits a pair: `a=b=c` is `a` with the value `b=c`.
///
/// `%uXXXX` is not decoded here (no server does it for arguments); the `url_decode_uni`
/// transformation exists for that.
public enum URLEncodedArguments {
    /// Appends the arguments in `input` to `out`, at most `limit` of them.
    /// Returns true when more than `limit` non-empty pairs were present (the rest are dropped).
    ///
    /// Names and values that need no decoding are slices of `input` (its storage, not a copy);
    /// decoded ones are arrays of their own.
    @discardableResult
    public static func parse(_ input: ArraySlice<UInt8>, limit: Int, into out: inout [TargetValue]) -> Bool {
        input.withUnsafeBufferPointer { buffer in
            parse(input, buffer, limit: limit, into: &out)
        }
    }

    /// The arguments in `input`, at most `limit` of them, and whether there were more.
    public static func parse(_ input: [UInt8], limit: Int) -> (values: [TargetValue], overflow: Bool) {
        var out: [TargetValue] = []
        let overflow = parse(input[...], limit: limit, into: &out)
        return (out, overflow)
    }

    /// `buffer` is `input`'s bytes: scanned through the pointer, cut from `input`.
    private static func parse(_ input: ArraySlice<UInt8>, _ buffer: UnsafeBufferPointer<UInt8>, limit: Int,
                              into out: inout [TargetValue]) -> Bool {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return false }
        return pairs(base, count: buffer.count, limit: limit, reserve: { out.reserveCapacity(out.count + $0) }) {
            name, value, nameEncoded, valueEncoded in
            let name = piece(input, base, name, nameEncoded)
            let value = piece(input, base, value, valueEncoded)
            // Consumed: without it each slice is retained and released again around the
            // append's capacity check.
            out.append(TargetValue(name: consume name, value: consume value))
        }
    }

    /// How many arguments `parse` would make of the `count` bytes at `base` (at most `limit`;
    /// negative: no limit) and whether there are more, without cutting anything: in a loop
    /// without early exits, which the compiler vectorises. The engine's pass over a form body
    /// cuts it (`LiteralScreen.Tables.summarizeForm`) into as many.
    ///
    /// An argument is a non-empty stretch between `&`s: it starts at a byte that is not `&`
    /// and is first or follows an `&`.
    static func shape(_ base: UnsafePointer<UInt8>, count end: Int, limit: Int) -> (arguments: Int, overflow: Bool) {
        guard end > 0 else { return (0, false) }
        var pairs = base[0] != amp ? 1 : 0
        var i = 1
        while i < end {
            // Byte-wide counters in blocks of at most 224 bytes (as `ByteScan.count`; a multiple
            // of the vectorised loop's 32, so only the last block has a scalar tail).
            let blockEnd = min(i &+ 224, end)
            var inBlock: UInt8 = 0
            while i < blockEnd {
                inBlock &+= (base[i &- 1] == amp ? 1 : 0) & (base[i] != amp ? 1 : 0)
                i &+= 1
            }
            pairs &+= Int(inBlock)
        }
        let overflow = limit >= 0 && pairs > limit
        return (overflow ? limit : pairs, overflow)
    }

    /// The splitting rules as `parse` applies them (the form body's pass, `FormCut` in
    /// `LiteralScreen+Form.swift`, applies the same ones as it scans, and
    /// `formPassCutsAsTheParserDoes` holds it to them): hands `pair` each argument's name and
    /// value (offsets from `base`) and whether each must be decoded, at most `limit` of them
    /// (negative: no limit), after telling `reserve` how many there may be. Returns true when
    /// more than `limit` non-empty pairs were present.
    @inline(__always)
    private static func pairs(_ base: UnsafePointer<UInt8>, count end: Int, limit: Int, reserve: (Int) -> Void,
                              _ pair: (Range<Int>, Range<Int>, Bool, Bool) -> Void) -> Bool {
        guard end > 0 else { return false }
        // One slot per possible pair (the `&`s plus one, at most `limit`).
        let possible = ByteScan.count(amp, base, from: 0, to: end) + 1
        reserve(limit < 0 ? possible : min(possible, limit))
        // The loop twice, so the plain one (most inputs hold no `%` or `+` at all) carries
        // nothing of decoding.
        @inline(__always) func cut(plain: Bool) -> Bool {
            @inline(__always) func encoded(_ from: Int, _ to: Int) -> Bool {
                !plain && ByteScan.containsEither(percent, plus, base, from: from, to: to)
            }
            var start = 0
            var taken = 0
            while start < end {
                let stop = ByteScan.first(amp, base, from: start, to: end)
                if stop > start {
                    if taken == limit { return true }
                    taken &+= 1
                    let eq = ByteScan.first(equals, base, from: start, to: stop)
                    // A pair without `=` has an empty value (placed at the end of the text).
                    let value = eq < stop ? (eq &+ 1)..<stop : end..<end
                    pair(start..<eq, value, encoded(start, eq), encoded(value.lowerBound, value.upperBound))
                }
                start = stop &+ 1
            }
            return false
        }
        return ByteScan.containsEither(percent, plus, base, from: 0, to: end) ? cut(plain: false) : cut(plain: true)
    }

    /// Bytes `range` of `input` (offsets from its start; `base` is its first byte): the slice
    /// itself (its storage, not a copy), or decoded (`+` as a space) when `encoded`.
    @inline(__always)
    private static func piece(_ input: ArraySlice<UInt8>, _ base: UnsafePointer<UInt8>, _ range: Range<Int>,
                              _ encoded: Bool) -> ArraySlice<UInt8> {
        if encoded { return decoding(base + range.lowerBound, count: range.count, plusAsSpace: true)[...] }
        return input[(input.startIndex &+ range.lowerBound)..<(input.startIndex &+ range.upperBound)]
    }

    private static let amp: UInt8 = 0x26      // &
    private static let equals: UInt8 = 0x3D   // =
    private static let percent: UInt8 = 0x25  // %
    private static let plus: UInt8 = 0x2B     // +

    /// Percent-decodes `input` (and turns `+` into a space when asked); invalid escapes are kept.
    public static func decode(_ input: ArraySlice<UInt8>, plusAsSpace: Bool) -> [UInt8] {
        input.withUnsafeBufferPointer { decode($0, plusAsSpace: plusAsSpace) }
    }

    static func decode(_ input: UnsafeBufferPointer<UInt8>, plusAsSpace: Bool) -> [UInt8] {
        guard let base = input.baseAddress, input.count > 0 else { return [] }
        // Most names and many values need no decoding: copy them in one go.
        let special = plusAsSpace ? plus : percent
        if !ByteScan.containsEither(percent, special, base, from: 0, to: input.count) {
            return ByteScan.copy(base, from: 0, to: input.count)
        }
        return decoding(base, count: input.count, plusAsSpace: plusAsSpace)
    }

    /// The decoding itself, in place in a copy of the input (decoding only shrinks: each byte
    /// written is at or before the bytes still to read).
    private static func decoding(_ input: UnsafePointer<UInt8>, count n: Int, plusAsSpace: Bool) -> [UInt8] {
        var out = ByteScan.copy(input, from: 0, to: n)
        let written = out.withUnsafeMutableBufferPointer { buffer in
            let bytes = buffer.baseAddress!
            var i = 0
            var o = 0
            while i < n {
                let b = bytes[i]
                if b == percent, i + 2 < n, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) {
                    bytes[o] = hi << 4 | lo
                    i += 3
                } else {
                    bytes[o] = plusAsSpace && b == plus ? 0x20 : b
                    i += 1
                }
                o += 1
            }
            return o
        }
        out.removeLast(n - written)
        return out
    }

    @inline(__always)
    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
