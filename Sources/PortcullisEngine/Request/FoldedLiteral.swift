/// An ASCII literal that bytes are compared with ignoring case, eight bytes at a time: each
/// word of the bytes, with the case bit (0x20) set where the literal has a letter, must equal the
/// literal's lowercase word. Exact: at a letter's place only its two cases give the letter, at any
/// other place only the byte itself.
///
/// Why: recognizing the common media types and field names (`BodyContentType`) with
/// `ASCII.equalsIgnoringCase` cost ~15 instructions a byte; a form request paid ~1.2k for its
/// `Content-Type` alone.
struct FoldedLiteral: Sendable {
    /// The literal's length in bytes.
    let count: Int
    /// Its bytes, lowercase, in little-endian words (the last one zero-padded).
    private let words: [UInt64]
    /// The case bit at each of its letters' places.
    private let caseBits: [UInt64]

    init(_ text: String) {
        let bytes = Array(text.utf8)
        count = bytes.count
        var words = [UInt64](repeating: 0, count: (bytes.count + 7) / 8)
        var caseBits = words
        for (i, b) in bytes.enumerated() {
            let isLetter = (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z")
            let shift = UInt64(8 * (i % 8))
            words[i / 8] |= UInt64(isLetter ? b | 0x20 : b) << shift
            if isLetter { caseBits[i / 8] |= 0x20 << shift }
        }
        self.words = words
        self.caseBits = caseBits
    }

    /// True when `bytes` starts with the literal, ignoring ASCII case.
    @inline(__always)
    func isPrefix(of bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= count, let base = bytes.baseAddress else { return count == 0 }
        return words.withUnsafeBufferPointer { words in
            caseBits.withUnsafeBufferPointer { caseBits in
                var k = 0
                var i = 0
                while i &+ 8 <= count {
                    let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                    if word | caseBits[k] != words[k] { return false }
                    k &+= 1
                    i &+= 8
                }
                // The last bytes one by one (no read past `bytes`).
                var shift: UInt64 = 0
                while i < count {
                    let b = UInt64(base.load(fromByteOffset: i, as: UInt8.self))
                    if (b << shift) | (caseBits[k] & (0xFF << shift)) != words[k] & (0xFF << shift) { return false }
                    shift &+= 8
                    i &+= 1
                }
                return true
            }
        }
    }

    /// True when `bytes` is the literal, ignoring ASCII case.
    @inline(__always)
    func matches(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count == count && isPrefix(of: bytes)
    }
}
