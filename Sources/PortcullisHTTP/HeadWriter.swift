/// Writes a head's pieces through a raw pointer into memory sized for the whole head, then hands
/// the bytes to an array in one append.
///
/// Why: a forwarded head is two dozen short pieces (names, values, separators), and one
/// `Array.append(contentsOf:)` per piece cost about a hundred instructions in uniqueness and
/// capacity checks and generic slice handling — more than copying the bytes. Here a piece is a
/// bounds check and a copy.
struct HeadWriter: ~Copyable {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private(set) var count = 0

    /// Runs `body` with a writer of `capacity` bytes (on the stack when small) and appends what
    /// it wrote to `out`. A write past `capacity` traps: callers size it from the head itself.
    static func write(capacity: Int, to out: inout [UInt8], _ body: (inout HeadWriter) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { memory in
            var writer = HeadWriter(base: memory.baseAddress!, capacity: capacity)
            body(&writer)
            out.append(contentsOf: UnsafeBufferPointer(start: memory.baseAddress!, count: writer.count))
        }
    }

    private init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    @inline(__always)
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        precondition(n <= capacity &- count, "HeadWriter: head larger than its computed size")
        if n > 0 { (base + count).update(from: bytes.baseAddress!, count: n) }
        count &+= n
    }

    /// `storage[range]`, where `storage` is the head's own bytes.
    @inline(__always)
    mutating func write(_ storage: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        write(UnsafeBufferPointer(rebasing: storage[range]))
    }

    @inline(__always)
    mutating func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { write($0) }
    }

    @inline(__always)
    mutating func write(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBufferPointer { write($0) }
    }

    @inline(__always)
    mutating func write(_ text: StaticString) {
        text.withUTF8Buffer { write($0) }
    }

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        precondition(count < capacity, "HeadWriter: head larger than its computed size")
        base[count] = byte
        count &+= 1
    }

    @inline(__always)
    mutating func crlf() {
        write(Byte.cr)
        write(Byte.lf)
    }

    /// The decimal digits of `value` (at most 20).
    mutating func writeDecimal(_ value: UInt64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of room for 20 digits
        var n = 0
        var v = value
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[23 - n] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                n += 1
            } while v > 0
            write(UnsafeBufferPointer(rebasing: d.bindMemory(to: UInt8.self)[(24 - n)...]))
        }
    }
}
