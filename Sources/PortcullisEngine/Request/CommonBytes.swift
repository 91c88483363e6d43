import Glibc

/// Byte strings that most requests carry unchanged (method tokens): a value equal to one of them
/// is served from a ready-made table, which saves making a value array per request.
///
/// Why exact (case-sensitive) matches: values are handed to rules as sent, so only a byte-equal
/// entry may stand in for them.
enum CommonBytes {
    /// The registered methods in use.
    static let methods = Table(["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"])

    /// A fixed set of byte strings, found by length and then bytes.
    struct Table: Sendable {
        let entries: [[UInt8]]
        /// Length of each entry, so most lookups compare integers only.
        let lengths: [Int]

        init(_ strings: [StaticString]) {
            entries = strings.map { $0.withUTF8Buffer { Array($0) } }
            lengths = entries.map { $0.count }
        }

        /// Index of the entry equal to `base[from..<to]`, if any.
        func index(equalTo base: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
            let n = to - from
            return lengths.withUnsafeBufferPointer { lengths in
                for i in 0..<lengths.count where lengths[i] == n {
                    let equal = entries[i].withUnsafeBufferPointer { memcmp($0.baseAddress!, base + from, n) == 0 }
                    if equal { return i }
                }
                return nil
            }
        }
    }
}
