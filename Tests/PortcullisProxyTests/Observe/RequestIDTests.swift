@testable import PortcullisProxy
import Testing

/// Request ids: hex rendering and uniqueness on one loop.
@Suite struct RequestIDTests {
    @Test(arguments: [
        (UInt64(0), 1, "0"), (UInt64(0xa), 1, "a"), (UInt64(0x1f), 1, "1f"), (UInt64(0x1f), 4, "001f"),
        (UInt64.max, 1, "ffffffffffffffff"), (UInt64(0x10), 16, "0000000000000010"),
    ])
    func hex(value: UInt64, width: Int, expected: String) {
        var out: [UInt8] = []
        RequestIDGenerator.appendHex(value, width: width, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test func idsNameTheLoopAndCountUp() {
        var ids = RequestIDGenerator(loopIndex: 3)
        let first = ids.next(), second = ids.next()
        #expect(first != second)
        var text: [UInt8] = []
        ids.render(0x2b, into: &text)
        let parts = String(decoding: text, as: UTF8.self).split(separator: "-")
        #expect(parts.count == 3)
        #expect(parts[0].count == 16)
        #expect(parts[1] == "3")
        #expect(parts[2] == "2b")
    }
}
