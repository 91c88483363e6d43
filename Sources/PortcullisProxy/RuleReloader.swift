import Logging
import PortcullisEngine
import Synchronization

/// Where a running proxy's rules come from, so a reload reads the same place again.
public enum RuleSource: Sendable, Equatable {
    case file(String)
    /// The copy of `Rules/default.yaml` compiled into the binary.
    case embedded

    public func load() throws(RuleSetLoadError) -> CompiledRuleSet {
        let loader = RuleSetLoader()
        switch self {
        case .file(let path): return try loader.load(contentsOf: path)
        case .embedded:
            return try EmbeddedRules.load()
        }
    }
}

/// Reloads the rule set of a running proxy (SIGHUP, `POST /reload`): compiles the source again off
/// the request path and, only if that succeeds, puts the new set in force. A broken file keeps
/// the old set and says why.
public final class RuleReloader: Sendable {
    public let source: RuleSource
    /// The proxy whose loops get the new set.
    public let server: ProxyServer
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var current: CompiledRuleSet
        var succeeded = 0
        var failed = 0
        var lastError: RuleSetLoadError?
    }

    public init(source: RuleSource, initial: CompiledRuleSet, server: ProxyServer, logger: Logger) {
        self.source = source
        self.server = server
        self.logger = logger
        self.state = Mutex(State(current: initial))
    }

    /// The set in force now.
    public var current: CompiledRuleSet { state.withLock { $0.current } }

    /// Reload outcomes so far: (ok, failed).
    public var counts: (ok: Int, failed: Int) { state.withLock { ($0.succeeded, $0.failed) } }

    /// Compiles the source again; on success every loop switches to the new set.
    /// Reloads are serialised: two at once cannot put an older set in force last.
    @discardableResult
    public func reload() -> Result<CompiledRuleSet, RuleSetLoadError> {
        state.withLock { s -> Result<CompiledRuleSet, RuleSetLoadError> in
            var loaded = load()
            switch loaded {
            case .success(let fresh):
                let inForce = server.replaceRuleSet(fresh)
                loaded = .success(inForce)
                s.current = inForce
                s.succeeded += 1
                s.lastError = nil
                server.metrics.reloadSucceeded()
                logger.info("rules reloaded", metadata: ["set": "\(fresh.name)", "rules": "\(fresh.ruleCount)",
                                                         "source": "\(fresh.sourcePath)"])
            case .failure(let error):
                s.failed += 1
                s.lastError = error
                server.metrics.reloadFailed()
                logger.error("rules reload failed; keeping the previous set", metadata: ["error": "\(error)"])
            }
            return loaded
        }
    }

    private func load() -> Result<CompiledRuleSet, RuleSetLoadError> {
        do { return .success(try source.load()) } catch { return .failure(error) }
    }
}
