import PortcullisEngine
import PortcullisHTTP
import PortcullisProxy
import Yams

/// A config file that cannot be used, located as `file:line:column: message`.
struct ConfigFileError: Error, CustomStringConvertible, Equatable {
    let file: String
    let line: Int
    let column: Int
    let message: String

    var description: String { "\(file):\(line):\(column): \(message)" }
}

/// Reads the YAML config file of `portcullis run --config FILE`: the same settings as the flags,
/// plus timeouts, limits and forwarding fields. Unknown keys are errors, so a typo never silently
/// leaves a default in place.
///
/// ```yaml
/// listen: 127.0.0.1:8080
/// upstream: http://127.0.0.1:3000
/// rules: Rules/default.yaml
/// admin: 127.0.0.1:9901
/// admin_public: false
/// block_log: { path: /var/log/portcullis/blocks.log, value_limit: 256, redact: [cookie:session], buffer: 4096 }
/// loops: 2
/// max_connections: 10000
/// upstream_timeout: 30s
/// limits: { max_body_bytes: 10MiB, max_header_bytes: 32KiB }
/// forwarded: { for: append, proto: true, host: true }
/// debug: { header: X-Portcullis-Debug, secret: a-long-random-string }   # live explain; off by default
/// ```
enum ConfigFile {
    enum Key: String, CaseIterable {
        case listen, upstream, rules, admin, loops
        case maxConnections = "max_connections"
        case upstreamTimeout = "upstream_timeout"
        case upstreamConnectTimeout = "upstream_connect_timeout"
        case clientHeaderTimeout = "client_header_timeout"
        case clientBodyTimeout = "client_body_timeout"
        case keepAliveTimeout = "keepalive_timeout"
        case clientSendTimeout = "client_send_timeout"
        case upstreamIdleTimeout = "upstream_idle_timeout"
        case shutdownGrace = "shutdown_grace"
        case limits, forwarded, debug
        case adminPublic = "admin_public"
        case blockLog = "block_log"
    }

    enum BlockLogKey: String, CaseIterable {
        case path
        case valueLimit = "value_limit"
        case redact, buffer
    }

    enum DebugKey: String, CaseIterable {
        case header, secret
    }

    /// The debug header when none is named.
    static let defaultDebugHeader = "X-Portcullis-Debug"

    enum LimitKey: String, CaseIterable {
        case maxRequestLine = "max_request_line"
        case maxHeaderBytes = "max_header_bytes"
        case maxHeaderCount = "max_header_count"
        case maxFieldLine = "max_field_line"
        case maxBodyBytes = "max_body_bytes"
    }

    enum ForwardedKey: String, CaseIterable {
        case `for`, proto, host
    }

    static func load(path: String) throws(ConfigFileError) -> Settings {
        let bytes: [UInt8]
        switch FileBytes.read(path) {
        case .success(let b): bytes = b
        case .failure(let f): throw ConfigFileError(file: path, line: 1, column: 1, message: "cannot read config file: \(f.message)")
        }
        return try parse(String(decoding: bytes, as: UTF8.self), file: path)
    }

    static func parse(_ yaml: String, file: String) throws(ConfigFileError) -> Settings {
        let reader = NodeReader(file: file)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else { return Settings() }
            root = node
        } catch {
            throw reader.fail(nil, "invalid YAML: \(error)")
        }
        var s = Settings()
        for (keyNode, value) in try reader.mapping(root, "a mapping of settings") {
            switch try reader.key(keyNode, Key.self) {
            case .listen: s.listen = try reader.string(value, "an address like 127.0.0.1:8080")
            case .upstream: s.upstream = try reader.string(value, "an upstream like http://127.0.0.1:3000")
            case .rules: s.rules = try reader.string(value, "a rules file path")
            case .admin: s.admin = try reader.string(value, "an address like 127.0.0.1:9901, or off")
            case .loops: s.loops = try reader.integer(value, "a number of event loops ≥ 1", min: 1)
            case .maxConnections: s.maxConnections = try reader.integer(value, "a connection count ≥ 1", min: 1)
            case .upstreamTimeout: s.upstreamTimeout = try reader.duration(value)
            case .upstreamConnectTimeout: s.upstreamConnectTimeout = try reader.duration(value)
            case .clientHeaderTimeout: s.clientHeaderTimeout = try reader.duration(value)
            case .clientBodyTimeout: s.clientBodyTimeout = try reader.duration(value)
            case .keepAliveTimeout: s.keepAliveTimeout = try reader.duration(value)
            case .clientSendTimeout: s.clientSendTimeout = try reader.duration(value)
            case .upstreamIdleTimeout: s.upstreamIdleTimeout = try reader.duration(value)
            case .shutdownGrace: s.shutdownGrace = try reader.duration(value)
            case .limits:
                for (k, v) in try reader.mapping(value, "a mapping of limits") {
                    switch try reader.key(k, LimitKey.self) {
                    case .maxRequestLine: s.maxRequestLine = try reader.size(v)
                    case .maxHeaderBytes: s.maxHeaderBytes = try reader.size(v)
                    case .maxHeaderCount: s.maxHeaderCount = try reader.integer(v, "a field count ≥ 1", min: 1)
                    case .maxFieldLine: s.maxFieldLine = try reader.size(v)
                    case .maxBodyBytes: s.maxBodyBytes = try reader.size(v)
                    }
                }
            case .adminPublic: s.adminPublic = try reader.bool(value)
            case .blockLog:
                for (k, v) in try reader.mapping(value, "a mapping with keys path, value_limit, redact, buffer") {
                    switch try reader.key(k, BlockLogKey.self) {
                    case .path: s.blockLogPath = try reader.string(v, "a file path, or - for standard output")
                    case .valueLimit: s.blockLogValueLimit = try reader.integer(v, "a value length in bytes ≥ 16", min: 16)
                    case .buffer: s.blockLogBuffer = try reader.integer(v, "a number of queued events ≥ 1", min: 1)
                    case .redact:
                        guard let items = v.sequence else {
                            throw reader.fail(v, "expected a list of fields like [cookie:session, header:authorization]")
                        }
                        var fields: [String] = []
                        for item in items {
                            let text = try reader.string(item, "a field like cookie:session")
                            if let problem = BlockLogFormat.problem(with: text) { throw reader.fail(item, problem) }
                            fields.append(text)
                        }
                        s.blockLogRedact = fields
                    }
                }
                if s.blockLogPath == nil { throw reader.fail(value, "block_log needs a path (a file, or - for standard output)") }
            case .forwarded:
                for (k, v) in try reader.mapping(value, "a mapping with keys for, proto, host") {
                    switch try reader.key(k, ForwardedKey.self) {
                    case .for:
                        let text = try reader.string(v, "append | replace | off")
                        guard let mode = ForwardingOptions.ForwardedFor(rawValue: text) else {
                            throw reader.fail(v, "bad forwarded.for '\(text)'; expected append | replace | off")
                        }
                        s.forwardedFor = mode
                    case .proto: s.forwardedProto = try reader.bool(v)
                    case .host: s.forwardedHost = try reader.bool(v)
                    }
                }
            case .debug:
                var header: String?
                var secret: String?
                for (k, v) in try reader.mapping(value, "a mapping with keys header, secret") {
                    switch try reader.key(k, DebugKey.self) {
                    case .header: header = try reader.string(v, "a header name like \(defaultDebugHeader)")
                    case .secret: secret = try reader.string(v, "a secret of at least "
                        + "\(DebugTraceConfiguration.minimumSecretLength) printable characters")
                    }
                }
                guard let secret else { throw reader.fail(value, "debug needs a secret (there is no default)") }
                do {
                    s.debugTrace = try DebugTraceConfiguration(header: header ?? defaultDebugHeader, secret: secret)
                } catch {
                    throw reader.fail(value, error.message)
                }
            }
        }
        return s
    }
}

/// Typed, located access to YAML nodes of one config file.
private struct NodeReader {
    let file: String

    func fail(_ node: Node?, _ message: String) -> ConfigFileError {
        ConfigFileError(file: file, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, message: message)
    }

    func mapping(_ node: Node, _ what: String) throws(ConfigFileError) -> Node.Mapping {
        guard let m = node.mapping else { throw fail(node, "expected \(what)") }
        return m
    }

    func key<K: RawRepresentable<String> & CaseIterable>(_ node: Node, _ type: K.Type) throws(ConfigFileError) -> K {
        let allowed = K.allCases.map(\.rawValue).joined(separator: ", ")
        guard let text = node.scalar?.string, let key = K(rawValue: text) else {
            throw fail(node, "unknown key '\(node.scalar?.string ?? "?")'; expected one of: \(allowed)")
        }
        return key
    }

    func string(_ node: Node, _ what: String) throws(ConfigFileError) -> String {
        guard let text = node.scalar?.string, !text.isEmpty else { throw fail(node, "expected \(what)") }
        return text
    }

    func integer(_ node: Node, _ what: String, min: Int) throws(ConfigFileError) -> Int {
        guard let text = node.scalar?.string, let v = Int(text), v >= min else { throw fail(node, "expected \(what)") }
        return v
    }

    func duration(_ node: Node) throws(ConfigFileError) -> Duration {
        guard let text = node.scalar?.string, let d = DurationText.parse(text) else {
            throw fail(node, "expected \(DurationText.expectedForms)")
        }
        return d
    }

    func size(_ node: Node) throws(ConfigFileError) -> Int {
        guard let text = node.scalar?.string, let v = ByteSize.parse(text), v > 0 else {
            throw fail(node, "expected \(ByteSize.expectedForms)")
        }
        return v
    }

    func bool(_ node: Node) throws(ConfigFileError) -> Bool {
        switch node.scalar?.string {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw fail(node, "expected true or false")
        }
    }
}
