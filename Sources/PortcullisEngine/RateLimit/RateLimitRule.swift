/// One part of a rate-limit key (`by: [client_ip, header:X-Api-Key]`).
public enum RateLimitKeyPart: Sendable, Hashable, CustomStringConvertible {
    /// The address of the TCP peer.
    case clientIP
    /// The client address a trusted proxy reported (`rate_limits.trusted_proxies`); the peer's
    /// own address when the peer is not trusted or reported nothing (`ForwardedClient`).
    case forwardedIP
    case path
    case method
    /// Every value of the header, in order (name case-insensitive).
    case header(String)
    case cookie(String)
    case queryArg(String)
    /// The labels of a namespace that earlier rules attached (`label:tier` reads `tier:gold`).
    case label(String)

    /// As written in a rules file.
    public var description: String {
        switch self {
        case .clientIP: return "client_ip"
        case .forwardedIP: return "forwarded_ip"
        case .path: return "path"
        case .method: return "method"
        case .header(let name): return "header:\(name)"
        case .cookie(let name): return "cookie:\(name)"
        case .queryArg(let name): return "query.arg:\(name)"
        case .label(let namespace): return "label:\(namespace)"
        }
    }

    /// Parses one `by:` entry; nil when it is none of the forms.
    public init?(parsing text: String) {
        switch text {
        case "client_ip": self = .clientIP
        case "forwarded_ip": self = .forwardedIP
        case "path": self = .path
        case "method": self = .method
        default:
            guard let colon = text.firstIndex(of: ":") else { return nil }
            let name = String(text[text.index(after: colon)...])
            guard !name.isEmpty else { return nil }
            switch text[..<colon] {
            case "header": self = .header(name)
            case "cookie": self = .cookie(name)
            case "query.arg": self = .queryArg(name)
            case "label": self = .label(name.hasSuffix(":") ? String(name.dropLast()) : name)
            default: return nil
            }
        }
    }

    static let forms = "client_ip, forwarded_ip, path, method, header:NAME, cookie:NAME, query.arg:NAME, label:NAMESPACE"
}

/// What a `rate_limit:` mapping says, compiled. Two definitions that compare equal count the
/// same way, so a reload keeps the counters of a rule whose definition is unchanged.
public struct RateLimitDefinition: Sendable, Hashable {
    /// Requests per window in the long run.
    public var limit: Int
    public var windowNanoseconds: UInt64
    /// Extra requests a quiet key may send at once, above `limit`. Default 0.
    public var burst: Int
    /// The key parts, in order; empty means one counter for every request the rule matches.
    public var keys: [RateLimitKeyPart]
    /// The value a missing key part takes; nil: a request lacking a part is not counted.
    public var fallback: String?
    /// Most keys held (the memory bound). Default 100,000.
    public var maxKeys: Int
    /// The rule's condition as canonical YAML (formatting does not matter), for reload.
    public var conditionSource: String

    public static let defaultMaxKeys = 100_000

    public init(limit: Int, windowNanoseconds: UInt64, burst: Int = 0, keys: [RateLimitKeyPart],
                fallback: String? = nil, maxKeys: Int = RateLimitDefinition.defaultMaxKeys,
                conditionSource: String = "") {
        self.limit = limit
        self.windowNanoseconds = windowNanoseconds
        self.burst = burst
        self.keys = keys
        self.fallback = fallback
        self.maxKeys = maxKeys
        self.conditionSource = conditionSource
    }

    public var gcra: GCRA { GCRA(limit: limit, windowNanoseconds: windowNanoseconds, burst: burst) }

    /// `10 per 1m by client_ip` for outcomes and logs.
    public var summary: String {
        "\(limit) per \(WindowText.format(windowNanoseconds))" + (burst > 0 ? " (+\(burst) burst)" : "")
            + (keys.isEmpty ? "" : " by " + keys.map(\.description).joined(separator: "+"))
    }
}

/// A rule's rate limit: its definition and the counters it owns. The counters are a reference
/// shared by every loop; a reload hands them to the new set when the definition is unchanged.
public struct CompiledRateLimit: Sendable {
    public let definition: RateLimitDefinition
    public let gcra: GCRA
    public let store: RateLimitStore

    public init(definition: RateLimitDefinition, store: RateLimitStore? = nil) {
        self.definition = definition
        self.gcra = definition.gcra
        self.store = store ?? RateLimitStore(maxKeys: definition.maxKeys)
    }
}

/// Rules-file settings every rate limit shares (`rate_limits:` at the top of a file).
public struct RateLimitSettings: Sendable {
    /// Peers whose forwarded-address header is believed (`trusted_proxies:`); none by default.
    public var trustedProxies: IPSet?
    /// The header a trusted proxy names the client in. Default `X-Forwarded-For`.
    public var forwardedHeader: [UInt8]

    public init(trustedProxies: IPSet? = nil, forwardedHeader: [UInt8] = Array("X-Forwarded-For".utf8)) {
        self.trustedProxies = trustedProxies
        self.forwardedHeader = forwardedHeader
    }
}

/// Window lengths as written: `1s`, `30s`, `5m`, `1h` (whole seconds, minutes or hours).
public enum WindowText {
    public static let shortest: UInt64 = 1_000_000_000
    public static let longest: UInt64 = 3_600_000_000_000

    /// Nanoseconds, or nil when the text is not a count followed by s, m or h.
    public static func parse(_ text: String) -> UInt64? {
        guard let unit = text.last, let count = UInt64(text.dropLast()), count > 0, count <= 1_000_000 else {
            return nil
        }
        switch unit {
        case "s": return count * 1_000_000_000
        case "m": return count * 60_000_000_000
        case "h": return count * 3_600_000_000_000
        default: return nil
        }
    }

    public static func format(_ nanoseconds: UInt64) -> String {
        let seconds = nanoseconds / 1_000_000_000
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
