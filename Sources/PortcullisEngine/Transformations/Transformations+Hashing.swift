// Digests, as raw bytes (20 for SHA-1, 16 for MD5) as ModSecurity's `t:sha1` and `t:md5` give
// them (a rule chains `hex_encode`-style matching on top if it wants text). Written here rather
// than imported: Foundation and CryptoKit stay out of the engine, and these are not used for
// security, only to compare a value against known digests (e.g. of a forbidden file or token)
// without keeping the value itself in the rule.

extension Transformations {
    /// `sha1`: the 20-byte SHA-1 digest (FIPS 180-4) of the value.
    ///
    /// Lets a rule match a value by its digest — a known-bad payload, a leaked token — without
    /// the rule holding the value itself.
    static func sha1(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var h0: UInt32 = 0x6745_2301, h1: UInt32 = 0xEFCD_AB89, h2: UInt32 = 0x98BA_DCFE
        var h3: UInt32 = 0x1032_5476, h4: UInt32 = 0xC3D2_E1F0
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            forEachPaddedBlock(input, lengthBigEndian: true) { block in
                for t in 0..<16 {
                    w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self))
                }
                for t in 16..<80 {
                    w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1)
                }
                var a = h0, b = h1, c = h2, d = h3, e = h4
                for t in 0..<80 {
                    let f: UInt32, k: UInt32
                    switch t {
                    case 0..<20: f = (b & c) | (~b & d); k = 0x5A82_7999
                    case 20..<40: f = b ^ c ^ d; k = 0x6ED9_EBA1
                    case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1B_BCDC
                    default: f = b ^ c ^ d; k = 0xCA62_C1D6
                    }
                    let temp = rotl(a, 5) &+ f &+ e &+ k &+ w[t]
                    e = d
                    d = c
                    c = rotl(b, 30)
                    b = a
                    a = temp
                }
                h0 &+= a
                h1 &+= b
                h2 &+= c
                h3 &+= d
                h4 &+= e
            }
        }
        return written(capacity: 20) { out in
            storeBigEndian(h0, out, 0)
            storeBigEndian(h1, out, 4)
            storeBigEndian(h2, out, 8)
            storeBigEndian(h3, out, 12)
            storeBigEndian(h4, out, 16)
            return 20
        }
    }

    /// `md5`: the 16-byte MD5 digest (RFC 1321) of the value.
    ///
    /// The same use as `sha1`, for rule sets that list MD5 digests (the CRS and many IOC feeds do).
    static func md5(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var a0: UInt32 = 0x6745_2301, b0: UInt32 = 0xEFCD_AB89, c0: UInt32 = 0x98BA_DCFE, d0: UInt32 = 0x1032_5476
        md5Constants.withUnsafeBufferPointer { k in
            md5Shifts.withUnsafeBufferPointer { shifts in
                forEachPaddedBlock(input, lengthBigEndian: false) { block in
                    @inline(__always) func m(_ g: Int) -> UInt32 {
                        UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4 * g, as: UInt32.self))
                    }
                    var a = a0, b = b0, c = c0, d = d0
                    for i in 0..<64 {
                        let f: UInt32, g: Int
                        switch i {
                        case 0..<16:
                            f = (b & c) | (~b & d); g = i
                        case 16..<32:
                            f = (d & b) | (~d & c); g = (5 * i + 1) & 15
                        case 32..<48:
                            f = b ^ c ^ d; g = (3 * i + 5) & 15
                        default:
                            f = c ^ (b | ~d); g = (7 * i) & 15
                        }
                        let sum = a &+ f &+ k[i] &+ m(g)
                        a = d
                        d = c
                        c = b
                        b = b &+ rotl(sum, shifts[i])
                    }
                    a0 &+= a
                    b0 &+= b
                    c0 &+= c
                    d0 &+= d
                }
            }
        }
        return written(capacity: 16) { out in
            storeLittleEndian(a0, out, 0)
            storeLittleEndian(b0, out, 4)
            storeLittleEndian(c0, out, 8)
            storeLittleEndian(d0, out, 12)
            return 16
        }
    }

    @inline(__always)
    private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { x << n | x >> (32 - n) }

    @inline(__always)
    private static func storeLittleEndian(_ v: UInt32, _ out: UnsafeMutableBufferPointer<UInt8>, _ at: Int) {
        for j in 0..<4 { out[at + j] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(j))) }
    }

    @inline(__always)
    private static func storeBigEndian(_ v: UInt32, _ out: UnsafeMutableBufferPointer<UInt8>, _ at: Int) {
        for j in 0..<4 { out[at + j] = UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32(j))) }
    }

    /// Calls `body` with each 64-byte block of the Merkle–Damgård padded message: the input's
    /// whole blocks in place, then one or two tail blocks holding the rest, 0x80, zeros and the
    /// bit length (big-endian for SHA-1, little-endian for MD5). No heap allocation.
    private static func forEachPaddedBlock(
        _ input: UnsafeBufferPointer<UInt8>, lengthBigEndian: Bool, _ body: (UnsafeRawPointer) -> Void
    ) {
        let src = UnsafeRawBufferPointer(input)
        let n = src.count
        let whole = n / 64
        for b in 0..<whole { body(src.baseAddress! + 64 * b) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { tail in
            tail.initialize(repeating: 0)
            let rest = n - 64 * whole
            for j in 0..<rest { tail[j] = src[64 * whole + j] }
            tail[rest] = 0x80
            let total = rest + 9 <= 64 ? 64 : 128
            let bits = UInt64(n) &* 8
            for j in 0..<8 {
                let shift = lengthBigEndian ? UInt64(56 - 8 * j) : UInt64(8 * j)
                tail[total - 8 + j] = UInt8(truncatingIfNeeded: bits >> shift)
            }
            let base = UnsafeRawPointer(tail.baseAddress!)
            body(base)
            if total == 128 { body(base + 64) }
        }
    }

    /// MD5's per-step left rotations (RFC 1321, 3.4).
    private static let md5Shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    /// MD5's per-step constants, floor(|sin(i + 1)| · 2³²) (RFC 1321, 3.4).
    private static let md5Constants: [UInt32] = [
        0xD76A_A478, 0xE8C7_B756, 0x2420_70DB, 0xC1BD_CEEE,
        0xF57C_0FAF, 0x4787_C62A, 0xA830_4613, 0xFD46_9501,
        0x6980_98D8, 0x8B44_F7AF, 0xFFFF_5BB1, 0x895C_D7BE,
        0x6B90_1122, 0xFD98_7193, 0xA679_438E, 0x49B4_0821,
        0xF61E_2562, 0xC040_B340, 0x265E_5A51, 0xE9B6_C7AA,
        0xD62F_105D, 0x0244_1453, 0xD8A1_E681, 0xE7D3_FBC8,
        0x21E1_CDE6, 0xC337_07D6, 0xF4D5_0D87, 0x455A_14ED,
        0xA9E3_E905, 0xFCEF_A3F8, 0x676F_02D9, 0x8D2A_4C8A,
        0xFFFA_3942, 0x8771_F681, 0x6D9D_6122, 0xFDE5_380C,
        0xA4BE_EA44, 0x4BDE_CFA9, 0xF6BB_4B60, 0xBEBF_BC70,
        0x289B_7EC6, 0xEAA1_27FA, 0xD4EF_3085, 0x0488_1D05,
        0xD9D4_D039, 0xE6DB_99E5, 0x1FA2_7CF8, 0xC4AC_5665,
        0xF429_2244, 0x432A_FF97, 0xAB94_23A7, 0xFC93_A039,
        0x655B_59C3, 0x8F0C_CC92, 0xFFEF_F47D, 0x8584_5DD1,
        0x6FA8_7E4F, 0xFE2C_E6E0, 0xA301_4314, 0x4E08_11A1,
        0xF753_7E82, 0xBD3A_F235, 0x2AD7_D2BB, 0xEB86_D391,
    ]
}
