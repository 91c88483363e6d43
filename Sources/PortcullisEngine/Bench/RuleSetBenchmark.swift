/// `portcullis bench`: evaluates a request file through a rule set on several threads, without a
/// network, and reports throughput, CPU per request, inspection latency and the costliest rules.
///
/// Three steps: one pass counting verdicts; the timed run (every thread with its own scratch,
/// the proxy's no-op observer, each request timed); a single-threaded profiling pass through the
/// observer hook for the per-rule table (kept apart so its clock reads do not slow the run).
/// Each step starts from empty rate-limit counters of its own, shared by its threads, so rate
/// limits cost what they cost in the proxy (and trip as traffic this fast would trip them).
public struct RuleSetBenchmark: Sendable {
    public var ruleSet: CompiledRuleSet
    public var requests: [BenchRequest]
    /// Threads of the timed run. Default: one per available core.
    public var threads: Int
    /// Stop the timed run after this long (nil: no time bound).
    public var duration: Duration?
    /// Stop each thread after this many passes over the requests (nil: no pass bound).
    public var passes: Int?
    /// Passes of the profiling step. Default: 1.
    public var profilePasses = 1
    /// Latency samples kept per thread (the rest are still counted). Default: 2,000,000.
    public var maxSamplesPerThread = 2_000_000

    /// Refuses a run with neither bound.
    public init(ruleSet: CompiledRuleSet, requests: [BenchRequest], threads: Int = availableProcessors(),
                duration: Duration?, passes: Int?) throws(BenchmarkSetupError) {
        guard duration != nil || passes != nil else {
            throw BenchmarkSetupError(message: "give a duration or a number of passes (or both)")
        }
        guard !requests.isEmpty else { throw BenchmarkSetupError(message: "no requests") }
        guard threads >= 1 else { throw BenchmarkSetupError(message: "at least one thread") }
        if let passes, passes < 1 { throw BenchmarkSetupError(message: "passes must be at least 1") }
        self.ruleSet = ruleSet
        self.requests = requests
        self.threads = threads
        self.duration = duration
        self.passes = passes
    }

    public func run() -> BenchReport {
        var report = BenchReport(ruleSet: ruleSet.name, requestCount: requests.count, threads: threads)
        (report.allowed, report.blocked) = verdictCounts()
        let cpuStart = processCPUNanoseconds()
        let wallStart = monotonicNanoseconds()
        let deadline = duration.map { wallStart &+ $0.wholeNanoseconds } ?? .max
        let set = ruleSet.withFreshRateLimitState(), requests = requests, passes = passes ?? .max
        let cap = maxSamplesPerThread
        let results = WorkerThreads.run(count: threads) { index in
            Self.timedRun(set, requests, start: index, deadline: deadline, passes: passes, sampleCap: cap)
        }
        report.wallNanoseconds = monotonicNanoseconds() &- wallStart
        report.cpuNanoseconds = processCPUNanoseconds() &- cpuStart
        report.evaluations = results.reduce(0) { $0 + $1.evaluations }
        var samples = results.flatMap(\.samples)
        samples.sort()
        report.p50Nanoseconds = Self.percentile(samples, 0.50)
        report.p99Nanoseconds = Self.percentile(samples, 0.99)
        report.rules = profile()
        return report
    }

    private func verdictCounts() -> (allowed: Int, blocked: Int) {
        let inspector = Inspector(ruleSet: ruleSet.withFreshRateLimitState())
        var scratch = EvaluationScratch()
        var allowed = 0, blocked = 0
        for request in requests {
            if inspector.decide(view(request), scratch: &scratch).0 == .allow { allowed += 1 } else { blocked += 1 }
        }
        return (allowed, blocked)
    }

    private struct ThreadResult: Sendable {
        var evaluations = 0
        var samples: [UInt32] = []
    }

    /// One thread of the timed run: passes over the requests (starting at a different one per
    /// thread) until the deadline or the pass bound. The clock is read once per request anyway
    /// (for the latency), so the deadline check costs nothing more.
    private static func timedRun(_ set: CompiledRuleSet, _ requests: [BenchRequest], start: Int, deadline: UInt64,
                                 passes: Int, sampleCap: Int) -> ThreadResult {
        let inspector = Inspector(ruleSet: set)
        var scratch = EvaluationScratch()
        var result = ThreadResult()
        result.samples.reserveCapacity(min(sampleCap, 1 << 16))
        let limit = set.body.inspectLimit
        var pass = 0
        var now = monotonicNanoseconds()
        outer: while pass < passes {
            for offset in 0..<requests.count {
                let request = requests[(start + offset) % requests.count]
                let view = RequestView(head: request.head, clientAddress: request.client,
                                       body: request.body.count > limit ? Array(request.body.prefix(limit)) : request.body,
                                       bodyTruncated: request.body.count > limit)
                let verdict = inspector.decide(view, scratch: &scratch).0
                let end = monotonicNanoseconds()
                withExtendedLifetime(verdict) {}
                if result.samples.count < sampleCap { result.samples.append(UInt32(clamping: end &- now)) }
                result.evaluations += 1
                now = end
                if end >= deadline { break outer }
            }
            pass += 1
        }
        return result
    }

    /// Passes for the profiling step that take about `budget` on this machine (one timed pass
    /// decides), between 1 and 1,000.
    public func suggestedProfilePasses(budget: Duration = .seconds(1)) -> Int {
        let inspector = Inspector(ruleSet: ruleSet)
        var scratch = EvaluationScratch()
        let start = monotonicNanoseconds()
        for request in requests { _ = inspector.decide(view(request), scratch: &scratch) }
        let onePass = max(1, monotonicNanoseconds() &- start)
        return Int(min(1000, max(1, budget.wholeNanoseconds / onePass)))
    }

    /// The per-rule table: `profilePasses` passes on this thread through `RuleProfiler`.
    private func profile() -> [RuleStats] {
        let inspector = Inspector(ruleSet: ruleSet.withFreshRateLimitState())
        var scratch = EvaluationScratch()
        var profiler = RuleProfiler(ruleSet: ruleSet)
        for _ in 0..<max(1, profilePasses) {
            for request in requests {
                _ = inspector.decide(view(request), scratch: &scratch, observer: &profiler)
            }
        }
        return profiler.stats
    }

    private func view(_ request: BenchRequest) -> RequestView {
        let limit = ruleSet.body.inspectLimit
        return RequestView(head: request.head, clientAddress: request.client, body: Array(request.body.prefix(limit)),
                           bodyTruncated: request.body.count > limit)
    }

    static func percentile(_ sorted: [UInt32], _ p: Double) -> UInt64 {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
        return UInt64(sorted[min(max(rank, 0), sorted.count - 1)])
    }
}

/// A benchmark that cannot run as asked.
public struct BenchmarkSetupError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// What `RuleSetBenchmark.run` measured.
public struct BenchReport: Sendable {
    public var ruleSet: String
    public var requestCount: Int
    public var threads: Int
    /// Verdicts of one pass over the requests.
    public var allowed = 0
    public var blocked = 0
    /// Requests evaluated in the timed run, over all threads.
    public var evaluations = 0
    public var wallNanoseconds: UInt64 = 0
    /// Process CPU time (user + system, getrusage) during the timed run.
    public var cpuNanoseconds: UInt64 = 0
    /// Inspection time of one request (RequestView, both phases, default action).
    public var p50Nanoseconds: UInt64 = 0
    public var p99Nanoseconds: UInt64 = 0
    /// Per rule, from the profiling pass, in rule order.
    public var rules: [RuleStats] = []

    public var requestsPerSecond: Double {
        wallNanoseconds == 0 ? 0 : Double(evaluations) / (Double(wallNanoseconds) / 1e9)
    }

    public var cpuNanosecondsPerRequest: Double {
        evaluations == 0 ? 0 : Double(cpuNanoseconds) / Double(evaluations)
    }

    /// The report for people: totals, then the `top` costliest rules with their share of the
    /// profiled time; rules whose regexes hit the match limit are flagged.
    public func text(top: Int = 10) -> String {
        var out = "rule set   \(ruleSet)\n"
        out += "requests   \(requestCount) in the file: \(allowed) allowed, \(blocked) blocked\n"
        out += "run        \(evaluations) evaluations on \(threads) thread\(threads == 1 ? "" : "s") in "
            + "\(Self.fixed(Double(wallNanoseconds) / 1e9, 2)) s\n"
        out += "throughput \(Self.fixed(requestsPerSecond, 0)) requests/s\n"
        out += "CPU        \(Self.fixed(cpuNanosecondsPerRequest / 1000, 2)) µs per request (getrusage, whole process)\n"
        out += "inspection p50 \(Self.fixed(Double(p50Nanoseconds) / 1000, 2)) µs, "
            + "p99 \(Self.fixed(Double(p99Nanoseconds) / 1000, 2)) µs\n"
        let total = rules.reduce(UInt64(0)) { $0 &+ $1.nanoseconds }
        let ranked = rules.filter { $0.evaluations > 0 }.sorted { $0.nanoseconds > $1.nanoseconds }
        guard !ranked.isEmpty else { return out + "\n(no rule ran)\n" }
        out += "\ncostliest rules (profiling pass, share of the time spent in rules):\n"
        var rows = [["rule", "name", "time %", "µs/eval", "evals", "matches", "limit hits"]]
        for rule in ranked.prefix(top) {
            let share = total == 0 ? 0 : Double(rule.nanoseconds) * 100 / Double(total)
            rows.append([String(rule.id.value), rule.name, Self.fixed(share, 1),
                         Self.fixed(Double(rule.nanoseconds) / 1000 / Double(rule.evaluations), 2),
                         String(rule.evaluations), String(rule.matches),
                         rule.limitHits == 0 ? "0" : "\(rule.limitHits)  ⚠ regex hit its match limit"])
        }
        out += Self.table(rows)
        let flagged = ranked.dropFirst(top).filter { $0.limitHits > 0 }
        for rule in flagged {
            out += "⚠ rule \(rule.id) \(rule.name): regex hit its match limit \(rule.limitHits) time(s)\n"
        }
        return out
    }

    /// Columns left-aligned for text, right-aligned for numbers.
    static func table(_ rows: [[String]]) -> String {
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var out = ""
        for (r, row) in rows.enumerated() {
            var line = "  "
            for (c, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                let numeric = r > 0 && c != 1 && c != row.count - 1
                line += (numeric ? pad + cell : cell + (c == row.count - 1 ? "" : pad)) + "  "
            }
            while line.last == " " { line.removeLast() }
            out += line + "\n"
        }
        return out
    }

    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(Int(rounded))
        if decimals > 0 {
            let fraction = Int(((rounded - Double(Int(rounded))) * scale).rounded())
            let digits = String(abs(fraction))
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return text
    }
}

extension Duration {
    var wholeNanoseconds: UInt64 {
        let (s, a) = components
        if s < 0 { return 0 }
        return UInt64(s) &* 1_000_000_000 &+ UInt64(a / 1_000_000_000)
    }
}
