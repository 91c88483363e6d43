#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CShim

#if canImport(Glibc)
private let RUSAGE_SELF_WHO = __rusage_who_t(RUSAGE_SELF.rawValue)
#else
private let RUSAGE_SELF_WHO = RUSAGE_SELF
#endif

/// Runs `body(index)` on `count` threads of their own (POSIX threads, not Dispatch's shared pool,
/// so a load test gets whole cores) and returns the results in index order once all finished.
enum WorkerThreads {
    static func run<T: Sendable>(count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
        let boxes = (0..<count).map { WorkerBox<T>(index: $0, body: body) }
        var threads: [pthread_t] = []
        for box in boxes {
            var thread = pthread_t()
            let context = Unmanaged.passRetained(box).toOpaque()
            let created = pthread_create(&thread, nil, { raw in
                let box = Unmanaged<AnyObject>.fromOpaque(raw!).takeRetainedValue() as! WorkerRunnable
                box.runBody()
                return nil
            }, context)
            precondition(created == 0, "pthread_create failed: \(created)")
            threads.append(thread)
        }
        for thread in threads { pthread_join(thread, nil) }
        return boxes.map { $0.result! }
    }
}

private protocol WorkerRunnable: AnyObject {
    func runBody()
}

/// One thread's closure and result. The result is written by the thread before it ends and
/// read after `pthread_join`, which orders the two.
private final class WorkerBox<T: Sendable>: WorkerRunnable, @unchecked Sendable {
    let index: Int
    let body: @Sendable (Int) -> T
    var result: T?

    init(index: Int, body: @escaping @Sendable (Int) -> T) {
        self.index = index
        self.body = body
    }

    func runBody() { result = body(index) }
}

/// Monotonic time in nanoseconds.
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// User plus system CPU time of the whole process, in nanoseconds (getrusage).
func processCPUNanoseconds() -> UInt64 {
    var usage = rusage()
    getrusage(RUSAGE_SELF_WHO, &usage)
    func ns(_ t: timeval) -> UInt64 { UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_usec) &* 1000 }
    return ns(usage.ru_utime) &+ ns(usage.ru_stime)
}

/// Processors this process may run on (taskset narrows it), at least 1.
public func availableProcessors() -> Int { Int(cshim_cpu_count()) }
