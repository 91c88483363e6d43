import Glibc
import Synchronization

/// Where event loops read the time. Injected so timeout tests advance time by hand instead of
/// sleeping.
public protocol TimeSource: Sendable {
    /// Monotonic nanoseconds; only differences are meaningful.
    func nowNanoseconds() -> UInt64
}

/// CLOCK_MONOTONIC.
public struct SystemTimeSource: TimeSource {
    public init() {}

    public func nowNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}

/// A clock that only moves when told to; for tests.
public final class ManualTimeSource: TimeSource {
    private let now: Atomic<UInt64>

    public init(start: UInt64 = 1_000_000_000) { now = Atomic(start) }

    public func nowNanoseconds() -> UInt64 { now.load(ordering: .acquiring) }

    public func advance(byNanoseconds delta: UInt64) {
        now.wrappingAdd(delta, ordering: .releasing)
    }
}
