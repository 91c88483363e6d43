import Benchmark
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BenchSupport
import PortcullisEngine
import PortcullisHTTP

// The rule engine alone, on the fixed corpus of `Corpus.swift`. One iteration is 1,000 requests
// (25 passes over the 40) and every metric is shown per request (scalingFactor `.kilo`: the
// tool divides by 1,000; columns marked `*` in its output). See Bench/README.md.

/// CPU time of the benchmark thread (clock_gettime(CLOCK_THREAD_CPUTIME_ID)), per request in ns.
let cpuTime = BenchmarkMetric.custom("CPU time (ns)", polarity: .prefersSmaller, useScalingFactor: true)

let benchmarks: @Sendable () -> Void = {
    let fixture = Fixture.shared
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, cpuTime, .mallocCountTotal, .throughput],
        warmupIterations: 5,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )
    Benchmark.setup = {
        // Shown in the run's output: which rules were measured and what they decided.
        print("EngineBenchmark: \(Fixture.shared.summary())")
        if getenv("PORTCULLIS_BENCH_BREAKDOWN") != nil { print(Fixture.shared.breakdown()) }
    }

    // (1) Inspection through the rule set: a RequestView over an already parsed request, both
    // phases and the default action (`Inspector.decide`), as the proxy runs them per request.
    Benchmark("Inspect (rules)", configuration: configuration) { benchmark in
        inspect(benchmark, fixture, Inspector(ruleSet: fixture.rules))
    }

    // (2) The same with no rules: the floor, i.e. building the RequestView and the evaluation
    // state, with nothing extracted.
    Benchmark("Inspect (no rules)", configuration: configuration) { benchmark in
        inspect(benchmark, fixture, Inspector(ruleSet: fixture.noRules))
    }

    // (3) Parse the raw bytes with the proxy's RequestParser (one parser reused, as on a
    // keep-alive connection; the body collected into an array, as the proxy buffers it), then
    // inspect as in (1).
    Benchmark("Parse + inspect (rules)", configuration: configuration) { benchmark in
        let inspector = Inspector(ruleSet: fixture.rules)
        var scratch = EvaluationScratch()
        var parser = RequestParser()
        let wire = fixture.wire
        let count = wire.count
        let base = VirtualClock.reserve(benchmark.scaledIterations.count)
        measuringThreadCPU(benchmark, as: cpuTime) {
            for i in benchmark.scaledIterations {
                guard let request = Fixture.parse(wire[i % count], parser: &parser) else {
                    fatalError("corpus request \(i % count) no longer parses")
                }
                let view = RequestView(head: request.head, clientAddress: fixture.clientAddress, body: request.body,
                                       receivedAt: base + UInt64(i) * VirtualClock.step)
                blackHole(inspector.decide(view, scratch: &scratch).0)
            }
        }
    }

    // Parsing alone, so (3) minus this and (1) can be told apart.
    Benchmark("Parse only", configuration: configuration) { benchmark in
        var parser = RequestParser()
        let wire = fixture.wire
        let count = wire.count
        measuringThreadCPU(benchmark, as: cpuTime) {
            for i in benchmark.scaledIterations {
                guard let request = Fixture.parse(wire[i % count], parser: &parser) else {
                    fatalError("corpus request \(i % count) no longer parses")
                }
                blackHole(request)
            }
        }
    }
}

/// One iteration of (1) or (2): 1,000 corpus requests through `inspector`. The scratch is made
/// outside the measurement (the proxy keeps one per event loop).
@inline(never)
func inspect(_ benchmark: Benchmark, _ fixture: Fixture, _ inspector: Inspector) {
    var scratch = EvaluationScratch()
    let parsed = fixture.parsed
    let count = parsed.count
    let base = VirtualClock.reserve(benchmark.scaledIterations.count)
    measuringThreadCPU(benchmark, as: cpuTime) {
        for i in benchmark.scaledIterations {
            let request = parsed[i % count]
            let view = RequestView(head: request.head, clientAddress: fixture.clientAddress, body: request.body,
                                   receivedAt: base + UInt64(i) * VirtualClock.step)
            blackHole(inspector.decide(view, scratch: &scratch).0)
        }
    }
}
