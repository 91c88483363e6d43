/// Iterates the comma-separated elements of a list-valued field (RFC 9110 5.6.1), each trimmed of
/// OWS; empty elements are returned as empty ranges so callers can decide how strict to be.
struct ListElements {
    private let buf: UnsafeBufferPointer<UInt8>
    private var pos: Int
    private let end: Int
    private var done = false

    init(_ buf: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        self.buf = buf
        self.pos = range.lowerBound
        self.end = range.upperBound
    }

    mutating func next() -> Range<Int>? {
        if done { return nil }
        var s = pos
        var e = pos
        while e < end && buf[e] != Byte.comma { e += 1 }
        if e == end { done = true } else { pos = e + 1 }
        var trimmedEnd = e
        while s < trimmedEnd && CharClass.isOWS(buf[s]) { s += 1 }
        while trimmedEnd > s && CharClass.isOWS(buf[trimmedEnd - 1]) { trimmedEnd -= 1 }
        return s..<trimmedEnd
    }

    /// True when every byte of `range` is a tchar and it is not empty.
    static func isToken(_ buf: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        if range.isEmpty { return false }
        for i in range where !CharClass.isToken(buf[i]) { return false }
        return true
    }

    /// ASCII case-insensitive equality of `buf[range]` with a lowercase literal.
    static func equals(_ buf: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ lowercase: StaticString) -> Bool {
        guard range.count == lowercase.utf8CodeUnitCount else { return false }
        let p = lowercase.utf8Start
        var k = 0
        for i in range {
            if ASCII.lower(buf[i]) != p[k] { return false }
            k += 1
        }
        return true
    }
}
