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
    @discardableResult
    public static func parse(_ input: ArraySlice<UInt8>, limit: Int, into out: inout [TargetValue]) -> Bool {
        input.withUnsafeBufferPointer { buffer in
            parse(buffer, limit: limit, into: &out)
        }
    }

    /// The arguments in `input`, at most `limit` of them, and whether there were more.
    public static func parse(_ input: [UInt8], limit: Int) -> (values: [TargetValue], overflow: Bool) {
        var out: [TargetValue] = []
        let overflow = parse(input[...], limit: limit, into: &out)
        return (out, overflow)
    }

    static func parse(_ buffer: UnsafeBufferPointer<UInt8>, limit: Int, into out: inout [TargetValue]) -> Bool {
        let amp = UInt8(ascii: "&")
        let equals = UInt8(ascii: "=")
        var taken = 0
        var start = 0
        let end = buffer.count
        while start < end {
            var stop = start
            var eq = -1
            while stop < end {
                let b = buffer[stop]
                if b == amp { break }
                if b == equals && eq < 0 { eq = stop }
                stop += 1
            }
            if stop > start {
                if taken == limit { return true }
                taken += 1
                let nameEnd = eq < 0 ? stop : eq
                let name = decode(UnsafeBufferPointer(rebasing: buffer[start..<nameEnd]), plusAsSpace: true)
                let value = eq < 0 ? [] : decode(UnsafeBufferPointer(rebasing: buffer[(eq + 1)..<stop]),
                                                 plusAsSpace: true)
                out.append(TargetValue(name: name, value: value))
            }
            start = stop + 1
        }
        return false
    }

    /// Percent-decodes `input` (and turns `+` into a space when asked); invalid escapes are kept.
    public static func decode(_ input: ArraySlice<UInt8>, plusAsSpace: Bool) -> [UInt8] {
        input.withUnsafeBufferPointer { decode($0, plusAsSpace: plusAsSpace) }
    }

    static func decode(_ input: UnsafeBufferPointer<UInt8>, plusAsSpace: Bool) -> [UInt8] {
        let percent = UInt8(ascii: "%")
        let plus = UInt8(ascii: "+")
        // Most names and many values need no decoding: copy them in one go.
        var clean = true
        for b in input where b == percent || (plusAsSpace && b == plus) {
            clean = false
            break
        }
        if clean { return Array(input) }
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = 0
        let n = input.count
        while i < n {
            let b = input[i]
            if b == percent, i + 2 < n, let hi = hexValue(input[i + 1]), let lo = hexValue(input[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(plusAsSpace && b == plus ? UInt8(ascii: " ") : b)
                i += 1
            }
        }
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
