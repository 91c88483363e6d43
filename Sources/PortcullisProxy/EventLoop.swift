import Dispatch
import Glibc
import Logging
import PortcullisEngine

/// One serial queue and everything bound to it: its sockets, its read buffer, its upstream pool
/// and its timer sweep.
///
/// Why: a connection never leaves its loop, so no request state needs a lock. Every method marked
/// "on the loop" must run on `queue`; the type is `@unchecked Sendable` only so other threads can
/// `execute` work onto it.
public final class EventLoop: @unchecked Sendable {
    public let index: Int
    let queue: DispatchQueue
    let watcher: ReadinessWatcher
    /// Announces work from other threads (see `sync` and `execute`).
    private let wakeup: LoopWakeup
    let time: TimeSource
    /// Scratch space for every read on this loop; bytes that must outlive a read are copied out.
    let readBuffer: UnsafeMutableRawBufferPointer
    private var tickTimer: DispatchSourceTimer?
    private let tickInterval: DispatchTimeInterval
    /// Set by the server from its configuration.
    var upstreamIdleTimeout: UInt64 = 60_000_000_000
    /// Called when the loop has no client connections left while draining (on the loop).
    var onDrained: (() -> Void)?
    /// Set when shutdown begins: idle connections close, busy ones close after their response.
    private(set) var draining = false
    var clientCount = 0
    lazy var upstreamPool = UpstreamPool(loop: self)
    /// The rule set requests on this loop are inspected with. Each loop holds its own reference,
    /// replaced on its own queue at a reload, so taking it costs no lock and no atomic.
    var inspector: Inspector
    /// Regex match data and other working memory for inspections on this loop.
    var scratch = EvaluationScratch()
    /// The last block answer sent on this loop, for the next block by the same rule.
    var blockAnswers = BlockAnswerCache()
    /// Request ids, counters and the block log of this loop's requests.
    let observer: RequestObserver
    /// Regex evaluations on this loop that hit their match limit (read with `sync`).
    private(set) var regexLimitHits = 0
    /// The program's diagnostics; set when listening starts.
    private(set) var logger = Logger(label: "portcullis")
    private var listener: Listener?
    /// The loop itself while it runs (set by `start`, cleared by `stop` on its own queue): handlers
    /// on the queue reach the loop through unowned references, so it must not be freed by another
    /// thread dropping the last reference in the middle of a drain.
    private var keepAlive: EventLoop?

    /// Default read buffer: 64 KiB, enough for one large socket read.
    init(index: Int, time: TimeSource, inspector: Inspector, tickMilliseconds: Int = 100,
         readBufferSize: Int = 65536) {
        self.index = index
        self.inspector = inspector
        self.queue = DispatchQueue(label: "portcullis.loop.\(index)")
        let wakeup = LoopWakeup()
        self.wakeup = wakeup
        self.watcher = ReadinessWatcher(queue: queue, wakeup: wakeup, budgetMilliseconds: tickMilliseconds)
        self.time = time
        self.observer = RequestObserver(loopIndex: index, time: time)
        self.readBuffer = .allocate(byteCount: readBufferSize, alignment: 16)
        self.tickInterval = .milliseconds(tickMilliseconds)
    }

    /// A loop never started must not leave its epoll source behind (a started one lives until
    /// `stop`, which has already cancelled both sources).
    deinit {
        tickTimer?.cancel()
        watcher.cancel()
    }

    func start() {
        keepAlive = self
        watcher.activate()
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + tickInterval, repeating: tickInterval, leeway: .milliseconds(10))
        // Strong, not weak (see `ReadinessWatcher.init`): `stop` cancels the timer, which
        // releases this handler and so the loop.
        timer.setEventHandler { self.sweepDeadlines() }
        timer.activate()
        tickTimer = timer
    }

    /// Starts accepting on a listening socket shared with the other loops (on the loop).
    func startListening(fd: Int32, context: ProxyContext, logger: Logger) {
        self.logger = logger
        let listener = Listener(loop: self, fd: fd, context: context, logger: logger)
        self.listener = listener
        listener.start()
    }

    /// Re-arms accepting after a back-off (on the loop).
    func resumeListening() { listener?.start() }

    /// Stops accepting (on the loop).
    func stopListening() {
        listener?.stop()
        listener = nil
    }

    /// Counts and logs regex evaluations that hit their match limit during one request's
    /// inspection (on the loop): a request built to exhaust a pattern is worth knowing about.
    func noteLimitHits(_ state: EvaluationState, peer: [UInt8]) {
        guard state.limitHits > 0 else { return }
        regexLimitHits += state.limitHits
        let rules = state.matches.filter(\.limitHit).map { String($0.ruleID.value) }.joined(separator: ",")
        logger.warning("regex match limit hit", metadata: [
            "count": "\(state.limitHits)", "client": "\(String(decoding: peer, as: UTF8.self))",
            "matched_rules_on_limit": "\(rules.isEmpty ? "none (on_limit: no_match)" : rules)",
        ])
    }

    /// Runs `work` on the loop (from any thread, the loop's own included).
    ///
    /// Work for a loop goes through here or `sync`, never straight to `queue`: the loop's
    /// handler may be waiting in its epoll set and must be told to hand the queue back.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        let wakeup = self.wakeup
        wakeup.announce()
        queue.async {
            wakeup.started()
            work()
        }
    }

    /// Runs `work` on the loop and returns its result (from any thread but the loop's own).
    func sync<T>(_ work: () throws -> T) rethrows -> T {
        wakeup.announce()
        return try queue.sync {
            wakeup.started()
            return try work()
        }
    }

    var now: UInt64 { time.nowNanoseconds() }

    /// Calls `body` for every open client connection (on the loop), over a snapshot: `body` may
    /// close connections.
    ///
    /// The client connections are the `ClientConnection` handlers the watcher holds (each is
    /// watched from its accept to its close), not a registry of their own: inserting into and
    /// removing from a dictionary cost ~1.2k instructions per connection, and only the tick and
    /// shutdown walk them.
    private func forEachClient(_ body: (ClientConnection) -> Void) {
        watcher.forEachHandler { if let client = $0 as? ClientConnection { body(client) } }
    }

    /// Clients whose responses wait for them to read (on the loop).
    var clientsWaitingToSend: Int {
        var count = 0
        forEachClient { if $0.isWaitingToSend { count += 1 } }
        return count
    }

    /// Closes the clients with no request under way (on the loop); the others close after their
    /// current response.
    func closeIdleClients() {
        forEachClient { $0.closeIfIdle() }
    }

    /// Checks every deadline against the loop's clock (on the loop). Public through `ProxyServer`
    /// so tests with a manual clock can sweep without waiting for the timer.
    func sweepDeadlines() {
        let now = time.nowNanoseconds()
        forEachClient { $0.checkDeadline(now: now) }
        upstreamPool.sweep(now: now, timeout: upstreamIdleTimeout)
    }

    /// Begins draining (on the loop).
    func beginDraining(closeIdle: () -> Void) {
        draining = true
        closeIdle()
        upstreamPool.closeAll()
        clientClosedCheck()
    }

    func clientOpened() { clientCount += 1 }

    func clientClosed() {
        clientCount -= 1
        clientClosedCheck()
    }

    private func clientClosedCheck() {
        if draining && clientCount == 0, let done = onDrained {
            onDrained = nil
            done()
        }
    }

    /// Stops the loop's sources (on the loop); after this nothing more runs here.
    func stop() {
        tickTimer?.cancel()
        tickTimer = nil
        watcher.cancel()
        keepAlive = nil
    }
}
