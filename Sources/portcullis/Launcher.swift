import CShim
import Dispatch
import Glibc
import Logging
import Metrics
import Prometheus
import Synchronization
import PortcullisEngine
import PortcullisProxy

/// Starts the pieces of a running Portcullis (rules, proxy, admin listener, signal handling) and
/// waits until a signal has shut it down.
final class Launcher {
    let settings: Settings
    let configuration: ProxyConfiguration
    let ruleSet: CompiledRuleSet
    let server: ProxyServer
    let reloader: RuleReloader
    let logger: Logger
    private var admin: LocalHTTPServer?
    private var demoApp: LocalHTTPServer?
    private var signalSources: [DispatchSourceSignal] = []
    let blockLog: BlockLogWriter?

    init(settings: Settings) throws {
        LoggingBootstrap.once()
        FileDescriptorLimit.raiseToHardLimit()
        self.settings = settings
        self.logger = Logger(label: "portcullis")
        let source = Self.ruleSource(settings.rules)
        self.ruleSet = try source.load()
        self.configuration = try settings.proxyConfiguration(defaultLoops: Int(cshim_cpu_count()))
        let adminAddress = try settings.adminAddress()
        if let path = settings.blockLogPath {
            blockLog = BlockLogWriter(sink: try FileLogSink(path: path), format: settings.blockLogFormat,
                                      capacity: settings.blockLogBuffer ?? 4096, logger: logger)
        } else {
            blockLog = nil
        }
        self.server = ProxyServer(configuration: configuration, ruleSet: ruleSet, logger: logger, blockLog: blockLog)
        MetricsBootstrap.once(server.metrics)
        self.reloader = RuleReloader(source: source, initial: ruleSet, server: server, logger: logger)
        try server.start()
        if let address = adminAddress {
            admin = try Self.startAdmin(at: address, reloader: reloader, optional: settings.adminIsDefault,
                                        logger: logger)
        }
        installSignalHandlers()
    }

    /// The admin listener; when `optional` (nobody chose the address) a failure to bind is a
    /// warning and the proxy runs without it.
    private static func startAdmin(at address: SocketAddress, reloader: RuleReloader, optional: Bool,
                                   logger: Logger) throws -> LocalHTTPServer? {
        do {
            return try LocalHTTPServer(address: address, name: "admin", logger: logger) { request in
                AdminEndpoint.handle(request, reloader: reloader)
            }
        } catch {
            guard optional else { throw error }
            logger.warning("admin endpoint not started: \(error); choose another address with --admin ADDR (or admin: in the config), or --admin off")
            return nil
        }
    }

    /// The rules file given, else `Rules/default.yaml` in the working directory, else the copy
    /// embedded in the binary.
    static func ruleSource(_ path: String?) -> RuleSource {
        if let path { return .file(path) }
        if access(EmbeddedRules.defaultPath, R_OK) == 0 { return .file(EmbeddedRules.defaultPath) }
        return .embedded
    }

    func startDemoApp(at address: String) throws {
        let resolved = try SocketAddress.resolve(address)
        demoApp = try LocalHTTPServer(address: resolved, name: "demo", logger: logger) { DemoApp.handle($0) }
        print("demo app listening on http://\(resolved)")
    }

    func announce() {
        print("portcullis listening on http://\(configuration.listen) → upstream http://\(configuration.upstream)")
        print("rules: \(ruleSet.name) from \(ruleSet.sourcePath) (\(ruleSet.ruleCount) rules, default \(ruleSet.defaultAction.rawValue)); \(configuration.loops) event loop(s)")
        let adminText = admin == nil ? nil : settings.effectiveAdmin
        if let adminText { print("admin: GET http://\(adminText)/metrics, /healthz, /rules; POST /reload") }
        if let path = settings.blockLogPath { print("block log: \(path == "-" ? "standard output" : path) (reopen with kill -USR1 \(getpid()))") }
        print("reload rules: kill -HUP \(getpid())\(adminText.map { " or curl -X POST http://\($0)/reload" } ?? "")")
    }

    private func installSignalHandlers() {
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            let server = self.server
            source.setEventHandler { server.shutdown() }
            source.activate()
            signalSources.append(source)
        }
        signal(SIGHUP, SIG_IGN)
        let hangUp = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "portcullis.reload"))
        let reloader = self.reloader
        hangUp.setEventHandler { reloader.reload() }
        hangUp.activate()
        signalSources.append(hangUp)
        if let blockLog {
            signal(SIGUSR1, SIG_IGN)
            let usr1 = DispatchSource.makeSignalSource(signal: SIGUSR1, queue: .global())
            usr1.setEventHandler { blockLog.reopen() }
            usr1.activate()
            signalSources.append(usr1)
        }
    }

    func runUntilStopped() {
        server.waitUntilStopped()
        blockLog?.stop()
    }
}

/// swift-log for the program's own diagnostics, to stderr.
enum LoggingBootstrap {
    private static let done: Void = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
    }()

    static func once() { _ = done }
}

/// swift-metrics reports into the proxy's Prometheus registry, so metrics of any library using
/// swift-metrics appear at `GET /metrics` too.
enum MetricsBootstrap {
    private static let done = Mutex(false)

    static func once(_ metrics: ProxyMetrics) {
        let first = done.withLock { d -> Bool in defer { d = true }; return !d }
        if first { MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry)) }
    }
}

/// Each proxied request holds two descriptors; Debian's default soft limit of 1,024 would cap a
/// proxy far below its connection limit, so the soft limit is raised to the hard one at start.
enum FileDescriptorLimit {
    static func raiseToHardLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
