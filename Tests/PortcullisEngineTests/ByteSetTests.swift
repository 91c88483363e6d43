import Testing
@testable import PortcullisEngine

/// `ByteSet(of:)` (the bytes a value holds, used by every regex prefilter) against inserting the
/// bytes one by one.
@Suite struct ByteSetTests {
    @Test(arguments: [
        [UInt8](), Array("a".utf8), Array("/index.html".utf8), [0, 63, 64, 127, 128, 191, 192, 255],
        Array(0...255), Array("value01abcdefghijklmnopqrstuvwxyz0123456789".utf8), [0xFF, 0xFF, 0x00],
    ])
    func valueBytesMatchInsertion(_ bytes: [UInt8]) {
        var expected = ByteSet()
        for b in bytes { expected.insert(b) }
        let actual = ByteSet(of: bytes)
        #expect(actual == expected)
        for b in 0...255 { #expect(actual.contains(UInt8(b)) == bytes.contains(UInt8(b))) }
    }

    @Test func pseudoRandomValuesMatchInsertion() {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<500 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let count = Int(seed >> 58)
            var bytes: [UInt8] = []
            for _ in 0..<count {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(UInt8(truncatingIfNeeded: seed >> 33))
            }
            #expect(ByteSet(of: bytes) == ByteSet(bytes))
        }
    }
}
