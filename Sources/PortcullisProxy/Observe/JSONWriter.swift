/// Writes one JSON value into a byte buffer, without Foundation: objects, arrays, numbers and
/// strings escaped from arbitrary bytes.
///
/// Why by hand: block-log lines carry attacker bytes (control characters, quotes, invalid UTF-8)
/// and are written on the log thread at the rate of blocked requests; a small escaper over bytes
/// costs no allocation per value and decides exactly what invalid input becomes.
///
/// Strings: `"` and `\` are escaped, control characters (< 0x20, and DEL) become `\n`, `\r`,
/// `\t`, `\b`, `\f` or `\u00XX`; valid UTF-8 passes through; each byte that does not start a
/// valid UTF-8 sequence (overlong forms, surrogates, beyond U+10FFFF, cut-off sequences) becomes
/// U+FFFD, so every line is valid UTF-8 and valid JSON.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// True when the next value is the first in its container (no comma before it).
    private var first = true
    /// True right after a key: the value that follows takes no comma.
    private var afterKey = false

    public init() {}

    public mutating func beginObject() { valueStart(); bytes.append(UInt8(ascii: "{")); first = true }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); first = false }
    public mutating func beginArray() { valueStart(); bytes.append(UInt8(ascii: "[")); first = true }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); first = false }

    /// An object member's name; the next call writes its value.
    public mutating func key(_ name: StaticString) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func int<T: BinaryInteger>(_ value: T) {
        valueStart()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = UInt64(value.magnitude)
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[19 - count] = UInt8(truncatingIfNeeded: 0x30 + magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[(20 - count)...]))
        }
    }

    /// Room for `n` more bytes (a batch of lines is encoded into one buffer).
    public mutating func reserve(_ n: Int) { bytes.reserveCapacity(bytes.count + n) }

    public mutating func bool(_ value: Bool) {
        valueStart()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// A number already formatted as JSON (e.g. `12.345`).
    public mutating func raw(_ number: String) {
        valueStart()
        bytes.append(contentsOf: number.utf8)
    }

    public mutating func null() {
        valueStart()
        bytes.append(contentsOf: "null".utf8)
    }

    /// A JSON string holding `text`'s UTF-8 (cut past `limit` bytes as the byte form does).
    public mutating func string(_ text: String, limit: Int = .max) {
        var copy = text
        copy.withUTF8 { string($0, limit: limit) }
    }

    /// A number with exactly three decimals, `whole.thousandths` (`12.005`); `thousandths` < 1000.
    /// Written as digits: no String formatting per block-log line.
    public mutating func thousandths(whole: UInt64, thousandths: UInt64) {
        int(whole)
        let t = thousandths % 1000
        bytes.append(UInt8(ascii: "."))
        bytes.append(UInt8(truncatingIfNeeded: 0x30 + t / 100))
        bytes.append(UInt8(truncatingIfNeeded: 0x30 + t / 10 % 10))
        bytes.append(UInt8(truncatingIfNeeded: 0x30 + t % 10))
    }

    /// A JSON string from raw bytes; past `limit` input bytes the text is cut at a character
    /// boundary and `...` is appended.
    public mutating func string<C: Collection<UInt8>>(_ raw: C, limit: Int = .max) {
        if let done = raw.withContiguousStorageIfAvailable({ string($0, limit: limit) }) { return done }
        Array(raw).withUnsafeBufferPointer { string($0, limit: limit) }
    }

    public mutating func string(_ raw: UnsafeBufferPointer<UInt8>, limit: Int) {
        valueStart()
        bytes.append(UInt8(ascii: "\""))
        var i = 0
        let n = raw.count
        let end = min(n, limit)
        while i < n {
            // A run of bytes that need no escaping is copied at once.
            var run = i
            while run < end && Self.isPlain(raw[run]) { run += 1 }
            if run > i {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: raw[i..<run]))
                i = run
                if i >= n { break }
            }
            let b = raw[i]
            let length = b < 0x80 ? 1 : Self.validSequenceLength(raw, at: i)
            if i + max(length, 1) > limit {
                bytes.append(contentsOf: "...".utf8)
                break
            }
            switch length {
            case 1 where b < 0x80:
                escapeASCII(b)
            case 0:
                bytes.append(contentsOf: [0xEF, 0xBF, 0xBD])
                i += 1
                continue
            default:
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: raw[i..<(i + length)]))
            }
            i += length
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Printable ASCII other than `"` and `\`: written as is.
    @inline(__always)
    private static func isPlain(_ b: UInt8) -> Bool {
        b >= 0x20 && b < 0x7F && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\")
    }

    /// Ends the line; the next value starts a new top-level value (one JSON value per line).
    public mutating func newline() {
        bytes.append(UInt8(ascii: "\n"))
        first = true
        afterKey = false
    }

    private mutating func valueStart() {
        if afterKey { afterKey = false; return }
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
    }

    private mutating func escapeASCII(_ b: UInt8) {
        switch b {
        case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
        case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
        case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
        case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
        case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
        case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
        case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
        case 0..<0x20, 0x7F:
            let hex: StaticString = "0123456789abcdef"
            bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                      hex.utf8Start[Int(b >> 4)], hex.utf8Start[Int(b & 0xF)]])
        default: bytes.append(b)
        }
    }

    /// Length of the well-formed UTF-8 sequence starting at `i` (RFC 3629, Unicode table 3-7),
    /// or 0 when the byte there does not start one.
    static func validSequenceLength(_ raw: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let b = raw[i]
        let n = raw.count
        func cont(_ k: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool { i + k < n && range.contains(raw[i + k]) }
        switch b {
        case 0xC2...0xDF: return cont(1) ? 2 : 0
        case 0xE0: return cont(1, 0xA0...0xBF) && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : 0
        case 0xED: return cont(1, 0x80...0x9F) && cont(2) ? 3 : 0
        case 0xF0: return cont(1, 0x90...0xBF) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4: return cont(1, 0x80...0x8F) && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }
}
