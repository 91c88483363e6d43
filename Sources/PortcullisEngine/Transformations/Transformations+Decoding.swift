// Decoders: each undoes one encoding an attacker can wrap a payload in, so that the operator sees
// what the back end will see after it decodes the same bytes. Malformed escapes are kept as they
// are (never dropped), as ModSecurity does: a decoder that swallowed them would let `%%32%37`-style
// noise hide a payload.

extension Transformations {
    /// Copies `count` leading bytes unchanged: the part a fast-path scan already found clean.
    @inline(__always)
    static func copyPrefix(
        _ s: UnsafeBufferPointer<UInt8>, _ d: UnsafeMutablePointer<UInt8>, _ count: Int
    ) {
        if count > 0 { d.update(from: s.baseAddress!, count: count) }
    }

    // MARK: URL

    /// `url_decode`: decodes `%XX` and `+` (as a space), as a form or query parser does.
    ///
    /// Defeats percent-encoding of keywords and metacharacters (`%27%20OR%201=1`); applied twice it
    /// also defeats double encoding (`%2527` → `%27` → `'`). An invalid or truncated escape (`%`,
    /// `%4`, `%zz`) is kept literally.
    static func urlDecode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        percentDecode(input, iisUnicode: false)
    }

    /// `url_decode_uni`: `url_decode` plus IIS's `%uXXXX`.
    ///
    /// IIS accepted `%u0027` for `'`, and best-fit mapped full-width forms (`%uFF1C` for `<`) to
    /// ASCII, so payloads written that way pass a plain URL decoder untouched. As ModSecurity does
    /// without a code-page map, the low byte of the code point is taken, and full-width ASCII
    /// U+FF01–U+FF5E is mapped to U+0021–U+007E.
    static func urlDecodeUni(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        percentDecode(input, iisUnicode: true)
    }

    @inline(__always)
    private static func percentDecode(_ input: UnsafeBufferPointer<UInt8>, iisUnicode: Bool) -> [UInt8]? {
        guard let start = firstIndex(of: UInt8(ascii: "%"), or: UInt8(ascii: "+"), in: input) else { return nil }
        // Every escape shrinks and `+` maps one to one: the output is never longer.
        return rewrite(input, capacity: input.count) { s, d in
            let n = s.count
            copyPrefix(s, d, start)
            var i = start, o = start
            while i < n {
                let c = s[i]
                if c == UInt8(ascii: "%") {
                    if iisUnicode, i + 1 < n, s[i + 1] | 0x20 == UInt8(ascii: "u") {
                        if i + 5 < n, isHex(s[i + 2]), isHex(s[i + 3]), isHex(s[i + 4]), isHex(s[i + 5]) {
                            d[o] = lowByteMappingFullWidth(s[i + 2], s[i + 3], s[i + 4], s[i + 5])
                            o += 1
                            i += 6
                        } else {
                            // Not a %u escape: keep `%u` and go on after it.
                            d[o] = c
                            d[o + 1] = s[i + 1]
                            o += 2
                            i += 2
                        }
                        continue
                    }
                    if i + 2 < n {
                        let hi = hexNibble(s[i + 1]), lo = hexNibble(s[i + 2])
                        if hi != 0xFF && lo != 0xFF {
                            d[o] = hi << 4 | lo
                            o += 1
                            i += 3
                            continue
                        }
                    }
                    d[o] = c
                } else {
                    d[o] = c == UInt8(ascii: "+") ? UInt8(ascii: " ") : c
                }
                o += 1
                i += 1
            }
            return o
        }
    }

    /// The byte ModSecurity makes of a 16-bit escape `h1 h2 h3 h4` (all hex digits): its low byte,
    /// plus 0x20 for full-width ASCII (U+FF01–U+FF5E), whose low byte is the ASCII code minus 0x20.
    @inline(__always)
    static func lowByteMappingFullWidth(_ h1: UInt8, _ h2: UInt8, _ h3: UInt8, _ h4: UInt8) -> UInt8 {
        let low = hexPair(h3, h4)
        if low > 0x00 && low < 0x5F && h1 | 0x20 == UInt8(ascii: "f") && h2 | 0x20 == UInt8(ascii: "f") {
            return low &+ 0x20
        }
        return low
    }

    // MARK: HTML

    /// `html_entity_decode`: decodes `&#DDD;`, `&#xHH;` and the named entities `&quot; &amp; &lt;
    /// &gt; &nbsp; &apos;` (names case-insensitive), the `;` being optional as browsers allow.
    ///
    /// Defeats entity-encoded XSS in attribute values (`&#106;avascript:`, `&lt;script`), which the
    /// browser decodes before running. Numeric entities yield their low byte, as ModSecurity does;
    /// `&nbsp;` yields 0xA0. Unknown or incomplete entities (`&`, `&#`, `&#x;`, `&foo;`) are kept.
    static func htmlEntityDecode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard let start = firstIndex(of: UInt8(ascii: "&"), in: input) else { return nil }
        // An entity is at least two bytes and decodes to one: the output is never longer.
        return rewrite(input, capacity: input.count) { s, d in
            let n = s.count
            copyPrefix(s, d, start)
            var i = start, o = start
            while i < n {
                let c = s[i]
                if c == UInt8(ascii: "&"), let (byte, next) = entity(s, at: i) {
                    d[o] = byte
                    o += 1
                    i = next
                    continue
                }
                d[o] = c
                o += 1
                i += 1
            }
            return o
        }
    }

    /// The entity starting at the `&` at `i`: its byte and the index after it (and its `;`).
    @inline(__always)
    private static func entity(_ s: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt8, Int)? {
        let n = s.count
        var j = i + 1
        guard j < n else { return nil }
        let value: UInt8
        if s[j] == UInt8(ascii: "#") {
            j += 1
            guard j < n else { return nil }
            var v: UInt8 = 0
            let first: Int
            if s[j] | 0x20 == UInt8(ascii: "x") {
                j += 1
                first = j
                // Wrapping arithmetic keeps the low byte of the number, whatever its length.
                while j < n {
                    let nib = hexNibble(s[j])
                    if nib == 0xFF { break }
                    v = v &<< 4 | nib
                    j += 1
                }
            } else {
                first = j
                while j < n, s[j] >= UInt8(ascii: "0"), s[j] <= UInt8(ascii: "9") {
                    v = v &* 10 &+ (s[j] &- UInt8(ascii: "0"))
                    j += 1
                }
            }
            guard j > first else { return nil }
            value = v
        } else {
            let first = j
            while j < n, isAlnum(s[j]) { j += 1 }
            guard let v = namedEntity(s, first, j) else { return nil }
            value = v
        }
        if j < n && s[j] == UInt8(ascii: ";") { j += 1 }
        return (value, j)
    }

    @inline(__always)
    private static func isAlnum(_ c: UInt8) -> Bool {
        let l = c | 0x20
        return (c >= 0x30 && c <= 0x39) || (l >= 0x61 && l <= 0x7A)
    }

    /// The byte of the named entity `s[from..<to]`, compared case-insensitively, or nil.
    private static func namedEntity(_ s: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> UInt8? {
        @inline(__always) func at(_ k: Int) -> UInt8 { s[from + k] | 0x20 }
        switch to - from {
        case 2:
            guard at(1) == UInt8(ascii: "t") else { return nil }
            switch at(0) {
            case UInt8(ascii: "l"): return UInt8(ascii: "<")
            case UInt8(ascii: "g"): return UInt8(ascii: ">")
            default: return nil
            }
        case 3:
            return at(0) == UInt8(ascii: "a") && at(1) == UInt8(ascii: "m") && at(2) == UInt8(ascii: "p")
                ? UInt8(ascii: "&") : nil
        case 4:
            let w = UInt32(at(0)) << 24 | UInt32(at(1)) << 16 | UInt32(at(2)) << 8 | UInt32(at(3))
            switch w {
            case 0x7175_6F74: return UInt8(ascii: "\"")  // quot
            case 0x6E62_7370: return 0xA0                // nbsp
            case 0x6170_6F73: return UInt8(ascii: "'")   // apos
            default: return nil
            }
        default:
            return nil
        }
    }

    // MARK: JavaScript

    /// `js_decode`: decodes JavaScript string escapes — `\xHH`, `\uHHHH` (low byte, full-width
    /// ASCII mapped to ASCII), octal `\O` to `\OOO` (at most one byte), `\a \b \f \n \r \t \v`, and
    /// `\c` → `c` for any other character.
    ///
    /// Defeats payloads spelled inside script strings (`\x3cscript\x3e`, `\u0061lert`), which the
    /// JavaScript engine decodes before use. A truncated escape (`\x4`, `\u12`) falls back to the
    /// `\c` rule, as in ModSecurity (`\x4` → `x4`); a lone trailing `\` is kept.
    static func jsDecode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard let start = firstIndex(of: UInt8(ascii: "\\"), in: input) else { return nil }
        // Every escape is at least two bytes and decodes to one.
        return rewrite(input, capacity: input.count) { s, d in
            let n = s.count
            copyPrefix(s, d, start)
            var i = start, o = start
            while i < n {
                let c = s[i]
                guard c == UInt8(ascii: "\\"), i + 1 < n else {
                    d[o] = c
                    o += 1
                    i += 1
                    continue
                }
                let e = s[i + 1]
                if e == UInt8(ascii: "u"), i + 5 < n,
                   isHex(s[i + 2]), isHex(s[i + 3]), isHex(s[i + 4]), isHex(s[i + 5]) {
                    d[o] = lowByteMappingFullWidth(s[i + 2], s[i + 3], s[i + 4], s[i + 5])
                    i += 6
                } else if e == UInt8(ascii: "x"), i + 3 < n, isHex(s[i + 2]), isHex(s[i + 3]) {
                    d[o] = hexPair(s[i + 2], s[i + 3])
                    i += 4
                } else if isOctal(e) {
                    var digits = 1
                    while digits < 3, i + 1 + digits < n, isOctal(s[i + 1 + digits]) { digits += 1 }
                    // \400 and above would not fit a byte: take two digits, as ModSecurity does.
                    if digits == 3 && e > UInt8(ascii: "3") { digits = 2 }
                    var v: UInt8 = 0
                    for k in 0..<digits { v = v &<< 3 | (s[i + 1 + k] &- UInt8(ascii: "0")) }
                    d[o] = v
                    i += 1 + digits
                } else {
                    d[o] = simpleEscape(e)
                    i += 2
                }
                o += 1
            }
            return o
        }
    }

    @inline(__always)
    private static func isOctal(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x37 }

    /// The byte a one-letter C/JavaScript escape stands for; any other character stands for itself.
    @inline(__always)
    private static func simpleEscape(_ e: UInt8) -> UInt8 {
        switch e {
        case UInt8(ascii: "a"): 0x07
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        case UInt8(ascii: "v"): 0x0B
        default: e
        }
    }

    // MARK: CSS

    /// `css_decode`: decodes CSS 2 escapes — `\` and one to six hex digits (optionally followed by
    /// one whitespace, which belongs to the escape), `\` newline (a line continuation, removed),
    /// and `\c` → `c`.
    ///
    /// Defeats CSS-borne script (`\6a avascript:`, `exp\72 ession(`), which the browser decodes.
    /// As ModSecurity does, a number is reduced to its last byte, and full-width ASCII
    /// (`\ff3c`, `\0ff3c`, `\00ff3c`) is mapped to ASCII. A trailing lone `\` is removed.
    static func cssDecode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard let start = firstIndex(of: UInt8(ascii: "\\"), in: input) else { return nil }
        // Every escape is at least two bytes and decodes to at most one.
        return rewrite(input, capacity: input.count) { s, d in
            let n = s.count
            copyPrefix(s, d, start)
            var i = start, o = start
            while i < n {
                let c = s[i]
                if c != UInt8(ascii: "\\") {
                    d[o] = c
                    o += 1
                    i += 1
                    continue
                }
                i += 1  // the backslash itself never survives
                guard i < n else { break }
                var j = 0
                while j < 6, i + j < n, isHex(s[i + j]) { j += 1 }
                if j > 0 {
                    var b: UInt8
                    let fullWidthCheck: Bool
                    switch j {
                    case 1:
                        b = hexNibble(s[i])
                        fullWidthCheck = false
                    case 2, 3:
                        b = hexPair(s[i + j - 2], s[i + j - 1])
                        fullWidthCheck = false
                    case 4:
                        b = hexPair(s[i + 2], s[i + 3])
                        fullWidthCheck = true
                    case 5:
                        b = hexPair(s[i + 3], s[i + 4])
                        fullWidthCheck = s[i] == UInt8(ascii: "0")
                    default:
                        b = hexPair(s[i + 4], s[i + 5])
                        fullWidthCheck = s[i] == UInt8(ascii: "0") && s[i + 1] == UInt8(ascii: "0")
                    }
                    if fullWidthCheck, b > 0x00, b < 0x5F,
                       s[i + j - 3] | 0x20 == UInt8(ascii: "f"), s[i + j - 4] | 0x20 == UInt8(ascii: "f") {
                        b &+= 0x20
                    }
                    d[o] = b
                    o += 1
                    if i + j < n && isCSpace(s[i + j]) { j += 1 }
                    i += j
                } else if s[i] == UInt8(ascii: "\n") {
                    i += 1
                } else {
                    d[o] = s[i]
                    o += 1
                    i += 1
                }
            }
            return o
        }
    }

    // MARK: Base64 and hex

    /// `base64_decode`: decodes Base64 forgivingly, as ModSecurity's `base64DecodeExt`: bytes
    /// outside the alphabet (whitespace, `.`, …) are skipped, both the standard (`+/`) and the
    /// URL-safe (`-_`) alphabets are accepted, `=` is skipped, and a trailing partial group yields
    /// the whole bytes it holds. A `=` right after a lone sextet (which cannot end a group) makes
    /// the value invalid and the result empty.
    ///
    /// Defeats payloads smuggled in Base64 (headers, cookies, `data:` URIs) and padding or
    /// whitespace noise meant to make a strict decoder give up.
    static func base64Decode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        if input.isEmpty { return nil }
        // Four sextets make three bytes; a partial group makes at most two.
        return base64Sextets.withUnsafeBufferPointer { table in
            rewrite(input, capacity: input.count / 4 * 3 + 3) { s, d in
                let n = s.count
                let src = s.baseAddress!
                var i = 0, o = 0
                // The sextets of the group being read (`pending` of them, at most three).
                var acc: UInt64 = 0
                var pending = 0
                // Wrapping arithmetic and masking shifts in the hot loop: indices stay below the
                // input's count and the output's capacity, and shifts below 64, by construction.
                while i < n {
                    if i &+ 4 <= n {
                        // Four digits in a row (nearly always): one test, then their three bytes
                        // finish the oldest group, whatever is pending before them.
                        let a = table[Int(src[i])], b = table[Int(src[i &+ 1])]
                        let c = table[Int(src[i &+ 2])], e = table[Int(src[i &+ 3])]
                        if (a | b | c | e) & 0x80 == 0 {
                            acc = acc &<< 24 | UInt64(a) &<< 18 | UInt64(b) &<< 12 | UInt64(c) &<< 6 | UInt64(e)
                            let shift = UInt64(truncatingIfNeeded: pending &* 6)
                            let group = acc &>> shift
                            d[o] = UInt8(truncatingIfNeeded: group &>> 16)
                            d[o &+ 1] = UInt8(truncatingIfNeeded: group &>> 8)
                            d[o &+ 2] = UInt8(truncatingIfNeeded: group)
                            o &+= 3
                            acc &= (1 &<< shift) &- 1
                            i &+= 4
                            continue
                        }
                    }
                    let v = table[Int(src[i])]
                    i += 1
                    if v & 0x80 != 0 {
                        // `=` after a lone sextet makes the value invalid; anything else is skipped.
                        if v == base64Pad && pending == 1 { return 0 }
                        continue
                    }
                    acc = acc << 6 | UInt64(v)
                    pending += 1
                    if pending == 4 {
                        d[o] = UInt8(truncatingIfNeeded: acc >> 16)
                        d[o + 1] = UInt8(truncatingIfNeeded: acc >> 8)
                        d[o + 2] = UInt8(truncatingIfNeeded: acc)
                        o += 3
                        acc = 0
                        pending = 0
                    }
                }
                if pending == 2 {
                    d[o] = UInt8(truncatingIfNeeded: acc >> 4)
                    o += 1
                } else if pending == 3 {
                    d[o] = UInt8(truncatingIfNeeded: acc >> 10)
                    d[o + 1] = UInt8(truncatingIfNeeded: acc >> 2)
                    o += 2
                }
                return o
            }
        }
    }

    /// Per byte: its value as a Base64 digit (`A`–`Z` 0–25, `a`–`z` 26–51, `0`–`9` 52–61, `+` and
    /// `-` 62, `/` and `_` 63), `base64Pad` for `=`, or 0xFF (skipped). Both markers have bit 7
    /// set, so one test tells digits from the rest. A literal, so it needs no initialisation.
    /// Internal: `Base64Preimage` derives which bytes make each sextet from it.
    static let base64Sextets: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // 00–0F
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // 10–1F
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x3E, 0xFF, 0x3E, 0xFF, 0x3F,  // 20–2F
        0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF,  // 30–3F
        0xFF, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E,  // 40–4F
        0x0F, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0xFF, 0xFF, 0xFF, 0xFF, 0x3F,  // 50–5F
        0xFF, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,  // 60–6F
        0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F, 0x30, 0x31, 0x32, 0x33, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // 70–7F
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // 80–8F
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // 90–9F
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // A0–AF
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // B0–BF
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // C0–CF
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // D0–DF
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // E0–EF
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // F0–FF
    ]

    private static let base64Pad: UInt8 = 0xFE

    /// `hex_decode`: decodes pairs of hex digits (`414243` → `ABC`), either case.
    ///
    /// Defeats payloads sent hex-encoded to an application that decodes them. A pair that is not
    /// two hex digits is kept as it is, and a trailing odd digit is dropped (as ModSecurity and
    /// Coraza drop it).
    static func hexDecode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        // The first pair that decodes, else the odd last byte that is dropped; with neither the
        // value is unchanged: the input itself. Pairs before it are copied as they are.
        let start: Int? = {
            let s = input
            let n = s.count
            var i = 0
            while i &+ 1 < n {
                if isHex(s[i]) && isHex(s[i &+ 1]) { return i }
                i &+= 2
            }
            return n % 2 != 0 ? n &- 1 : nil
        }()
        guard let start else { return nil }
        return rewrite(input, capacity: input.count) { s, d in
            let n = s.count
            copyPrefix(s, d, start)
            var i = start, o = start
            while i + 1 < n {
                let hi = hexNibble(s[i]), lo = hexNibble(s[i + 1])
                if hi != 0xFF && lo != 0xFF {
                    d[o] = hi << 4 | lo
                    o += 1
                } else {
                    d[o] = s[i]
                    d[o + 1] = s[i + 1]
                    o += 2
                }
                i += 2
            }
            return o
        }
    }

    // MARK: UTF-8

    /// `utf8_to_unicode`: rewrites each multi-byte UTF-8 sequence as `%uXXXX` (lowercase hex, at
    /// least four digits), leaving ASCII and bytes that start no well-formed sequence as they are.
    ///
    /// Lets one pattern written against `%uXXXX` catch a character however it was sent, and —
    /// because overlong forms (`C0 AF` for `/`, `E0 80 AF`) and surrogates are decoded by their
    /// bits too, as ModSecurity does — exposes them: `%c0%af` becomes `%u002f`, which a path
    /// traversal rule can match, where a strict decoder would have passed it on as noise.
    static func utf8ToUnicode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard let start = firstIndex(input, where: { $0 >= 0x80 }, skipping: hasHighByte) else { return nil }
        // Worst case: a two-byte sequence becomes six bytes.
        return rewrite(input, capacity: input.count * 3) { s, d in
            let n = s.count
            copyPrefix(s, d, start)
            var i = start, o = start
            while i < n {
                let c = s[i]
                var length = 0
                var code: UInt32 = 0
                if c >= 0xC0 && c < 0xE0 {
                    length = 2
                    code = UInt32(c & 0x1F)
                } else if c >= 0xE0 && c < 0xF0 {
                    length = 3
                    code = UInt32(c & 0x0F)
                } else if c >= 0xF0 && c < 0xF8 {
                    length = 4
                    code = UInt32(c & 0x07)
                }
                if length > 0 && i + length <= n {
                    var k = 1
                    while k < length, s[i + k] & 0xC0 == 0x80 {
                        code = code << 6 | UInt32(s[i + k] & 0x3F)
                        k += 1
                    }
                    if k == length {
                        o = writeUnicodeEscape(code, into: d, at: o)
                        i += length
                        continue
                    }
                }
                d[o] = c
                o += 1
                i += 1
            }
            return o
        }
    }

    /// Writes `%u` and `code` in lowercase hex, zero-padded to four digits; returns the new index.
    @inline(__always)
    private static func writeUnicodeEscape(
        _ code: UInt32, into d: UnsafeMutablePointer<UInt8>, at o: Int
    ) -> Int {
        var digits = 4
        while digits < 8 && code >> (UInt32(digits) * 4) != 0 { digits += 1 }
        d[o] = UInt8(ascii: "%")
        d[o + 1] = UInt8(ascii: "u")
        for k in 0..<digits {
            d[o + 2 + k] = lowerHexDigit(code >> (UInt32(digits - 1 - k) * 4))
        }
        return o + 2 + digits
    }
}
