/// A set of byte values (256 bits): which bytes a pattern piece can match (the backtracking lint),
/// which bytes occur in a value, or which bytes a match may start with (the regex prefilters).
struct ByteSet: Sendable, Equatable {
    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    static func == (a: ByteSet, b: ByteSet) -> Bool { a.words == b.words }

    static var all: ByteSet { ByteSet(words: (~0, ~0, ~0, ~0)) }

    init() {}
    init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }
    init(_ bytes: some Sequence<UInt8>) { for b in bytes { insert(b) } }
    init(range: ClosedRange<UInt8>) { for b in range { insert(b) } }

    /// The bytes that occur in `bytes`: one or-into-a-word per byte.
    init(of bytes: UnsafeRawBufferPointer) {
        var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &w) { raw in
            let words = raw.baseAddress!.assumingMemoryBound(to: UInt64.self)
            for b in bytes { words[Int(b &>> 6)] |= UInt64(1) &<< UInt64(b & 63) }
        }
        words = w
    }

    /// The bytes that occur in `bytes`.
    init(of bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { ByteSet(of: $0) }
    }

    mutating func insert(_ b: UInt8) {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    /// `b` and, for an ASCII letter, its other case.
    mutating func insertEitherCase(_ b: UInt8) {
        insert(b)
        if (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) { insert(b ^ 0x20) }
    }

    mutating func formUnion(_ o: ByteSet) {
        words = (words.0 | o.words.0, words.1 | o.words.1, words.2 | o.words.2, words.3 | o.words.3)
    }

    func contains(_ b: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    @inline(__always)
    func intersects(_ o: ByteSet) -> Bool {
        let low: UInt64 = (words.0 & o.words.0) | (words.1 & o.words.1)
        let high: UInt64 = (words.2 & o.words.2) | (words.3 & o.words.3)
        return low | high != 0
    }

    var inverted: ByteSet { ByteSet(words: (~words.0, ~words.1, ~words.2, ~words.3)) }
    var isEmpty: Bool { words == (0, 0, 0, 0) }

    static let digits = ByteSet(range: 0x30...0x39)
    static let word: ByteSet = {
        var s = ByteSet(range: 0x30...0x39)
        s.formUnion(ByteSet(range: 0x41...0x5A))
        s.formUnion(ByteSet(range: 0x61...0x7A))
        s.insert(0x5F)
        return s
    }()
    static let space = ByteSet([0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D])
}
