import CShim
import Dispatch
import Glibc
import Logging
import PortcullisEngine
import Synchronization

/// The running proxy: its event loops, the listening socket and shutdown.
///
/// Why a class with a lock: it is driven from the command line thread and from signal handlers
/// while the loops run on their own queues; only start, stop and counts touch the lock, never a
/// request.
public final class ProxyServer: Sendable {
    public let configuration: ProxyConfiguration
    private let context: ProxyContext
    private let loops: [EventLoop]
    private let logger: Logger
    private let state = Mutex(State())
    private let stopped = DispatchSemaphore(value: 0)
    /// Counters exposed at `GET /metrics` on the admin listener.
    public let metrics = ProxyMetrics()
    /// Where blocked and counted requests are logged; nil for none.
    public let blockLog: BlockLogWriter?

    private struct State {
        var listenFD: Int32 = -1
        var shuttingDown = false
        var drainedLoops = 0
        var finished = false
    }

    public init(configuration: ProxyConfiguration, ruleSet: CompiledRuleSet,
                time: TimeSource = SystemTimeSource(), logger: Logger = Logger(label: "portcullis"),
                blockLog: BlockLogWriter? = nil) {
        self.configuration = configuration
        self.context = ProxyContext(configuration)
        self.logger = logger
        self.blockLog = blockLog
        let inspector = Inspector(ruleSet: ruleSet)
        self.loops = (0..<configuration.loops).map { EventLoop(index: $0, time: time, inspector: inspector) }
        for loop in loops { loop.observer.blockLog = blockLog }
        metrics.ruleSetLoaded(name: ruleSet.name, id: RuleSetID.of(ruleSet))
        signal(SIGPIPE, SIG_IGN)
    }

    /// A server dropped without `shutdown` (tests) stops its loops on their own queues; a loop
    /// keeps itself alive until then.
    deinit {
        for loop in loops { loop.execute { loop.stop() } }
    }

    /// Binds the listening socket and starts the loops; returns the bound port (useful with port 0).
    @discardableResult
    public func start() throws(AddressError) -> UInt16 {
        let fd = try Socket.listen(on: configuration.listen)
        for loop in loops {
            loop.upstreamIdleTimeout = context.upstreamIdleTimeout
            loop.start()
            loop.sync { loop.startListening(fd: fd, context: context, logger: logger) }
        }
        state.withLock { $0.listenFD = fd }
        return Socket.localPort(fd)
    }

    /// Stops accepting, lets in-flight requests finish for up to `grace`, then stops the loops.
    /// Idle keep-alive connections close at once. Safe to call more than once.
    public func shutdown(grace: Duration? = nil) {
        let (first, fd) = state.withLock { s -> (Bool, Int32) in
            let first = !s.shuttingDown
            s.shuttingDown = true
            return (first, s.listenFD)
        }
        guard first else { return }
        logger.info("shutting down: no new connections; finishing requests in flight")
        let group = DispatchGroup()
        for loop in loops {
            group.enter()
            loop.execute { loop.stopListening(); group.leave() }
        }
        group.notify(queue: .global()) { [self] in
            if fd >= 0 { close(fd) }
            for loop in loops {
                loop.execute { [self] in
                    loop.onDrained = { [self] in self.loopDrained() }
                    loop.beginDraining { loop.closeIdleClients() }
                }
            }
        }
        let wait = grace ?? configuration.shutdownGrace
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(clamping: wait.nanoseconds))) { [self] in
            finish(reason: "grace period over")
        }
    }

    private func loopDrained() {
        let all = state.withLock { s -> Bool in
            s.drainedLoops += 1
            return s.drainedLoops == loops.count
        }
        if all { finish(reason: "all connections finished") }
    }

    private func finish(reason: String) {
        let first = state.withLock { s -> Bool in
            defer { s.finished = true }
            return !s.finished
        }
        guard first else { return }
        logger.info("stopped: \(reason)")
        // Called from loop queues too, so never `sync` onto one here.
        let group = DispatchGroup()
        for loop in loops {
            group.enter()
            loop.execute { loop.stop(); group.leave() }
        }
        group.notify(queue: .global()) { [stopped] in stopped.signal() }
    }

    /// Puts a new rule set in force: each loop switches on its own queue; a request already being
    /// inspected finishes with the set it started with. Returns once every loop has switched.
    /// Rate-limit rules whose definition did not change keep their counters (the set put in
    /// force, returned, shares them with the previous one).
    @discardableResult
    public func replaceRuleSet(_ ruleSet: CompiledRuleSet) -> CompiledRuleSet {
        let previous = loops[0].sync { loops[0].inspector.ruleSet }
        let inForce = ruleSet.keepingRateLimitState(of: previous)
        let inspector = Inspector(ruleSet: inForce)
        for loop in loops { loop.sync { loop.inspector = inspector } }
        metrics.ruleSetLoaded(name: ruleSet.name, id: RuleSetID.of(ruleSet))
        return inForce
    }

    /// Brings the metrics up to date from every loop's counters (each copied on its own queue)
    /// and returns them in the Prometheus text format.
    public func scrapeMetrics() -> [UInt8] {
        var total = LoopStats()
        var clients = 0, upstreams = 0, regexHits = 0
        for loop in loops {
            let (stats, c, u, r) = loop.sync { (loop.observer.stats, loop.clientCount, loop.upstreamPool.openCount, loop.regexLimitHits) }
            total.add(stats)
            clients += c
            upstreams += u
            regexHits += r
        }
        metrics.update(total, clients: clients, upstreams: upstreams, regexHits: regexHits, log: blockLog?.counts)
        return metrics.exposition()
    }

    /// Blocks the calling thread until shutdown completes.
    public func waitUntilStopped() {
        stopped.wait()
        stopped.signal()
    }

    /// Runs every loop's deadline sweep now and waits for it (tests with a manual clock).
    public func sweepDeadlines() {
        for loop in loops { loop.sync { loop.sweepDeadlines() } }
    }

    /// Open client connections over all loops (waits for each loop).
    public func clientConnectionCount() -> Int {
        loops.reduce(0) { sum, loop in sum + loop.sync { loop.clientCount } }
    }

    /// Clients that stopped reading while a response waits for them (waits for each loop).
    public func clientsWaitingToSend() -> Int {
        loops.reduce(0) { sum, loop in sum + loop.sync { loop.clientsWaitingToSend } }
    }

    /// Regex evaluations that hit their match limit, over all loops (waits for each loop).
    public func regexLimitHitCount() -> Int {
        loops.reduce(0) { sum, loop in sum + loop.sync { loop.regexLimitHits } }
    }

    /// Open upstream connections over all loops (waits for each loop).
    public func upstreamConnectionCount() -> Int {
        loops.reduce(0) { sum, loop in sum + loop.sync { loop.upstreamPool.openCount } }
    }
}
