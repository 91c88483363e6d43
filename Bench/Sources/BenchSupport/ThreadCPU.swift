import Benchmark
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// CPU time of the calling thread in nanoseconds. The benchmarks' own counter: the harness's
/// `cpuTotal` comes from /proc in scheduler ticks (10 ms), too coarse for one iteration.
@inline(__always)
public func threadCPUNanoseconds() -> Int {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return ts.tv_sec * 1_000_000_000 + ts.tv_nsec
}

/// Runs `work` (one iteration) inside the harness's measurement and records the calling thread's
/// CPU time for it as `metric`, so every benchmark measures the same way.
@inline(__always)
public func measuringThreadCPU(_ benchmark: Benchmark, as metric: BenchmarkMetric, _ work: () -> Void) {
    benchmark.startMeasurement()
    let start = threadCPUNanoseconds()
    work()
    let cpu = threadCPUNanoseconds() - start
    benchmark.stopMeasurement()
    benchmark.measurement(metric, cpu)
}
