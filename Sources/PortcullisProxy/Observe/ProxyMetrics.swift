import Prometheus
import Synchronization

/// The proxy's Prometheus metrics (swift-prometheus registry), brought up to date from the loops'
/// plain counters at each scrape.
///
/// Why at scrape time: a swift-prometheus counter is an atomic and a histogram takes a lock per
/// observation; doing that per request on every loop would make the loops contend on shared cache
/// lines. The loops count in plain integers (`LoopStats`) and a scrape adds the differences here.
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
    private let inspection: DurationHistogram
    private let total: DurationHistogram
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
        let buckets = LatencyBuckets.bounds.map { Duration.nanoseconds(Int64($0)) }
        inspection = registry.makeDurationHistogram(
            descriptor: .init(namespace: "portcullis", metricName: "inspection_duration", unitName: "seconds",
                              helpText: "Time spent evaluating rules per request, both phases."), buckets: buckets)
        total = registry.makeDurationHistogram(
            descriptor: .init(namespace: "portcullis", metricName: "request_duration", unitName: "seconds",
                              helpText: "From the request head parsed to the last response byte queued to the client."),
            buckets: buckets)
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
            for (key, value) in now.matches {
                let delta = value - (s.pushed.matches[key] ?? 0)
                guard delta > 0 else { continue }
                let counter = s.matchCounters[key]
                    ?? registry.makeCounter(descriptor: Self.matches, labels: [("rule", String(key.rule)), ("action", key.action.label)])
                s.matchCounters[key] = counter
                counter.increment(by: Int64(delta))
            }
            for (rule, value) in now.rateLimitRejections {
                let delta = value - (s.pushed.rateLimitRejections[rule] ?? 0)
                guard delta > 0 else { continue }
                let counter = s.rateLimitCounters[rule]
                    ?? registry.makeCounter(descriptor: Self.rateLimited, labels: [("rule", String(rule))])
                s.rateLimitCounters[rule] = counter
                counter.increment(by: Int64(delta))
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
            Self.replay(now.inspection, since: s.pushed.inspection, into: inspection)
            Self.replay(now.total, since: s.pushed.total, into: total)
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

    /// Feeds the observations counted since `old` into `histogram`: per bucket, values whose
    /// mean is the bucket's mean (all within the bucket), so bucket counts and the sum are exact.
    private static func replay(_ new: LatencyBuckets, since old: LatencyBuckets, into histogram: DurationHistogram) {
        for i in new.counts.indices {
            let n = new.counts[i] - old.counts[i]
            guard n > 0 else { continue }
            let sum = new.sums[i] &- old.sums[i]
            let q = sum / UInt64(n)
            let r = Int(sum % UInt64(n))
            let low = Duration.nanoseconds(Int64(q))
            let high = Duration.nanoseconds(Int64(q + 1))
            for k in 0..<n { histogram.record(k < r ? high : low) }
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

    /// The Prometheus text exposition of every metric as of the last update.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
