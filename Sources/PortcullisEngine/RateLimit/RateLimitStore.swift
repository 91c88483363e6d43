import Synchronization

/// The counters of one rate-limit rule: a GCRA theoretical arrival time (TAT) per key, shared by
/// every event loop, with a hard bound on the number of keys.
///
/// Why this shape:
/// - Sharded by key hash, each shard behind its own `Mutex`, so loops checking different keys
///   rarely meet; a check holds a shard lock for one dictionary lookup.
/// - Keys are fixed-size (`RateKey`), so memory per key is bounded (see `bytesPerKey`).
/// - Each shard keeps at most `capacityPerShard` keys in least-recently-used order. A new key
///   takes the least recently used slot when that key is idle (its TAT has passed: forgetting it
///   changes no answer), grows the shard while below capacity, and otherwise evicts the least
///   recently used key even though it is not idle (`evictedActive` counts those: under a flood
///   of distinct keys the oldest keys lose their counters — memory stays flat, at the price of
///   forgetting clients that have been quiet longest).
public final class RateLimitStore: Sendable {
    /// Most keys held over all shards (≥ the `max_keys` asked for; rounded up to whole shards).
    public let capacity: Int
    public let capacityPerShard: Int
    private let shards: [ShardBox]
    private let shardMask: UInt64

    /// `maxKeys` ≥ 1. `shardCount` is rounded up to a power of two and capped at `maxKeys`.
    public init(maxKeys: Int, shardCount: Int = 16) {
        precondition(maxKeys > 0)
        var count = 1
        while count < min(max(shardCount, 1), maxKeys) { count <<= 1 }
        capacityPerShard = (maxKeys + count - 1) / count
        capacity = capacityPerShard * count
        shards = (0..<count).map { _ in ShardBox() }
        shardMask = UInt64(count - 1)
    }

    private func shard(_ key: RateKey) -> ShardBox { shards[Int(truncatingIfNeeded: key.high & shardMask)] }

    /// The key's TAT, nil when it is not held. Reading does not refresh its recency.
    public func tat(of key: RateKey) -> UInt64? {
        shard(key).state.withLock { $0.tat(of: key) }
    }

    /// Decides for `key` under `gcra` at `now` and, when allowed, stores the new TAT — in one
    /// critical section, so two loops cannot both take the last slot.
    public func take(_ key: RateKey, gcra: GCRA, now: UInt64) -> GCRA.Decision {
        let capacity = capacityPerShard
        return shard(key).state.withLock { shard in
            let slot = shard.index[key]
            let decision = gcra.decide(tat: slot.map { shard.entries[Int($0)].tat }, now: now)
            if decision.allowed {
                if let slot {
                    shard.update(slot, tat: decision.newTAT)
                } else {
                    shard.insert(key, tat: decision.newTAT, now: now, capacity: capacity)
                }
            }
            return decision
        }
    }

    /// Gives back one request taken by `take` (used when another limit on the same request
    /// refused it after this one was committed).
    public func refund(_ key: RateKey, gcra: GCRA) {
        shard(key).state.withLock { shard in
            guard let slot = shard.index[key] else { return }
            shard.entries[Int(slot)].tat -= min(gcra.interval, shard.entries[Int(slot)].tat)
        }
    }

    /// Keys held now.
    public var count: Int { shards.reduce(0) { $0 + $1.state.withLock { $0.index.count } } }

    /// Keys evicted while their counter was still running.
    public var evictedActive: Int { shards.reduce(0) { $0 + $1.state.withLock { $0.evictedActive } } }

    /// Forgets every key (`portcullis check` runs each example against empty counters).
    public func reset() {
        for box in shards { box.state.withLock { $0 = Shard() } }
    }

    /// Approximate bytes per held key: the entry, plus the dictionary's key, value and spare
    /// buckets (it keeps its load at or below 3/4).
    public static let bytesPerKey = MemoryLayout<Shard.Entry>.stride
        + (MemoryLayout<RateKey>.stride + MemoryLayout<Int32>.stride) * 2
}

private final class ShardBox: Sendable {
    let state = Mutex(Shard())
}

/// One shard: a dictionary from key to slot, and slots linked in recency order (head = most
/// recent).
struct Shard {
    struct Entry {
        var key: RateKey
        var tat: UInt64
        var newer: Int32
        var older: Int32
    }

    var index: [RateKey: Int32] = [:]
    var entries: [Entry] = []
    var newest: Int32 = -1
    var oldest: Int32 = -1
    var evictedActive = 0

    func tat(of key: RateKey) -> UInt64? {
        guard let slot = index[key] else { return nil }
        return entries[Int(slot)].tat
    }

    /// A held key's new TAT; it becomes the most recently used.
    mutating func update(_ slot: Int32, tat: UInt64) {
        entries[Int(slot)].tat = tat
        touch(slot)
    }

    /// A key not held yet: takes the oldest slot when that key is idle or the shard is full, else
    /// a new slot.
    mutating func insert(_ key: RateKey, tat: UInt64, now: UInt64, capacity: Int) {
        let slot: Int32
        if oldest >= 0 && (entries[Int(oldest)].tat <= now || entries.count >= capacity) {
            slot = oldest
            if entries[Int(slot)].tat > now { evictedActive += 1 }
            index[entries[Int(slot)].key] = nil
            unlink(slot)
            entries[Int(slot)] = Entry(key: key, tat: tat, newer: -1, older: -1)
        } else {
            slot = Int32(entries.count)
            entries.append(Entry(key: key, tat: tat, newer: -1, older: -1))
        }
        index[key] = slot
        pushNewest(slot)
    }

    private mutating func touch(_ slot: Int32) {
        guard newest != slot else { return }
        unlink(slot)
        pushNewest(slot)
    }

    private mutating func unlink(_ slot: Int32) {
        let e = entries[Int(slot)]
        if e.newer >= 0 { entries[Int(e.newer)].older = e.older } else { newest = e.older }
        if e.older >= 0 { entries[Int(e.older)].newer = e.newer } else { oldest = e.newer }
        entries[Int(slot)].newer = -1
        entries[Int(slot)].older = -1
    }

    private mutating func pushNewest(_ slot: Int32) {
        entries[Int(slot)].older = newest
        entries[Int(slot)].newer = -1
        if newest >= 0 { entries[Int(newest)].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }
}
