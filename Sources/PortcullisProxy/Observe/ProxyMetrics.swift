import Prometheus
import Synchronization

/// The proxy's Prometheus metrics (swift-prometheus registry), brought up to date from the loops'
/// plain counters at each scrape.
///
/// Why at scrape time: a swift-prometheus counter is an atomic (about 20 instructions, plus a
/// cache line shared by every loop) and a histogram observation takes a lock and walks the
/// buckets (about 1,000 instructions, measured with callgrind). The loops count in plain integers
/// (`LoopStats`) and a scrape adds the differences to the counters here. The two latency
/// histograms are written from the summed buckets directly (`HistogramText`): swift-prometheus
/// can only take them one observation at a time, which would cost the scrape those 1,000
/// instructions per request.
public final class ProxyMetrics: Sendable {
    /// Every metric of this proxy; also the registry the program bootstraps swift-metrics with.
    public let registry: PrometheusCollectorRegistry
    private let state: Mutex<State>

    private struct State {
        var pushed = LoopStats()
        var requestCounters: [Int: Counter] = [:]
        var matchCounters: [LoopStats.MatchKey: Counter] = [:]
        var rateLimitCounters: [Int: Counter] = [:]
        var upstreamCounters: [Int: Counter] = [:]
        var ruleSetInfo: Gauge?
        var ruleSetLabels: [(String, String)] = []
        var pushedLog = BlockLogWriter.Counts(written: 0, dropped: 0, failed: 0, reopens: 0)
        var pushedRegexHits = 0
    }

    private let bytesIn: Counter
    private let bytesOut: Counter
    private let clientConnections: Gauge
    private let upstreamConnections: Gauge
    private let reloadsOK: Counter
    private let reloadsFailed: Counter
    private let logWritten: Counter
    private let logDropped: Counter
    private let logFailed: Counter
    private let regexLimitHits: Counter

    static var requests: MetricNameDescriptor { MetricNameDescriptor(namespace: "portcullis", metricName: "requests", unitName: "total",
                                               helpText: "Requests answered, by verdict (allow, block, rate_limit, reject) and status class.") }
    static var matches: MetricNameDescriptor { MetricNameDescriptor(namespace: "portcullis", metricName: "rule_matches", unitName: "total",
                                              helpText: "Rule matches by rule id and the rule's action.") }
    static var rateLimited: MetricNameDescriptor { MetricNameDescriptor(namespace: "portcullis", metricName: "rate_limit_rejections", unitName: "total",
                                                  helpText: "Requests rejected by a rate limit, by rule id.") }
    static var upstreamErrors: MetricNameDescriptor { MetricNameDescriptor(namespace: "portcullis", metricName: "upstream_errors", unitName: "total",
                                                     helpText: "Upstream failures by kind (refused, timeout, reset, closed, invalid_response, connect_failed).") }
    static var ruleSet: MetricNameDescriptor { MetricNameDescriptor(namespace: "portcullis", metricName: "rule_set", unitName: "info",
                                              helpText: "The rule set in force (value 1): its name and content id.") }

    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        state = Mutex(State())
        bytesIn = registry.makeCounter(descriptor: .init(namespace: "portcullis", metricName: "client_received", unitName: "bytes_total",
                                                         helpText: "Bytes read from clients."))
        bytesOut = registry.makeCounter(descriptor: .init(namespace: "portcullis", metricName: "client_sent", unitName: "bytes_total",
                                                          helpText: "Bytes sent to clients."))
        clientConnections = registry.makeGauge(descriptor: .init(namespace: "portcullis", metricName: "client_connections", unitName: "",
                                                                 helpText: "Open client connections."))
        upstreamConnections = registry.makeGauge(descriptor: .init(namespace: "portcullis", metricName: "upstream_connections", unitName: "",
                                                                   helpText: "Open upstream connections (busy and pooled)."))
        let reloads = MetricNameDescriptor(namespace: "portcullis", metricName: "rule_reloads", unitName: "total",
                                           helpText: "Rule-set reloads by result.")
        reloadsOK = registry.makeCounter(descriptor: reloads, labels: [("result", "ok")])
        reloadsFailed = registry.makeCounter(descriptor: reloads, labels: [("result", "failed")])
        let log = MetricNameDescriptor(namespace: "portcullis", metricName: "block_log_events", unitName: "total",
                                       helpText: "Block-log events by outcome (written, dropped: queue full, failed: write error).")
        logWritten = registry.makeCounter(descriptor: log, labels: [("outcome", "written")])
        logDropped = registry.makeCounter(descriptor: log, labels: [("outcome", "dropped")])
        logFailed = registry.makeCounter(descriptor: log, labels: [("outcome", "failed")])
        regexLimitHits = registry.makeCounter(descriptor: .init(namespace: "portcullis", metricName: "regex_limit_hits", unitName: "total",
                                                                helpText: "Regex evaluations that hit their match limit."))
        for verdict in RequestVerdict.allCases {
            for statusClass in 1..<LoopStats.statusClasses {
                _ = requestCounter(verdict, statusClass)
            }
        }
    }

    private func requestCounter(_ verdict: RequestVerdict, _ statusClass: Int) -> Counter {
        registry.makeCounter(descriptor: Self.requests,
                             labels: [("verdict", verdict.label), ("status_class", statusClass == 0 ? "none" : "\(statusClass)xx")])
    }

    /// Adds each key's growth since `pushed` to its counter, made on first use (rule ids appear
    /// only once a rule has matched).
    private static func push<Key: Hashable>(_ now: [Key: Int], since pushed: [Key: Int], into counters: inout [Key: Counter],
                                            make: (Key) -> Counter) {
        for (key, value) in now {
            let delta = value - (pushed[key] ?? 0)
            guard delta > 0 else { continue }
            let counter = counters[key] ?? make(key)
            counters[key] = counter
            counter.increment(by: Int64(delta))
        }
    }

    /// Adds what the loops counted since the last update.
    func update(_ now: LoopStats, clients: Int, upstreams: Int, regexHits: Int, log: BlockLogWriter.Counts?) {
        state.withLock { s in
            for verdict in RequestVerdict.allCases {
                for statusClass in 0..<LoopStats.statusClasses {
                    let delta = now.requestCount(verdict, statusClass: statusClass) - s.pushed.requestCount(verdict, statusClass: statusClass)
                    guard delta > 0 else { continue }
                    let key = verdict.rawValue * LoopStats.statusClasses + statusClass
                    let counter = s.requestCounters[key] ?? requestCounter(verdict, statusClass)
                    s.requestCounters[key] = counter
                    counter.increment(by: Int64(delta))
                }
            }
            Self.push(now.matches, since: s.pushed.matches, into: &s.matchCounters) { key in
                registry.makeCounter(descriptor: Self.matches, labels: [("rule", String(key.rule)), ("action", key.action.label)])
            }
            Self.push(now.rateLimitRejections, since: s.pushed.rateLimitRejections, into: &s.rateLimitCounters) { rule in
                registry.makeCounter(descriptor: Self.rateLimited, labels: [("rule", String(rule))])
            }
            for kind in UpstreamErrorKind.allCases {
                let delta = now.upstreamErrors[kind.rawValue] - s.pushed.upstreamErrors[kind.rawValue]
                let counter = s.upstreamCounters[kind.rawValue]
                    ?? registry.makeCounter(descriptor: Self.upstreamErrors, labels: [("kind", kind.label)])
                s.upstreamCounters[kind.rawValue] = counter
                if delta > 0 { counter.increment(by: Int64(delta)) }
            }
            if now.bytesIn > s.pushed.bytesIn { bytesIn.increment(by: Int64(now.bytesIn - s.pushed.bytesIn)) }
            if now.bytesOut > s.pushed.bytesOut { bytesOut.increment(by: Int64(now.bytesOut - s.pushed.bytesOut)) }
            clientConnections.set(to: Double(clients))
            upstreamConnections.set(to: Double(upstreams))
            if regexHits > s.pushedRegexHits { regexLimitHits.increment(by: Int64(regexHits - s.pushedRegexHits)) }
            s.pushedRegexHits = regexHits
            if let log {
                if log.written > s.pushedLog.written { logWritten.increment(by: Int64(log.written - s.pushedLog.written)) }
                if log.dropped > s.pushedLog.dropped { logDropped.increment(by: Int64(log.dropped - s.pushedLog.dropped)) }
                if log.failed > s.pushedLog.failed { logFailed.increment(by: Int64(log.failed - s.pushedLog.failed)) }
                s.pushedLog = log
            }
            s.pushed = now
        }
    }

    /// A reload finished: counts it and, when it succeeded, labels the set now in force.
    public func ruleSetLoaded(name: String, id: String) {
        state.withLock { s in
            let labels = [("name", name), ("id", id)]
            if let old = s.ruleSetInfo {
                if s.ruleSetLabels.elementsEqual(labels, by: { $0 == $1 }) { return }
                registry.unregisterGauge(old)
            }
            let gauge = registry.makeGauge(descriptor: Self.ruleSet, labels: labels)
            gauge.set(to: 1.0)
            s.ruleSetInfo = gauge
            s.ruleSetLabels = labels
        }
    }

    public func reloadSucceeded() { reloadsOK.increment() }
    public func reloadFailed() { reloadsFailed.increment() }

    /// The Prometheus text exposition of every metric as of the last update: the registry's,
    /// then the two latency histograms.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        let (inspection, total) = state.withLock { ($0.pushed.inspection, $0.pushed.total) }
        HistogramText.append(name: "portcullis_inspection_duration_seconds",
                             help: "Time spent evaluating rules per request, both phases.", inspection, to: &buffer)
        HistogramText.append(name: "portcullis_request_duration_seconds",
                             help: "From the request head parsed to the last response byte queued to the client.",
                             total, to: &buffer)
        return buffer
    }
}

/// Writes a histogram in the Prometheus text format from cumulative bucket counts and sums.
enum HistogramText {
    static func append(name: String, help: String, _ buckets: LatencyBuckets, to out: inout [UInt8]) {
        out.append(contentsOf: "# HELP \(name) \(help)\n# TYPE \(name) histogram\n".utf8)
        var cumulative = 0
        var sum: UInt64 = 0
        for (i, bound) in LatencyBuckets.bounds.enumerated() {
            cumulative += buckets.counts[i]
            out.append(contentsOf: "\(name)_bucket{le=\"\(seconds(bound))\"} \(cumulative)\n".utf8)
        }
        for s in buckets.sums { sum &+= s }
        let count = buckets.count
        out.append(contentsOf: "\(name)_bucket{le=\"+Inf\"} \(count)\n".utf8)
        out.append(contentsOf: "\(name)_sum \(seconds(sum))\n\(name)_count \(count)\n".utf8)
    }

    /// Nanoseconds as decimal seconds, exact: `0.000025`, `2.5`, `10.0`.
    static func seconds(_ ns: UInt64) -> String {
        let whole = ns / 1_000_000_000
        var fraction = String(ns % 1_000_000_000)
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.count > 1 && fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }
}
