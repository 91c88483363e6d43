import PortcullisEngine
import Synchronization
import PortcullisHTTP

/// Everything the proxy needs to run, already validated and resolved.
///
/// Built by the command line from flags, a YAML config file and embedded defaults; each default
/// is documented here.
public struct ProxyConfiguration: Sendable {
    /// Where clients connect. Default: 127.0.0.1:8080.
    public var listen: SocketAddress
    /// The one upstream every allowed request goes to. Default: 127.0.0.1:8081.
    public var upstream: SocketAddress
    /// Event loops (serial queues). Default: one per CPU this process may use.
    public var loops: Int
    public var limits = HTTPLimits()
    public var forwarding = ForwardingOptions()
    /// Connecting to the upstream; exceeded → 504. Default: 5 s.
    public var upstreamConnectTimeout: Duration = .seconds(5)
    /// Waiting for the upstream between two reads (first byte included); exceeded before the
    /// response started → 504, after → the client connection is cut. Default: 60 s.
    public var upstreamTimeout: Duration = .seconds(60)
    /// Receiving a whole request head once its first byte arrived; exceeded → 408. Default: 60 s.
    public var clientHeaderTimeout: Duration = .seconds(60)
    /// Between two reads of a request body; exceeded → 408 and close. Default: 60 s.
    public var clientBodyTimeout: Duration = .seconds(60)
    /// An idle keep-alive client connection is closed after this. Default: 75 s.
    public var keepAliveTimeout: Duration = .seconds(75)
    /// Between two successful sends to a client that does not read; exceeded → close.
    /// Default: 60 s.
    public var clientSendTimeout: Duration = .seconds(60)
    /// Client connections served at once over all loops; beyond it a new connection gets
    /// 503 with `Retry-After: 1` and is closed, while the others keep being served.
    /// Default: 10,000.
    public var maxConnections = 10_000
    /// Idle upstream connections kept per loop for reuse. Default: 64.
    public var upstreamIdlePerLoop = 64
    /// An idle pooled upstream connection is closed after this. Default: 60 s.
    public var upstreamIdleTimeout: Duration = .seconds(60)
    /// On SIGTERM/SIGINT, in-flight requests get this long to finish. Default: 10 s.
    public var shutdownGrace: Duration = .seconds(10)
    /// The live `explain`: requests carrying this header with its secret are answered with their
    /// evaluation trace instead of being forwarded. Default: off (nil); there is no default secret.
    public var debugTrace: DebugTraceConfiguration?

    public init(listen: SocketAddress, upstream: SocketAddress, loops: Int) {
        self.listen = listen
        self.upstream = upstream
        self.loops = max(1, loops)
    }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: UInt64 {
        let (s, a) = components
        if s < 0 { return 0 }
        let total = UInt64(s).multipliedReportingOverflow(by: 1_000_000_000)
        if total.overflow { return .max }
        return total.partialValue &+ UInt64(a / 1_000_000_000)
    }
}

/// The configuration as the loops read it on the hot path: timeouts as nanoseconds, the default
/// Host as bytes. Immutable and shared by every loop.
final class ProxyContext: Sendable {
    let config: ProxyConfiguration
    let upstreamConnectTimeout: UInt64
    let upstreamTimeout: UInt64
    let clientHeaderTimeout: UInt64
    let clientBodyTimeout: UInt64
    let keepAliveTimeout: UInt64
    let clientSendTimeout: UInt64
    let upstreamIdleTimeout: UInt64
    /// Host sent upstream for HTTP/1.0 requests that carried none.
    let defaultHost: [UInt8]
    /// How long a closing connection keeps draining what the client still sends after our
    /// last response. Default: 2 s.
    static let lingerTimeout: UInt64 = 2_000_000_000
    /// Above this many unsent bytes toward one peer, reading from the other side pauses.
    /// Default: 128 KiB.
    let highWater = 128 * 1024

    /// Client connections open now (counted against `maxConnections`); touched once per
    /// accept and once per close, never per request.
    let openClients = Atomic<Int>(0)
    init(_ config: ProxyConfiguration) {
        self.config = config
        upstreamConnectTimeout = config.upstreamConnectTimeout.nanoseconds
        upstreamTimeout = config.upstreamTimeout.nanoseconds
        clientHeaderTimeout = config.clientHeaderTimeout.nanoseconds
        clientBodyTimeout = config.clientBodyTimeout.nanoseconds
        keepAliveTimeout = config.keepAliveTimeout.nanoseconds
        clientSendTimeout = config.clientSendTimeout.nanoseconds
        upstreamIdleTimeout = config.upstreamIdleTimeout.nanoseconds
        defaultHost = Array(config.upstream.description.utf8)
    }
}
