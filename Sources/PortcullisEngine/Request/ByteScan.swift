import Glibc

/// Byte scans over raw memory for the request parsers, written so the hot ones run at memory speed:
/// finding one byte is glibc's vectorised `memchr`; counting and "any of two bytes" are plain
/// loops without early exits, which the compiler vectorises.
///
/// Why raw pointers: the parsers walk request bytes that arrays own; going through pointers
/// avoids a bounds check and a retain per byte. Callers keep the owning array alive.
enum ByteScan {
    /// Offset of the first `byte` in `base[from..<to]`, or `to` when there is none.
    @inline(__always)
    static func first(_ byte: UInt8, _ base: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
        guard from < to, let hit = memchr(base + from, Int32(byte), to - from) else { return to }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
    }

    /// How many times `byte` occurs in `base[from..<to]`.
    ///
    /// Counted in blocks of at most 255 bytes into a byte-wide counter: the vectorised loop then
    /// handles 16 bytes a step (a word-wide counter gets 4).
    @inline(__always)
    static func count(_ byte: UInt8, _ base: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
        var n = 0
        var i = from
        while i < to {
            let blockEnd = min(i &+ 255, to)
            var inBlock: UInt8 = 0
            while i < blockEnd {
                inBlock &+= base[i] == byte ? 1 : 0
                i &+= 1
            }
            n &+= Int(inBlock)
        }
        return n
    }

    /// True when `a` or `b` occurs in `base[from..<to]`.
    @inline(__always)
    static func containsEither(_ a: UInt8, _ b: UInt8, _ base: UnsafePointer<UInt8>, from: Int, to: Int) -> Bool {
        var seen: UInt8 = 0
        var i = from
        while i < to {
            let c = base[i]
            seen |= (c == a ? 1 : 0) | (c == b ? 1 : 0)
            i &+= 1
        }
        return seen != 0
    }

    /// `base[from..<to]` as a new array of exactly that capacity (no allocation when empty).
    ///
    /// (Not `Array(unsafeUninitializedCapacity:)`: on this toolchain that allocates through an
    /// unspecialised generic path that costs hundreds of instructions per array.)
    @inline(__always)
    static func copy(_ base: UnsafePointer<UInt8>, from: Int, to: Int) -> [UInt8] {
        guard to > from else { return [] }
        return Array(UnsafeBufferPointer(start: base + from, count: to - from))
    }
}
