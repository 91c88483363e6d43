/// A set of IPv4 and IPv6 CIDR blocks (and single addresses), built once and searched by binary
/// search over sorted, merged address ranges.
///
/// All addresses live in one 128-bit space: IPv4 `a.b.c.d` is stored as the v4-mapped IPv6
/// address `::ffff:a.b.c.d`, so a v4-mapped client matches IPv4 blocks and an IPv4 block
/// `a.b.c.d/n` is the IPv6 block `::ffff:a.b.c.d/(96+n)`. Consequently `::/0` holds every
/// address, while `0.0.0.0/0` holds IPv4 (and v4-mapped) addresses only.
///
/// Parsing is done here on bytes (no `inet_pton`, no C string per lookup) and follows
/// `inet_pton`'s grammar: dotted quads with 1–3 digit parts and no leading zeros; IPv6 with one
/// `::` at most and an optional trailing dotted quad. Values may carry an IPv6 zone (`%eth0`),
/// which is ignored. Entries with host bits set below the prefix (`10.0.0.1/8`) are accepted and
/// masked, as ModSecurity's `@ipMatch` does.
public struct IPSet: Sendable {
    /// One inclusive range of the 128-bit space.
    struct Block: Sendable {
        var low: IPAddress
        var high: IPAddress
    }

    /// Number of entries given (before merging).
    public let entryCount: Int
    /// Sorted, non-overlapping, non-adjacent ranges.
    let blocks: [Block]

    /// Parses every entry; a bad one throws with its index. An empty list is an error.
    public init(_ entries: [String]) throws(OperatorError) {
        guard !entries.isEmpty else { throw OperatorError(message: "ip_in: empty address list") }
        var ranges: [Block] = []
        ranges.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            let bytes = Array(entry.utf8)
            let parsed = bytes.withUnsafeBytes { IPAddress.parseBlock($0) }
            switch parsed {
            case .success(let block): ranges.append(block)
            case .failure(let why):
                throw OperatorError(message: "ip_in: \(why) in \"\(entry)\"", entry: index)
            }
        }
        ranges.sort { $0.low < $1.low }
        var merged: [Block] = []
        for range in ranges {
            if var last = merged.last,
               range.low <= last.high || (last.high != .allOnes && range.low == last.high.successor) {
                if last.high < range.high { last.high = range.high }
                merged[merged.count - 1] = last
            } else {
                merged.append(range)
            }
        }
        self.entryCount = entries.count
        self.blocks = merged
    }

    /// True when `address` lies in one of the blocks.
    public func contains(_ address: IPAddress) -> Bool {
        // The last block whose low end is ≤ address.
        var lo = 0
        var hi = blocks.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if blocks[mid].low <= address { lo = mid + 1 } else { hi = mid }
        }
        return lo > 0 && address <= blocks[lo - 1].high
    }

    /// True when `text` is an address (IPv4, IPv6, v4-mapped) inside one of the blocks; text that
    /// is not an address is not in the set.
    public func contains(text: UnsafeRawBufferPointer) -> Bool {
        guard let address = IPAddress.parseAddress(text) else { return false }
        return contains(address)
    }

    /// Number of merged ranges searched per lookup.
    public var rangeCount: Int { blocks.count }
}

/// A 128-bit address; IPv4 addresses are stored v4-mapped (`::ffff:a.b.c.d`).
public struct IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The v4-mapped form of an IPv4 address.
    public init(v4: UInt32) {
        self.init(high: 0, low: 0xFFFF_0000_0000 | UInt64(v4))
    }

    static let allOnes = IPAddress(high: .max, low: .max)

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        a.high != b.high ? a.high < b.high : a.low < b.low
    }

    var successor: IPAddress {
        low == .max ? IPAddress(high: high &+ 1, low: 0) : IPAddress(high: high, low: low + 1)
    }

    /// Network mask with the top `prefix` bits set (0…128).
    static func mask(prefix: Int) -> IPAddress {
        let highBits = Swift.min(prefix, 64)
        let lowBits = Swift.max(prefix - 64, 0)
        return IPAddress(high: highBits == 0 ? 0 : ~0 << (64 - highBits),
                         low: lowBits == 0 ? 0 : ~0 << (64 - lowBits))
    }

    /// True for `::ffff:0:0/96`, i.e. an IPv4 address.
    public var isV4Mapped: Bool { high == 0 && low >> 32 == 0xFFFF }

    public var description: String {
        if isV4Mapped {
            let v = UInt32(truncatingIfNeeded: low)
            return "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
        }
        var words: [String] = []
        for i in 0..<8 {
            let part = i < 4 ? high >> (48 - 16 * UInt64(i)) : low >> (48 - 16 * UInt64(i - 4))
            words.append(String(UInt16(truncatingIfNeeded: part), radix: 16))
        }
        return words.joined(separator: ":")
    }

    // MARK: Parsing

    /// Parses an address (IPv4 or IPv6, optional `%zone` on IPv6); nil if it is not one.
    public static func parseAddress(_ text: UnsafeRawBufferPointer) -> IPAddress? {
        var end = text.count
        var sawColon = false
        for i in 0..<text.count {
            let b = text[i]
            if b == UInt8(ascii: ":") { sawColon = true }
            if b == UInt8(ascii: "%") {
                guard sawColon, i + 1 < text.count else { return nil }
                end = i
                break
            }
        }
        if sawColon { return parseV6(text, 0, end) }
        return parseV4(text, 0, end).map { IPAddress(v4: $0) }
    }

    /// Parses `address` or `address/prefix` into an inclusive range, or says what is wrong.
    static func parseBlock(_ text: UnsafeRawBufferPointer) -> Result<IPSet.Block, BlockParseError> {
        var start = 0
        var end = text.count
        while start < end && text[start] == 0x20 { start += 1 }
        while end > start && text[end - 1] == 0x20 { end -= 1 }
        var slash: Int?
        for i in start..<end where text[i] == UInt8(ascii: "/") {
            slash = i
            break
        }
        let addressEnd = slash ?? end
        let isV6 = (start..<addressEnd).contains { text[$0] == UInt8(ascii: ":") }
        let address: IPAddress
        if isV6 {
            guard let a = parseV6(text, start, addressEnd) else { return .failure(.init("bad IPv6 address")) }
            address = a
        } else {
            guard let a = parseV4(text, start, addressEnd) else { return .failure(.init("bad IPv4 address")) }
            address = IPAddress(v4: a)
        }
        var prefix = 128
        if let slash {
            let maxPrefix = isV6 ? 128 : 32
            var value = 0
            var digits = 0
            for i in (slash + 1)..<end {
                let d = text[i] &- 0x30
                guard d < 10, digits < 3 else { return .failure(.init("bad prefix length")) }
                value = value * 10 + Int(d)
                digits += 1
            }
            guard digits > 0, value <= maxPrefix else {
                return .failure(.init("prefix length must be 0…\(maxPrefix)"))
            }
            prefix = isV6 ? value : 96 + value
        }
        let mask = mask(prefix: prefix)
        let low = IPAddress(high: address.high & mask.high, low: address.low & mask.low)
        let high = IPAddress(high: low.high | ~mask.high, low: low.low | ~mask.low)
        return .success(IPSet.Block(low: low, high: high))
    }

    struct BlockParseError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Dotted quad in `text[start..<end]`: four 1–3 digit parts ≤ 255, no leading zeros.
    static func parseV4(_ text: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> UInt32? {
        var result: UInt32 = 0
        var part: UInt32 = 0
        var digits = 0
        var parts = 0
        var i = start
        while i < end {
            let b = text[i]
            if b == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                result = result << 8 | part
                parts += 1
                part = 0
                digits = 0
            } else {
                let d = b &- 0x30
                guard d < 10, !(digits > 0 && part == 0) else { return nil }   // leading zero
                part = part * 10 + UInt32(d)
                digits += 1
                guard part <= 255 else { return nil }
            }
            i += 1
        }
        guard digits > 0, parts == 3 else { return nil }
        return result << 8 | part
    }

    /// IPv6 text in `text[start..<end]`: up to eight 1–4 digit hex groups, one `::` at most, the
    /// last 32 bits optionally as a dotted quad.
    static func parseV6(_ text: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> IPAddress? {
        // Groups before `::` go to `head`, after it to `tail`; each shifted in 16 bits at a time.
        var head = IPAddress(high: 0, low: 0)
        var tail = IPAddress(high: 0, low: 0)
        var headCount = 0
        var tailCount = 0
        var sawGap = false
        var i = start
        let colon = UInt8(ascii: ":")
        guard end - start >= 2 else { return nil }
        if text[i] == colon {
            guard text[i + 1] == colon else { return nil }
            sawGap = true
            i += 2
            if i == end { return head }
        }
        while true {
            // One group: hex digits, or a dotted quad ending the address.
            var value: UInt64 = 0
            var j = i
            while j < end, j - i < 5, let h = hexValue(text[j]) {
                value = value << 4 | UInt64(h)
                j += 1
            }
            if j < end && text[j] == UInt8(ascii: ".") {
                guard let v4 = parseV4(text, i, end) else { return nil }
                guard headCount + tailCount + 2 <= (sawGap ? 7 : 8) else { return nil }
                if sawGap {
                    tail = tail.shifted(16, or: UInt64(v4 >> 16)).shifted(16, or: UInt64(v4 & 0xFFFF))
                    tailCount += 2
                } else {
                    head = head.shifted(16, or: UInt64(v4 >> 16)).shifted(16, or: UInt64(v4 & 0xFFFF))
                    headCount += 2
                }
                break
            }
            guard j > i, j - i <= 4 else { return nil }
            guard headCount + tailCount + 1 <= (sawGap ? 7 : 8) else { return nil }
            if sawGap {
                tail = tail.shifted(16, or: value)
                tailCount += 1
            } else {
                head = head.shifted(16, or: value)
                headCount += 1
            }
            if j == end { break }
            guard text[j] == colon, j + 1 < end else { return nil }
            j += 1
            if text[j] == colon {
                guard !sawGap else { return nil }
                sawGap = true
                j += 1
                if j == end { break }
            }
            i = j
        }
        if !sawGap {
            return headCount == 8 ? head : nil
        }
        // `::` stands for at least one zero group.
        guard headCount + tailCount <= 7 else { return nil }
        let shiftedHead = head.shiftedLeft(by: 16 * (8 - headCount))
        return IPAddress(high: shiftedHead.high | tail.high, low: shiftedHead.low | tail.low)
    }

    @inline(__always)
    private static func hexValue(_ b: UInt8) -> UInt8? {
        if b &- 0x30 < 10 { return b &- 0x30 }
        let l = b | 0x20
        if l &- 0x61 < 6 { return l &- 0x61 + 10 }
        return nil
    }

    private func shifted(_ bits: Int, or value: UInt64) -> IPAddress {
        let s = shiftedLeft(by: bits)
        return IPAddress(high: s.high, low: s.low | value)
    }

    private func shiftedLeft(by bits: Int) -> IPAddress {
        if bits == 0 { return self }
        if bits >= 128 { return IPAddress(high: 0, low: 0) }
        if bits >= 64 { return IPAddress(high: low << UInt64(bits - 64), low: 0) }
        return IPAddress(high: high << UInt64(bits) | low >> UInt64(64 - bits), low: low << UInt64(bits))
    }
}
