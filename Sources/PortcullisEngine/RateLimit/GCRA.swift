/// The generic cell rate algorithm (GCRA), the arithmetic behind every rate-limit rule.
///
/// Why GCRA rather than fixed or sliding windows: one 8-byte number per key (the theoretical
/// arrival time, TAT), exact integer arithmetic on monotonic nanoseconds, an exact
/// "retry after", and no boundary burst — nothing resets at a window edge. A key whose TAT lies
/// in the past is indistinguishable from a key never seen, so idle keys can be dropped without
/// changing any answer (see `RateLimitStore`).
///
/// With `limit` N per `window` W and `burst` B: the emission interval is T = W / N (rounded up to
/// a whole nanosecond) and the capacity C = N + B. A request at `now` is allowed when
/// `max(TAT, now) + T - now ≤ C·T`; allowing it sets `TAT = max(TAT, now) + T`. So a quiet key
/// may send C requests at once, then one every T. Over any span of length t a key is allowed at
/// most C + ⌊t/T⌋ requests: never more than N + B at one instant and, in the long run, N per W.
public struct GCRA: Sendable, Hashable {
    /// Nanoseconds one request occupies (W / N, rounded up).
    public let interval: UInt64
    /// Requests a quiet key may send at once (limit + burst).
    public let capacity: Int

    public init(limit: Int, windowNanoseconds: UInt64, burst: Int = 0) {
        precondition(limit > 0 && burst >= 0 && windowNanoseconds > 0)
        let n = UInt64(limit)
        interval = (windowNanoseconds + n - 1) / n
        capacity = limit + burst
    }

    /// How far TAT may run ahead of now.
    public var tolerance: UInt64 { interval * UInt64(capacity) }

    /// The answer for one request.
    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        /// The key's TAT after the request if it is allowed (what a commit stores).
        public var newTAT: UInt64
        /// Requests counted against the key, this one included when allowed (0…capacity).
        public var count: Int
        /// Nanoseconds until this request would be allowed; 0 when allowed.
        public var retryAfter: UInt64
    }

    /// The decision for a request at `now` against a key whose TAT is `tat` (nil or anything ≤
    /// now: a quiet key). Does not change anything.
    public func decide(tat stored: UInt64?, now: UInt64) -> Decision {
        let tat = max(stored ?? 0, now)
        let newTAT = tat + interval
        let ahead = newTAT - now
        let used = Int((tat - now + interval - 1) / interval)
        if ahead <= tolerance {
            return Decision(allowed: true, newTAT: newTAT, count: min(used + 1, capacity), retryAfter: 0)
        }
        return Decision(allowed: false, newTAT: tat, count: min(used, capacity), retryAfter: ahead - tolerance)
    }

    /// Whole seconds to announce in `Retry-After` for a wait of `nanoseconds`: rounded up, at
    /// least 1 (a client told 0 would retry at once and be refused again).
    public static func retryAfterSeconds(_ nanoseconds: UInt64) -> Int {
        Int(max(1, (nanoseconds + 999_999_999) / 1_000_000_000))
    }
}
