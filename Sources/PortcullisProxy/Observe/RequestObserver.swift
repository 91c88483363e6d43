import Glibc
import PortcullisEngine
import PortcullisHTTP

/// What is observed of one exchange while it runs: its id, its clock readings and the block-log
/// line waiting for the response status. Small and without references in the common case, since
/// the exchange holding it is copied several times per request.
struct ObservedExchange {
    /// The request's number on its loop (see `RequestIDGenerator`); 0 until assigned.
    var id: UInt64 = 0
    /// Loop clock when the request head was parsed; 0 for answers given without a request.
    var startedAt: UInt64 = 0
    /// Loop clock when the inspection span under way began.
    var mark: UInt64 = 0
    /// Time spent in rule evaluation so far (both phases).
    var inspection: UInt64 = 0
    var verdict = RequestVerdict.reject
    /// Counted in `requests_total` already.
    var counted = false
    /// Set when the request must be logged; written once the status is known.
    var pendingLog: PendingLogEvent?
}

/// A block-log event waiting for its status (a reference, so the exchange stays small).
final class PendingLogEvent {
    var event: BlockLogEvent
    init(_ event: BlockLogEvent) { self.event = event }
}

/// The block log, request ids and counters of one event loop, called from `ClientConnection` at
/// a few points of an exchange. Loop-confined: its counters are plain integers.
final class RequestObserver {
    /// Only this loop touches it; unchecked so counting costs no runtime exclusivity check.
    @exclusivity(unchecked) var stats = LoopStats()
    /// The last id rendered, and its number: the same id is written upstream and to the client.
    @exclusivity(unchecked) private var idBuffer: [UInt8] = []
    @exclusivity(unchecked) private var idBufferNumber: UInt64 = 0
    private var ids: RequestIDGenerator
    private let time: TimeSource
    /// Shared by every loop; nil when no block log is configured.
    var blockLog: BlockLogWriter?

    static let headerName = Array("X-Request-Id".utf8)

    init(loopIndex: Int, time: TimeSource) {
        self.ids = RequestIDGenerator(loopIndex: loopIndex)
        self.time = time
    }

    /// A request head was parsed: its id, and the clock reading that starts its total time and
    /// its first inspection span.
    func start() -> ObservedExchange {
        let now = time.nowNanoseconds()
        return ObservedExchange(id: ids.next(), startedAt: now, mark: now, verdict: .allow)
    }

    /// A number for an answer given without a parsed request (400, 408, 503).
    func nextID() -> UInt64 { ids.next() }

    /// The `X-Request-Id` text of request `id`.
    func idBytes(_ id: UInt64) -> [UInt8] {
        if id != idBufferNumber || idBuffer.isEmpty {
            idBuffer.removeAll(keepingCapacity: true)
            ids.render(id, into: &idBuffer)
            idBufferNumber = id
        }
        return idBuffer
    }

    /// An inspection span ends (a phase waits for the body, or inspection decided).
    func inspectionEnded(_ observed: inout ObservedExchange) {
        let now = time.nowNanoseconds()
        observed.inspection &+= now &- observed.mark
        observed.mark = now
    }

    /// The body phase begins; returns the clock reading (the request's time for rate limits).
    func inspectionResumed(_ observed: inout ObservedExchange) -> UInt64 {
        observed.mark = time.nowNanoseconds()
        return observed.mark
    }

    /// Inspection decided `verdict` with the findings in `state`: counts the matches and, for a
    /// block or a count match, prepares the block-log line.
    func decided(_ verdict: Verdict, state: EvaluationState, head: RequestHead, client: [UInt8],
                 ruleSet: CompiledRuleSet, into observed: inout ObservedExchange) {
        inspectionEnded(&observed)
        var logged = false
        for match in state.matches {
            stats.matches[LoopStats.MatchKey(rule: match.ruleID.value, action: LoopStats.MatchAction(match.action)), default: 0] &+= 1
            if match.action != "allow" { logged = true }
        }
        var rejectedBy: RuleID?
        for limit in state.rateLimits where limit.decision == .rejected {
            logged = true
            if limit.enforced {
                stats.rateLimitRejections[limit.ruleID.value, default: 0] &+= 1
                if rejectedBy == nil { rejectedBy = limit.ruleID }
            }
        }
        let logVerdict: BlockLogEvent.Verdict
        switch verdict {
        case .allow:
            observed.verdict = .allow
            logVerdict = .allow
        case .block(_, let rule):
            let limited = rule != nil && rule == rejectedBy
            observed.verdict = limited ? .rateLimit : .block
            logVerdict = limited ? .rateLimited : .block
            logged = true
        }
        guard logged, blockLog != nil else { return }
        observed.pendingLog = PendingLogEvent(BlockLogEvent(
            time: 0, requestID: idBytes(observed.id), client: client, head: head, verdict: logVerdict, status: 0,
            decidingRule: state.decidingRule, ruleSet: ruleSet.name, matches: state.matches,
            rateLimits: state.rateLimits, inspectionNanoseconds: observed.inspection))
    }

    /// The response head (forwarded or local) went to the client with `status`.
    func responded(status: Int, _ observed: inout ObservedExchange) {
        guard !observed.counted else { return }
        observed.counted = true
        stats.countRequest(observed.verdict, status: status)
        if observed.startedAt != 0 { stats.inspection.record(observed.inspection) }
        if let pending = observed.pendingLog, let blockLog {
            observed.pendingLog = nil
            var event = pending.event
            event.status = status
            event.time = WallClock.nowMilliseconds()
            blockLog.submit(event)
        }
    }

    /// The exchange ended with its whole response queued to the client.
    func finished(_ observed: ObservedExchange) {
        guard observed.startedAt != 0 else { return }
        stats.total.record(time.nowNanoseconds() &- observed.startedAt)
    }

    func upstreamFailed(_ failure: UpstreamFailure) {
        let kind: UpstreamErrorKind
        switch failure {
        case .connectFailed(let e) where e == ECONNREFUSED: kind = .refused
        case .connectFailed(let e) where e == ETIMEDOUT: kind = .timeout
        case .connectFailed: kind = .connect
        case .timedOut: kind = .timeout
        case .reset: kind = .reset
        case .closed: kind = .closed
        case .badResponse: kind = .invalid
        }
        stats.upstreamErrors[kind.rawValue] &+= 1
    }
}
