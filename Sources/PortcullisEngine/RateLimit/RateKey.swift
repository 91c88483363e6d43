/// A rate-limit key reduced to 128 bits, so every key costs the same memory whatever its parts
/// (a 4 KiB header value included).
///
/// Why a keyed hash: the bytes come from the client. The two halves are SipHash (Swift's
/// `Hasher`, seeded randomly per process) over the key bytes with different prefixes, so a
/// client cannot choose bytes that collide with another client's key and share its counter.
/// The seed lives as long as the process, which is as long as any counter (a reload keeps both).
public struct RateKey: Sendable, Hashable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The key of `bytes` (an encoded list of key parts, see `RateLimitKeyBuilder`).
    public init(hashing bytes: UnsafeRawBufferPointer) {
        var a = Hasher()
        a.combine(0x5261_7465 as UInt32)
        a.combine(bytes: bytes)
        var b = Hasher()
        b.combine(0x4b65_7973 as UInt32)
        b.combine(bytes: bytes)
        high = UInt64(UInt(bitPattern: a.finalize()))
        low = UInt64(UInt(bitPattern: b.finalize()))
    }

    public init(hashing bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { RateKey(hashing: $0) }
    }

    /// The key is already a good hash: half of it serves a dictionary.
    public func hash(into hasher: inout Hasher) { hasher.combine(low) }
}
