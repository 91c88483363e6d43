import Benchmark
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BenchSupport
import PortcullisEngine
import Synchronization

// Rate-limit counters alone (`RateLimitStore` + `GCRA` + key hashing), see Bench/README.md.
// One iteration is 1,000 checks (scalingFactor `.kilo`), so `*` columns are per check.

let checkTime = BenchmarkMetric.custom("CPU time (ns)", polarity: .prefersSmaller, useScalingFactor: true)
let bytesPerKey = BenchmarkMetric.custom("RSS bytes per key", polarity: .prefersSmaller, useScalingFactor: false)
let floodGrowth = BenchmarkMetric.custom("RSS growth in a flood (KiB)", polarity: .prefersSmaller,
                                         useScalingFactor: false)

/// 10,000 distinct client addresses as the key bytes a `by: [client_ip]` limit hashes.
let clients: [[UInt8]] = (0..<10_000).map { Array("198.51.\($0 / 256).\($0 % 256)".utf8) }
/// 10 per second with a burst of 10: the keys are checked far above the rate, so most checks
/// are refusals after the first few — the path an attacked limit takes.
let gcra = GCRA(limit: 10, windowNanoseconds: 1_000_000_000, burst: 10)

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, checkTime, .mallocCountTotal, .throughput],
        warmupIterations: 5, scalingFactor: .kilo, maxDuration: .seconds(3), maxIterations: 100_000)

    // One thread: hash the key bytes, lock the key's shard, decide, store.
    Benchmark("Rate-limit check (1 thread)", configuration: configuration) { benchmark in
        let store = RateLimitStore(maxKeys: 100_000)
        check(benchmark, store, offset: 0)
    }

    // Two threads on the same store and the same 10,000 keys: the second thread runs the same
    // loop without pause for the whole measurement (two event loops under attack).
    Benchmark("Rate-limit check (2 threads contending)", configuration: configuration) { benchmark in
        let store = RateLimitStore(maxKeys: 100_000)
        let rival = Rival(store: store)
        rival.start()
        check(benchmark, store, offset: 5_000)
        rival.stop()
    }

    // Memory: 1,000,000 distinct random keys into a store bounded at 1,000,000, then a flood of
    // 1,000,000 more. Reported: resident bytes per key after the first million, and how much
    // the resident size grew during the flood (flat: evictions reuse slots).
    Benchmark("Rate-limit memory (1,000,000 keys)",
              configuration: .init(metrics: [bytesPerKey, floodGrowth], warmupIterations: 0, maxDuration: .seconds(60),
                                   maxIterations: 1)) { benchmark in
        var random = SystemRandomNumberGenerator()
        let before = residentBytes()
        let store = RateLimitStore(maxKeys: 1_000_000)
        for i in 0..<1_000_000 {
            _ = store.take(RateKey(high: random.next(), low: random.next()), gcra: gcra, now: UInt64(i) + 1)
        }
        let filled = residentBytes()
        for i in 0..<1_000_000 {
            _ = store.take(RateKey(high: random.next(), low: random.next()), gcra: gcra, now: UInt64(i) + 1)
        }
        let flooded = residentBytes()
        precondition(store.count <= store.capacity)
        benchmark.measurement(bytesPerKey, Int(filled - before) / store.count)
        benchmark.measurement(floodGrowth, max(0, Int(flooded) - Int(filled)) / 1024)
        blackHole(store)
    }
}

/// 1,000 checks on the calling thread, keys walked from `offset`, the clock moving 1 ms per check.
@inline(never)
func check(_ benchmark: Benchmark, _ store: RateLimitStore, offset: Int) {
    var now: UInt64 = 1_000_000_000
    measuringThreadCPU(benchmark, as: checkTime) {
        for i in benchmark.scaledIterations {
            now += 1_000_000
            let key = RateKey(hashing: clients[(i + offset) % clients.count])
            blackHole(store.take(key, gcra: gcra, now: now))
        }
    }
}

/// A thread checking keys on `store` until stopped.
final class Rival: Sendable {
    let store: RateLimitStore
    let running = Atomic<Bool>(true)
    let done = Atomic<Bool>(false)

    init(store: RateLimitStore) { self.store = store }

    func start() {
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        pthread_create(&thread, nil, { raw in
            let rival = Unmanaged<Rival>.fromOpaque(raw!).takeRetainedValue()
            var now: UInt64 = 1_000_000_000
            var i = 0
            while rival.running.load(ordering: .relaxed) {
                now += 1_000_000
                blackHole(rival.store.take(RateKey(hashing: clients[i % clients.count]), gcra: gcra, now: now))
                i += 1
            }
            rival.done.store(true, ordering: .releasing)
            return nil
        }, box)
        pthread_detach(thread)
    }

    func stop() {
        running.store(false, ordering: .relaxed)
        while !done.load(ordering: .acquiring) { sched_yield() }
    }
}

/// Resident set size from /proc/self/statm (pages × page size).
func residentBytes() -> UInt64 {
    let fd = open("/proc/self/statm", O_RDONLY)
    guard fd >= 0 else { return 0 }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 128)
    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    guard n > 0 else { return 0 }
    let fields = buffer[..<n].split(separator: UInt8(ascii: " "))
    guard fields.count > 1, let pages = UInt64(String(decoding: fields[1], as: UTF8.self)) else { return 0 }
    return pages * UInt64(sysconf(Int32(_SC_PAGESIZE)))
}
