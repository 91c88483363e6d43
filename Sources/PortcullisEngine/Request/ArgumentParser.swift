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
        let end = buffer.count
        // One slot per possible pair (the `&`s plus one, at most `limit`).
        let pairs = ByteScan.count(amp, base, from: 0, to: end) + 1
        let slots = limit < 0 ? pairs : min(pairs, limit)
        // Most inputs hold no `%` or `+` at all: then every name and value is a plain slice.
        let plain = !ByteScan.containsEither(percent, plus, base, from: 0, to: end)
        out.reserveCapacity(out.count + slots)
        var overflow = false
        // The loop twice, so the plain one carries nothing of decoding.
        @inline(__always) func cut(plain: Bool) {
            var start = 0
            var taken = 0
            while start < end {
                let stop = ByteScan.first(amp, base, from: start, to: end)
                if stop > start {
                    if taken == limit {
                        overflow = true
                        return
                    }
                    taken &+= 1
                    let eq = ByteScan.first(equals, base, from: start, to: stop)
                    let name = piece(input, base, start, eq, plain: plain)
                    let value = eq < stop ? piece(input, base, eq &+ 1, stop, plain: plain) : input[input.endIndex...]
                    // Consumed: without it each slice is retained and released again around the
                    // append's capacity check.
                    out.append(TargetValue(name: consume name, value: consume value))
                }
                start = stop &+ 1
            }
        }
        if plain { cut(plain: true) } else { cut(plain: false) }
        return overflow
    }

    private static let amp: UInt8 = 0x26      // &
    private static let equals: UInt8 = 0x3D   // =
    private static let percent: UInt8 = 0x25  // %
    private static let plus: UInt8 = 0x2B     // +

    /// Bytes `from..<to` of `input` (offsets from its start; `base` is its first byte) decoded
    /// with `+` as a space: the slice itself when nothing needs decoding (`plain`: the whole input).
    @inline(__always)
    private static func piece(_ input: ArraySlice<UInt8>, _ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int,
                              plain: Bool) -> ArraySlice<UInt8> {
        if plain || !ByteScan.containsEither(percent, plus, base, from: from, to: to) {
            return input[(input.startIndex &+ from)..<(input.startIndex &+ to)]
        }
        return decoding(base + from, count: to - from, plusAsSpace: true)[...]
    }

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
