import Testing
@testable import PortcullisEngine

private let second: UInt64 = 1_000_000_000

/// Runs `steps` (time in ms since the start, expected answer) against one GCRA key and returns
/// what it answered, as "t:A" / "t:R(retry ns)" strings for readable diffs.
private func run(_ gcra: GCRA, _ times: [UInt64]) -> [String] {
    var tat: UInt64?
    let start: UInt64 = 1_000 * second
    return times.map { ms in
        let now = start + ms * 1_000_000
        let d = gcra.decide(tat: tat, now: now)
        if d.allowed {
            tat = d.newTAT
            return "\(ms):A"
        }
        return "\(ms):R\(d.retryAfter / 1_000_000)"
    }
}

struct GCRACase: Sendable, CustomTestStringConvertible {
    let name: String
    let limit: Int
    let windowSeconds: UInt64
    let burst: Int
    let times: [UInt64]
    let expected: [String]
    var testDescription: String { name }
}

let gcraCases: [GCRACase] = [
    .init(name: "a quiet key gets the limit at once, then waits one interval", limit: 3, windowSeconds: 3, burst: 0,
          times: [0, 0, 0, 0, 999, 1000, 1000, 1999, 2000],
          expected: ["0:A", "0:A", "0:A", "0:R1000", "999:R1", "1000:A", "1000:R1000", "1999:R1", "2000:A"]),
    .init(name: "no boundary burst: a full window later only the refill passes, not a second limit",
          limit: 5, windowSeconds: 10, burst: 0,
          times: [9_999, 9_999, 9_999, 9_999, 9_999, 10_001, 10_001, 11_998, 11_999, 12_000],
          expected: ["9999:A", "9999:A", "9999:A", "9999:A", "9999:A", "10001:R1998", "10001:R1998", "11998:R1",
                     "11999:A", "12000:R1999"]),
    .init(name: "burst adds requests at once without raising the rate", limit: 2, windowSeconds: 2, burst: 3,
          times: [0, 0, 0, 0, 0, 0, 1000, 1000],
          expected: ["0:A", "0:A", "0:A", "0:A", "0:A", "0:R1000", "1000:A", "1000:R1000"]),
    .init(name: "a key idle for a full window is fresh again", limit: 2, windowSeconds: 60, burst: 0,
          times: [0, 0, 0, 60_000, 60_000, 60_000],
          expected: ["0:A", "0:A", "0:R30000", "60000:A", "60000:A", "60000:R30000"]),
    .init(name: "spread requests at the rate are all allowed", limit: 4, windowSeconds: 1, burst: 0,
          times: [0, 250, 500, 750, 1000, 1250, 1500],
          expected: ["0:A", "250:A", "500:A", "750:A", "1000:A", "1250:A", "1500:A"]),
    .init(name: "one request per hour", limit: 1, windowSeconds: 3600, burst: 0,
          times: [0, 1, 3_599_999, 3_600_000],
          expected: ["0:A", "1:R3599999", "3599999:R1", "3600000:A"]),
]

@Test("GCRA allow/deny sequences at window edges and bursts", arguments: gcraCases)
func gcraSequences(_ c: GCRACase) {
    let gcra = GCRA(limit: c.limit, windowNanoseconds: c.windowSeconds * second, burst: c.burst)
    #expect(run(gcra, c.times) == c.expected)
}

@Test func gcraNeverAllowsMoreThanCapacityPlusRefillInAnySpan() {
    // Requests every 7 ms for 10 s against 10 per second with a burst of 5: any span of t ms
    // holds at most 15 + t/100 allowed requests.
    let gcra = GCRA(limit: 10, windowNanoseconds: second, burst: 5)
    var tat: UInt64?
    var allowed: [UInt64] = []
    for ms in stride(from: UInt64(0), to: 10_000, by: 7) {
        let d = gcra.decide(tat: tat, now: ms * 1_000_000)
        if d.allowed { tat = d.newTAT; allowed.append(ms) }
    }
    for (i, start) in allowed.enumerated() {
        for end in allowed[i...] where end - start <= 2_000 {
            let inSpan = allowed[i...].prefix { $0 <= end }.count
            #expect(inSpan <= 15 + Int((end - start) / 100) + 1)
        }
    }
    #expect(allowed.count >= 100 && allowed.count <= 115)
}

@Test func retryAfterRoundsUpToWholeSecondsAtLeastOne() {
    #expect(GCRA.retryAfterSeconds(1) == 1)
    #expect(GCRA.retryAfterSeconds(second) == 1)
    #expect(GCRA.retryAfterSeconds(second + 1) == 2)
    #expect(GCRA.retryAfterSeconds(0) == 1)
}

@Test func intervalRoundsUpWhenTheWindowDoesNotDivide() {
    let gcra = GCRA(limit: 3, windowNanoseconds: second)
    #expect(gcra.interval == 333_333_334)
    #expect(gcra.capacity == 3)
}

@Test("window text", arguments: [("1s", second), ("90s", 90 * second), ("5m", 300 * second), ("1h", 3600 * second)])
func windowText(_ text: String, _ ns: UInt64) {
    #expect(WindowText.parse(text) == ns)
    #expect(WindowText.parse(WindowText.format(ns)) == ns)
}

@Test(arguments: ["", "s", "10", "1d", "-1s", "0s", "1.5m"])
func badWindowText(_ text: String) {
    #expect(WindowText.parse(text) == nil)
}

// MARK: Store

private func key(_ n: Int) -> RateKey { RateKey(hashing: Array("k\(n)".utf8)) }

@Test func storeTakesAtomicallyAndRefunds() {
    let store = RateLimitStore(maxKeys: 10, shardCount: 1)
    let gcra = GCRA(limit: 2, windowNanoseconds: 2 * second)
    #expect(store.take(key(1), gcra: gcra, now: second).allowed)
    #expect(store.take(key(1), gcra: gcra, now: second).allowed)
    #expect(!store.take(key(1), gcra: gcra, now: second).allowed)
    store.refund(key(1), gcra: gcra)
    #expect(store.take(key(1), gcra: gcra, now: second).allowed)
    #expect(store.take(key(2), gcra: gcra, now: second).allowed)
    #expect(store.count == 2)
}

@Test func fullStoreEvictsTheLeastRecentlyUsedKey() {
    let store = RateLimitStore(maxKeys: 2, shardCount: 1)
    let gcra = GCRA(limit: 1, windowNanoseconds: 60 * second)
    let now = 100 * second
    #expect(store.take(key(1), gcra: gcra, now: now).allowed)
    #expect(store.take(key(2), gcra: gcra, now: now).allowed)
    // key 1 is used again (refused, so untouched); key 2 is the newest: key 1 is least recent.
    #expect(store.take(key(3), gcra: gcra, now: now).allowed)
    #expect(store.count == 2)
    #expect(store.evictedActive == 1)
    #expect(store.tat(of: key(1)) == nil)
    #expect(!store.take(key(2), gcra: gcra, now: now).allowed)
    #expect(!store.take(key(3), gcra: gcra, now: now).allowed)
    // The forgotten key starts over: the price of the memory bound.
    #expect(store.take(key(1), gcra: gcra, now: now).allowed)
}

@Test func idleKeysMakeRoomWithoutLosingAnything() {
    let store = RateLimitStore(maxKeys: 4, shardCount: 1)
    let gcra = GCRA(limit: 1, windowNanoseconds: second)
    for i in 0..<4 { #expect(store.take(key(i), gcra: gcra, now: 10 * second).allowed) }
    // One second later all four are idle: new keys reuse their slots, nothing active is evicted.
    for i in 4..<8 { #expect(store.take(key(i), gcra: gcra, now: 11 * second).allowed) }
    #expect(store.count == 4)
    #expect(store.evictedActive == 0)
    // A quiet store does not grow even below capacity: one slot serves a key per second.
    let quiet = RateLimitStore(maxKeys: 100, shardCount: 1)
    for i in 0..<50 { #expect(quiet.take(key(i), gcra: gcra, now: UInt64(i + 1) * 2 * second).allowed) }
    #expect(quiet.count == 1)
}

@Test func memoryStaysFlatUnderAMillionRandomClients() {
    let store = RateLimitStore(maxKeys: 10_000)
    let gcra = GCRA(limit: 10, windowNanoseconds: 60 * second)
    var generator = SystemRandomNumberGenerator()
    let now = 5 * second
    for _ in 0..<1_000_000 {
        _ = store.take(RateKey(high: generator.next(), low: generator.next()), gcra: gcra, now: now)
    }
    #expect(store.count <= store.capacity)
    #expect(store.capacity == 10_000)
    #expect(store.count > 9_000)
}
