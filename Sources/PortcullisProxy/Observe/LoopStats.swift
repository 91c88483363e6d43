import PortcullisEngine

/// What a request's outcome is counted as in `portcullis_requests_total{verdict=…}`.
enum RequestVerdict: Int, CaseIterable {
    /// Forwarded to the upstream (whatever the upstream answered).
    case allow
    /// Answered by a blocking rule or the default action.
    case block
    /// Answered 429 by a rate limit.
    case rateLimit
    /// Refused before inspection: malformed request, timeout, over the connection limit.
    case reject

    var label: String {
        switch self {
        case .allow: "allow"
        case .block: "block"
        case .rateLimit: "rate_limit"
        case .reject: "reject"
        }
    }
}

/// Kinds of upstream failure in `portcullis_upstream_errors_total{kind=…}`.
enum UpstreamErrorKind: Int, CaseIterable {
    case refused, timeout, reset, closed, invalid, connect

    var label: String {
        switch self {
        case .refused: "refused"
        case .timeout: "timeout"
        case .reset: "reset"
        case .closed: "closed"
        case .invalid: "invalid_response"
        case .connect: "connect_failed"
        }
    }
}

/// Latency buckets in plain integers: counts and summed nanoseconds per bucket.
///
/// Why a sum per bucket: the Prometheus histogram is fed at scrape time with one observation per
/// request at its bucket's mean, which keeps every bucket count and the total sum exact.
struct LatencyBuckets {
    /// Upper bounds in nanoseconds (10 µs … 10 s); one more bucket above the last.
    static let bounds: [UInt64] = [
        10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
        1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000,
        100_000_000, 250_000_000, 500_000_000, 1_000_000_000, 2_500_000_000, 5_000_000_000, 10_000_000_000,
    ]
    var counts = [Int](repeating: 0, count: bounds.count + 1)
    var sums = [UInt64](repeating: 0, count: bounds.count + 1)

    mutating func record(_ nanoseconds: UInt64) {
        var i = 0
        let bounds = Self.bounds
        while i < bounds.count && nanoseconds > bounds[i] { i += 1 }
        counts[i] &+= 1
        sums[i] &+= nanoseconds
    }

    mutating func add(_ other: LatencyBuckets) {
        for i in counts.indices {
            counts[i] &+= other.counts[i]
            sums[i] &+= other.sums[i]
        }
    }

    var count: Int { counts.reduce(0, &+) }
}

/// One event loop's counters: plain integers touched only on that loop, so counting a request
/// costs no lock and no atomic. `ProxyServer.scrapeMetrics` copies every loop's stats on the
/// loop's own queue and sums them.
struct LoopStats {
    /// `[verdict * statusClasses + class]`; class 0 is "no status", 1…5 are 1xx…5xx.
    var requests = [Int](repeating: 0, count: RequestVerdict.allCases.count * LoopStats.statusClasses)
    static let statusClasses = 6
    /// Matches by rule id and action as written (`block`, `count`, `allow`).
    var matches: [MatchKey: Int] = [:]
    var rateLimitRejections: [Int: Int] = [:]
    var upstreamErrors = [Int](repeating: 0, count: UpstreamErrorKind.allCases.count)
    var bytesIn = 0
    var bytesOut = 0
    var inspection = LatencyBuckets()
    var total = LatencyBuckets()

    struct MatchKey: Hashable {
        var rule: Int
        var action: MatchAction
    }

    /// A rule's action as written; an enum so counting a match hashes two integers.
    enum MatchAction: UInt8 {
        case block, count, allow, other

        init(_ text: String) {
            switch text {
            case "block": self = .block
            case "count": self = .count
            case "allow": self = .allow
            default: self = .other
            }
        }

        var label: String {
            switch self {
            case .block: "block"
            case .count: "count"
            case .allow: "allow"
            case .other: "other"
            }
        }
    }

    mutating func countRequest(_ verdict: RequestVerdict, status: Int) {
        let statusClass = (100...599).contains(status) ? status / 100 : 0
        requests[verdict.rawValue * Self.statusClasses + statusClass] &+= 1
    }

    func requestCount(_ verdict: RequestVerdict, statusClass: Int) -> Int {
        requests[verdict.rawValue * Self.statusClasses + statusClass]
    }

    mutating func add(_ other: LoopStats) {
        for i in requests.indices { requests[i] &+= other.requests[i] }
        for (k, v) in other.matches { matches[k, default: 0] &+= v }
        for (k, v) in other.rateLimitRejections { rateLimitRejections[k, default: 0] &+= v }
        for i in upstreamErrors.indices { upstreamErrors[i] &+= other.upstreamErrors[i] }
        bytesIn &+= other.bytesIn
        bytesOut &+= other.bytesOut
        inspection.add(other.inspection)
        total.add(other.total)
    }
}
