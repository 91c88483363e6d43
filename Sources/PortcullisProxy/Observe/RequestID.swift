import Glibc

/// Makes the id of each request on one event loop: a random per-process prefix, the loop's index
/// and the loop's request counter, in hex (`3f9a1c07d2e4b5a8-0-1c`).
///
/// Why not random per request: reading random bytes costs a syscall or a generator per request;
/// a random prefix keeps ids from two runs apart, and loop index plus counter keeps them unique
/// within a run with no shared state (no lock, no atomic). An exchange keeps only the number;
/// the text is rendered where it is written. Loop-confined.
struct RequestIDGenerator {
    /// The prefix and loop part, ending with `-`.
    private let stem: [UInt8]
    private var counter: UInt64 = 0

    /// 16 hex digits drawn once per process.
    static let processPrefix: [UInt8] = {
        // The system generator (getrandom) once per process; never per request.
        let value = UInt64.random(in: 0...UInt64.max)
        var hex: [UInt8] = []
        appendHex(value, width: 16, to: &hex)
        return hex
    }()

    init(loopIndex: Int) {
        var stem = Self.processPrefix
        stem.append(UInt8(ascii: "-"))
        Self.appendHex(UInt64(loopIndex), width: 1, to: &stem)
        stem.append(UInt8(ascii: "-"))
        self.stem = stem
    }

    /// The next request's number on this loop (never 0); `render` turns it into the id.
    mutating func next() -> UInt64 {
        counter &+= 1
        return counter
    }

    /// Appends the id of request `number`, as sent in `X-Request-Id`.
    func render(_ number: UInt64, into out: inout [UInt8]) {
        out.append(contentsOf: stem)
        Self.appendHex(number, width: 1, to: &out)
    }

    /// Lowercase hex of `value`, at least `width` digits (at most 16).
    static func appendHex(_ value: UInt64, width: Int, to out: inout [UInt8]) {
        let significant = value == 0 ? 1 : (64 - value.leadingZeroBitCount + 3) / 4
        let n = max(significant, min(width, 16))
        var shift = UInt64(4 * (n - 1))
        for _ in 0..<n {
            let nibble = UInt8(truncatingIfNeeded: (value >> shift) & 0xF)
            out.append(nibble < 10 ? 0x30 + nibble : 0x57 + nibble)
            shift &-= 4
        }
    }
}
