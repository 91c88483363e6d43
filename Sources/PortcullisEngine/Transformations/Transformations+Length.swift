// The length of a value, as text, so numeric operators can compare it.

extension Transformations {
    /// `length`: the byte count of the value as decimal ASCII digits (`"abc"` → `"3"`).
    ///
    /// Lets a rule bound the size of an argument, header or cookie (buffer-overflow probes,
    /// oversized tokens) with the ordinary numeric comparisons, after whatever decoding came first.
    static func length(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var n = input.count
        // Int.max has 19 digits.
        return written(capacity: 20) { out in
            var digits = 0
            repeat {
                out[digits] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: n % 10)
                n /= 10
                digits += 1
            } while n > 0
            var lo = 0, hi = digits - 1
            while lo < hi {
                out.swapAt(lo, hi)
                lo += 1
                hi -= 1
            }
            return digits
        }
    }
}
