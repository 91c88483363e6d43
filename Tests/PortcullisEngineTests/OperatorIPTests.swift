import Glibc
import Testing
@testable import PortcullisEngine

/// One ip_in row: the blocks, a client address text, whether it is inside.
struct IPCase: Sendable, CustomTestStringConvertible {
    let blocks: [String]
    let value: String
    let inside: Bool
    var testDescription: String { "\(value) in \(blocks): \(inside)" }
    init(_ blocks: [String], _ value: String, _ inside: Bool) {
        self.blocks = blocks
        self.value = value
        self.inside = inside
    }
}

private let ipTable: [IPCase] = [
    // IPv4 /8 and its boundaries.
    IPCase(["10.0.0.0/8"], "10.0.0.0", true), IPCase(["10.0.0.0/8"], "10.255.255.255", true),
    IPCase(["10.0.0.0/8"], "9.255.255.255", false), IPCase(["10.0.0.0/8"], "11.0.0.0", false),
    // /0 and /32, single addresses.
    IPCase(["0.0.0.0/0"], "0.0.0.0", true), IPCase(["0.0.0.0/0"], "255.255.255.255", true),
    IPCase(["0.0.0.0/0"], "::ffff:1.2.3.4", true), IPCase(["0.0.0.0/0"], "::1", false),
    IPCase(["0.0.0.0/0"], "2001:db8::1", false),
    IPCase(["1.2.3.4/32"], "1.2.3.4", true), IPCase(["1.2.3.4/32"], "1.2.3.5", false),
    IPCase(["1.2.3.4/32"], "1.2.3.3", false), IPCase(["1.2.3.4"], "1.2.3.4", true),
    IPCase(["192.168.1.0/24"], "192.168.1.255", true), IPCase(["192.168.1.0/24"], "192.168.2.0", false),
    IPCase(["192.168.1.128/25"], "192.168.1.127", false), IPCase(["192.168.1.128/25"], "192.168.1.128", true),
    IPCase(["10.1.2.3/8"], "10.200.0.1", true), // host bits masked, as @ipMatch
    IPCase(["255.255.255.255"], "255.255.255.255", true),
    // v4-mapped clients match IPv4 blocks; the v4-compatible form does not.
    IPCase(["192.168.1.0/24"], "::ffff:192.168.1.77", true), IPCase(["192.168.1.0/24"], "::FFFF:c0a8:14d", true),
    IPCase(["192.168.1.0/24"], "::192.168.1.77", false), IPCase(["::ffff:10.0.0.0/104"], "10.1.2.3", true),
    IPCase(["::ffff:10.0.0.0/104"], "11.1.2.3", false), IPCase(["::ffff:0:0/96"], "8.8.8.8", true),
    // IPv6 /0, /128, /32, /63–/65 boundaries.
    IPCase(["::/0"], "::", true), IPCase(["::/0"], "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true),
    IPCase(["::/0"], "1.2.3.4", true), // one address space: ::/0 is everything
    IPCase(["::1/128"], "::1", true), IPCase(["::1/128"], "::2", false), IPCase(["::1/128"], "::", false),
    IPCase(["::1"], "0:0:0:0:0:0:0:1", true),
    IPCase(["2001:db8::/32"], "2001:db8::", true), IPCase(["2001:db8::/32"], "2001:DB8:ffff:ffff:ffff:ffff:ffff:ffff", true),
    IPCase(["2001:db8::/32"], "2001:db9::", false), IPCase(["2001:db8::/32"], "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false),
    IPCase(["2001:db8::/64"], "2001:db8::ffff:ffff:ffff:ffff", true), IPCase(["2001:db8::/64"], "2001:db8:0:1::", false),
    IPCase(["2001:db8::/65"], "2001:db8::7fff:ffff:ffff:ffff", true), IPCase(["2001:db8::/65"], "2001:db8::8000:0:0:0", false),
    IPCase(["2001:db8::/63"], "2001:db8:0:1:ffff::", true), IPCase(["2001:db8::/63"], "2001:db8:0:2::", false),
    IPCase(["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"], "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true),
    IPCase(["ffff::/16", "fff0::/12"], "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true),
    IPCase(["fe80::/10"], "fe80::1%eth0", true), IPCase(["fe80::/10"], "febf:ffff::1", true),
    IPCase(["fe80::/10"], "fec0::", false),
    // Several blocks: merged, adjacent, gaps.
    IPCase(["10.0.0.0/9", "10.128.0.0/9"], "10.200.1.1", true), IPCase(["10.0.0.0/9", "10.128.0.0/9"], "11.0.0.0", false),
    IPCase(["1.1.1.1", "1.1.1.3"], "1.1.1.2", false), IPCase(["1.1.1.1", "1.1.1.3"], "1.1.1.3", true),
    IPCase(["1.1.1.3", "1.1.1.1", "1.1.1.2"], "1.1.1.2", true),
    IPCase(["10.0.0.0/8", "10.1.0.0/16"], "10.2.0.0", true), IPCase(["::1", "10.0.0.0/8", "2001:db8::/32"], "2001:db8::5", true),
    IPCase(["::1", "10.0.0.0/8", "2001:db8::/32"], "10.9.9.9", true), IPCase(["::1", "10.0.0.0/8", "2001:db8::/32"], "::2", false),
    // Values that are not addresses never match.
    IPCase(["0.0.0.0/0", "::/0"], "", false), IPCase(["0.0.0.0/0", "::/0"], "abc", false),
    IPCase(["0.0.0.0/0", "::/0"], "1.2.3", false), IPCase(["0.0.0.0/0", "::/0"], "1.2.3.4.5", false),
    IPCase(["0.0.0.0/0", "::/0"], "256.1.1.1", false), IPCase(["0.0.0.0/0", "::/0"], "1.2.3.4 ", false),
    IPCase(["0.0.0.0/0", "::/0"], "01.2.3.4", false), IPCase(["0.0.0.0/0", "::/0"], "1.2.3.4%eth0", false),
    IPCase(["0.0.0.0/0", "::/0"], "::1%", false), IPCase(["0.0.0.0/0", "::/0"], "1:2:3:4:5:6:7:8:9", false),
    IPCase(["0.0.0.0/0", "::/0"], "1::2::3", false), IPCase(["0.0.0.0/0", "::/0"], ":1", false),
    IPCase(["0.0.0.0/0", "::/0"], "1.2.3.4/32", false), IPCase(["0.0.0.0/0", "::/0"], "[::1]", false),
]

@Test("ip_in", arguments: ipTable)
func operatorIPIn(_ row: IPCase) throws {
    let op = try OperatorFactory.make(.ipIn(row.blocks))
    let expected: OperatorResult = row.inside ? .match(0..<row.value.utf8.count) : .noMatch
    #expect(opEvaluate(op, opBytes(row.value)) == expected)
}

@Test func operatorIPTableIsNotEmpty() {
    #expect(ipTable.count > 60)
}

@Test func operatorIPSetMergesRanges() throws {
    let set = try IPSet(["10.0.0.0/9", "10.128.0.0/9", "10.0.0.1", "::1", "::2", "1.1.1.1", "1.1.1.3"])
    #expect(set.entryCount == 7)
    #expect(set.rangeCount == 4)   // ::1–::2, 1.1.1.1, 1.1.1.3, 10/8
}

/// Our parser and glibc's inet_pton agree on a table of tricky texts and on random texts.
@Test func operatorIPParserAgreesWithInetPton() {
    var texts = ["::", "::1", "1::", "1::2", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
                 "1:2:3:4:5:6:7:8:9", "1::2::3", ":::", ":1::", "1:::2", "12345::", "0:0:0:0:0:0:0:0",
                 "::ffff:1.2.3.4", "::1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "1.2.3.4::",
                 "::1.2.3", "::1.2.3.04", "::256.1.1.1", "ABCD:EF01::", "g::", "1.2.3.4", "0.0.0.0",
                 "255.255.255.255", "1.2.3.04", "1.2.3", "1.2.3.4.", ".1.2.3", "1..2.3", "", ":", "1:", ":1"]
    var rng = OperatorTestRNG(seed: 0x5eed_0004)
    let alphabet = Array("0123456789abcdefF:.")
    for _ in 0..<10_000 {
        texts.append(String((0..<Int.random(in: 1...20, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }))
    }
    // Mostly well-formed addresses, a third of them with one character inserted, dropped or changed.
    for _ in 0..<10_000 {
        var text = randomAddressText(&rng)
        if Int.random(in: 0..<3, using: &rng) == 0 {
            var chars = Array(text)
            let at = Int.random(in: 0..<chars.count, using: &rng)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: chars.insert(alphabet.randomElement(using: &rng)!, at: at)
            case 1: chars.remove(at: at)
            default: chars[at] = alphabet.randomElement(using: &rng)!
            }
            text = String(chars)
        }
        texts.append(text)
    }
    var valid = 0
    for text in texts {
        let ours = Array(text.utf8).withUnsafeBytes { IPAddress.parseAddress($0) }
        let theirs = inetPton(text)
        #expect(ours == theirs, "\(text)")
        if theirs != nil { valid += 1 }
    }
    #expect(valid > 500)
}

private func randomAddressText(_ rng: inout OperatorTestRNG) -> String {
    func octet(_ rng: inout OperatorTestRNG) -> String {
        Int.random(in: 0..<20, using: &rng) == 0 ? "0\(Int.random(in: 0...9, using: &rng))"
                                                  : String(Int.random(in: 0...260, using: &rng))
    }
    func quad(_ rng: inout OperatorTestRNG) -> String {
        (0..<4).map { _ in octet(&rng) }.joined(separator: ".")
    }
    if Bool.random(using: &rng) { return quad(&rng) }
    var groups = (0..<8).map { _ in
        String(UInt16.random(in: 0...UInt16.max, using: &rng) >> (4 * UInt16.random(in: 0...3, using: &rng)), radix: 16,
               uppercase: Bool.random(using: &rng))
    }
    let v4Tail = Int.random(in: 0..<4, using: &rng) == 0
    if v4Tail { groups.removeLast(2) }
    var text: String
    if Bool.random(using: &rng) {
        let start = Int.random(in: 0...groups.count, using: &rng)
        let length = Int.random(in: 0...(groups.count - start), using: &rng)
        text = groups[..<start].joined(separator: ":") + "::" + groups[(start + length)...].joined(separator: ":")
    } else {
        text = groups.joined(separator: ":")
    }
    if v4Tail { text += (text.hasSuffix(":") ? "" : ":") + quad(&rng) }
    return text
}

private func inetPton(_ text: String) -> IPAddress? {
    if text.contains(":") {
        var a = in6_addr()
        guard inet_pton(AF_INET6, text, &a) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &a) { Array($0) }
        let high = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let low = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return IPAddress(high: high, low: low)
    }
    var a = in_addr()
    guard inet_pton(AF_INET, text, &a) == 1 else { return nil }
    return IPAddress(v4: UInt32(bigEndian: a.s_addr))
}
