import PortcullisEngine
import PortcullisHTTP
import PortcullisProxy
import Yams

/// Every setting of `portcullis run`, each optional so that flags, a config file and the embedded
/// defaults can be layered: flags win over the file, the file over the defaults.
struct Settings: Equatable {
    var listen: String?
    var upstream: String?
    var rules: String?
    var admin: String?
    var loops: Int?
    var maxConnections: Int?
    var upstreamTimeout: Duration?
    var upstreamConnectTimeout: Duration?
    var clientHeaderTimeout: Duration?
    var clientBodyTimeout: Duration?
    var keepAliveTimeout: Duration?
    var clientSendTimeout: Duration?
    var upstreamIdleTimeout: Duration?
    var shutdownGrace: Duration?
    var maxRequestLine: Int?
    var maxHeaderBytes: Int?
    var maxHeaderCount: Int?
    var maxFieldLine: Int?
    var maxBodyBytes: Int?
    var forwardedFor: ForwardingOptions.ForwardedFor?
    var forwardedProto: Bool?
    var forwardedHost: Bool?
    var adminPublic: Bool?
    /// `block_log:` — a file path, or `-` for standard output.
    var blockLogPath: String?
    var blockLogValueLimit: Int?
    var blockLogRedact: [String]?
    var blockLogBuffer: Int?
    /// Config file only (a secret on the command line would show in `ps`).
    var debugTrace: DebugTraceConfiguration?

    static let defaultListen = "127.0.0.1:8080"
    static let defaultUpstream = "http://127.0.0.1:8081"
    static let defaultRules = "Rules/default.yaml"
    /// The admin listener's address unless `--admin` / `admin:` says otherwise (`off` disables it).
    static let defaultAdmin = "127.0.0.1:9901"
    /// The `admin` value that turns the admin listener off.
    static let adminOff = "off"

    /// The admin address in effect: the one given, else the default; nil when turned off.
    var effectiveAdmin: String? {
        guard let admin else { return Settings.defaultAdmin }
        return admin == Settings.adminOff ? nil : admin
    }

    /// True when nobody chose the admin address: if the default is taken (a second instance on
    /// the host), the proxy warns and runs without an admin listener instead of refusing to start.
    var adminIsDefault: Bool { admin == nil }

    /// `self` with every value set in `other` taking precedence.
    func overridden(by other: Settings) -> Settings {
        var merged = self
        merged.listen = other.listen ?? listen
        merged.upstream = other.upstream ?? upstream
        merged.rules = other.rules ?? rules
        merged.admin = other.admin ?? admin
        merged.loops = other.loops ?? loops
        merged.maxConnections = other.maxConnections ?? maxConnections
        merged.upstreamTimeout = other.upstreamTimeout ?? upstreamTimeout
        merged.upstreamConnectTimeout = other.upstreamConnectTimeout ?? upstreamConnectTimeout
        merged.clientHeaderTimeout = other.clientHeaderTimeout ?? clientHeaderTimeout
        merged.clientBodyTimeout = other.clientBodyTimeout ?? clientBodyTimeout
        merged.keepAliveTimeout = other.keepAliveTimeout ?? keepAliveTimeout
        merged.clientSendTimeout = other.clientSendTimeout ?? clientSendTimeout
        merged.upstreamIdleTimeout = other.upstreamIdleTimeout ?? upstreamIdleTimeout
        merged.shutdownGrace = other.shutdownGrace ?? shutdownGrace
        merged.maxRequestLine = other.maxRequestLine ?? maxRequestLine
        merged.maxHeaderBytes = other.maxHeaderBytes ?? maxHeaderBytes
        merged.maxHeaderCount = other.maxHeaderCount ?? maxHeaderCount
        merged.maxFieldLine = other.maxFieldLine ?? maxFieldLine
        merged.maxBodyBytes = other.maxBodyBytes ?? maxBodyBytes
        merged.forwardedFor = other.forwardedFor ?? forwardedFor
        merged.forwardedProto = other.forwardedProto ?? forwardedProto
        merged.forwardedHost = other.forwardedHost ?? forwardedHost
        merged.adminPublic = other.adminPublic ?? adminPublic
        merged.blockLogPath = other.blockLogPath ?? blockLogPath
        merged.blockLogValueLimit = other.blockLogValueLimit ?? blockLogValueLimit
        merged.blockLogRedact = other.blockLogRedact ?? blockLogRedact
        merged.blockLogBuffer = other.blockLogBuffer ?? blockLogBuffer
        merged.debugTrace = other.debugTrace ?? debugTrace
        return merged
    }

    /// Resolves addresses and applies defaults; throws a message a person can act on.
    func proxyConfiguration(defaultLoops: Int) throws -> ProxyConfiguration {
        let listenAddress = try SocketAddress.resolve(listen ?? Self.defaultListen)
        let upstreamAddress = try SocketAddress.resolve(upstream ?? Self.defaultUpstream, defaultPort: 80)
        var config = ProxyConfiguration(listen: listenAddress, upstream: upstreamAddress, loops: loops ?? defaultLoops)
        if let v = maxConnections { config.maxConnections = v }
        if let v = upstreamTimeout { config.upstreamTimeout = v }
        if let v = upstreamConnectTimeout { config.upstreamConnectTimeout = v }
        if let v = clientHeaderTimeout { config.clientHeaderTimeout = v }
        if let v = clientBodyTimeout { config.clientBodyTimeout = v }
        if let v = keepAliveTimeout { config.keepAliveTimeout = v }
        if let v = clientSendTimeout { config.clientSendTimeout = v }
        if let v = upstreamIdleTimeout { config.upstreamIdleTimeout = v }
        if let v = shutdownGrace { config.shutdownGrace = v }
        if let v = maxRequestLine { config.limits.maxRequestLine = v }
        if let v = maxHeaderBytes { config.limits.maxHeaderBytes = v }
        if let v = maxHeaderCount { config.limits.maxHeaderCount = v }
        if let v = maxFieldLine { config.limits.maxFieldLine = v }
        if let v = maxBodyBytes { config.limits.maxBodyBytes = UInt64(v) }
        if let v = forwardedFor { config.forwarding.forwardedFor = v }
        if let v = forwardedProto { config.forwarding.forwardedProto = v }
        if let v = forwardedHost { config.forwarding.forwardedHost = v }
        config.debugTrace = debugTrace
        return config
    }

    /// How block-log values are shown (defaults of `BlockLogFormat` where unset).
    var blockLogFormat: BlockLogFormat {
        var format = BlockLogFormat()
        if let v = blockLogValueLimit { format.valueLimit = v }
        if let v = blockLogRedact { format.redact = v }
        return format
    }

    /// The admin address, refused when it is not loopback unless `admin_public` allows it.
    func adminAddress() throws -> SocketAddress? {
        guard let admin = effectiveAdmin else { return nil }
        let address = try SocketAddress.resolve(admin)
        if !address.isLoopback && adminPublic != true {
            throw AdminAddressError(description: "admin address \(admin) is not loopback; the admin endpoint reloads rules and shows metrics, so exposing it needs --admin-public (or admin_public: true)")
        }
        return address
    }
}

/// An admin address that is not loopback, given without `--admin-public`.
struct AdminAddressError: Error, CustomStringConvertible {
    let description: String
}
