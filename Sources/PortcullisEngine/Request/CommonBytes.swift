import Glibc

/// Byte strings that most requests carry unchanged (common field names, method tokens): a value
/// equal to one of them shares the table's storage instead of being copied, which saves an
/// allocation and a free per value on the hot path.
///
/// Why exact (case-sensitive) matches: values are handed to rules as sent, so only a byte-equal
/// entry may stand in for them.
enum CommonBytes {
    /// Field names in the spelling browsers, curl and load generators send.
    static let fieldNames = Table([
        "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Accept-Charset",
        "Connection", "Content-Type", "Content-Length", "Cookie", "Referer", "Origin", "Cache-Control",
        "Pragma", "Authorization", "Upgrade-Insecure-Requests", "X-Forwarded-For", "X-Forwarded-Proto",
        "X-Forwarded-Host", "X-Real-IP", "X-Requested-With", "If-None-Match", "If-Modified-Since", "DNT",
        "Priority", "TE", "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest", "Sec-Fetch-User",
        "Sec-CH-UA", "Sec-CH-UA-Mobile", "Sec-CH-UA-Platform", "Range", "Expect", "Transfer-Encoding",
    ])

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

        /// The entry equal to `base[from..<to]`, if any.
        func entry(equalTo base: UnsafePointer<UInt8>, from: Int, to: Int) -> [UInt8]? {
            guard let index = index(equalTo: base, from: from, to: to) else { return nil }
            return entries[index]
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
