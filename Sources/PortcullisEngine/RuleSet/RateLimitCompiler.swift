import Yams

/// Compiles a rule's `rate_limit:` mapping and the file's `rate_limits:` settings.
struct RateLimitCompiler {
    let file: LocatedErrors

    /// The definition and the node of its `when:` (nil: every request is a candidate).
    func definition(_ node: Node) throws(RuleSetLoadError) -> (RateLimitDefinition, when: Node?) {
        let mapping = try file.mapping(node, what: "a rate limit: a mapping with keys \(RateLimitKey.list)")
        var limit: Int?
        var window: UInt64?
        var burst = 0
        var keys: [RateLimitKeyPart] = []
        var fallback: String?
        var maxKeys = RateLimitDefinition.defaultMaxKeys
        var when: Node?
        for (keyNode, value) in mapping {
            switch try file.key(keyNode, of: RateLimitKey.self, in: "rate_limit", expected: RateLimitKey.list) {
            case .limit:
                let n = try file.integer(value, what: "rate_limit.limit")
                guard (1...1_000_000).contains(n) else {
                    throw file.error(at: value, "bad rate_limit.limit \(n); expected requests per window from 1 "
                        + "to 1000000")
                }
                limit = n
            case .window:
                let text = try file.string(value, what: "a window like 10s, 1m or 1h")
                guard let ns = WindowText.parse(text), (WindowText.shortest...WindowText.longest).contains(ns) else {
                    throw file.error(at: value, "bad rate_limit.window '\(text)'; expected a whole number of "
                        + "seconds, minutes or hours from 1s to 1h, e.g. 10s, 1m, 1h")
                }
                window = ns
            case .burst:
                burst = try file.integer(value, what: "rate_limit.burst")
                guard (0...1_000_000).contains(burst) else {
                    throw file.error(at: value, "bad rate_limit.burst \(burst); expected extra requests from 0 "
                        + "to 1000000")
                }
            case .by:
                var seen: [RateLimitKeyPart] = []
                for (text, item) in try file.stringList(value, what: "key parts", allowSingle: true) {
                    guard let part = RateLimitKeyPart(parsing: text) else {
                        throw file.error(at: item, "unknown rate-limit key '\(text)'; expected one of: "
                            + RateLimitKeyPart.forms)
                    }
                    guard !seen.contains(part) else {
                        throw file.error(at: item, "key '\(text)' appears twice in 'by'; expected each part once")
                    }
                    seen.append(part)
                }
                keys = seen
            case .fallback:
                fallback = try file.string(value, what: "a fallback key value (a string)")
            case .maxKeys:
                maxKeys = try file.integer(value, what: "rate_limit.max_keys")
                guard (1...100_000_000).contains(maxKeys) else {
                    throw file.error(at: value, "bad rate_limit.max_keys \(maxKeys); expected a key count from 1 "
                        + "to 100000000")
                }
            case .when:
                when = value
            }
        }
        guard let limit else {
            throw file.error(at: node, "rate_limit has no 'limit'; expected requests per window, e.g. `limit: 10`")
        }
        guard let window else {
            throw file.error(at: node, "rate_limit has no 'window'; expected a window from 1s to 1h, e.g. `window: 1m`")
        }
        let source = when.map(Self.canonical) ?? ""
        return (RateLimitDefinition(limit: limit, windowNanoseconds: window, burst: burst, keys: keys,
                                    fallback: fallback, maxKeys: maxKeys, conditionSource: source), when)
    }

    /// A condition's text independent of how it is written: flow or block style, quoting, the
    /// order of a mapping's keys, and `x` versus `[x]` do not change it.
    static func canonical(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            return "\"" + scalar.string.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
        case .sequence(let sequence) where sequence.count == 1 && sequence.first?.scalar != nil:
            // Where the language takes one value or a list (`in: path`), both mean the same.
            return canonical(sequence.first!)
        case .sequence(let sequence):
            return "[" + sequence.map(canonical).joined(separator: ",") + "]"
        case .mapping(let mapping):
            return "{" + mapping.map { canonical($0.key) + ":" + canonical($0.value) }.sorted().joined(separator: ",") + "}"
        case .alias:
            return "*"
        }
    }

    /// The `rate_limits:` mapping at the top of a file.
    func settings(_ node: Node) throws(RuleSetLoadError) -> RateLimitSettings {
        let mapping = try file.mapping(node, what: "a mapping with keys \(RateLimitSettingsKey.list)")
        var settings = RateLimitSettings()
        for (keyNode, value) in mapping {
            switch try file.key(keyNode, of: RateLimitSettingsKey.self, in: "rate_limits",
                                expected: RateLimitSettingsKey.list) {
            case .trustedProxies:
                let list = try file.stringList(value, what: "addresses or CIDR blocks", allowSingle: false)
                guard !list.isEmpty else {
                    throw file.error(at: value, "empty 'trusted_proxies'; expected addresses or CIDR blocks of your "
                        + "proxies, or no trusted_proxies key")
                }
                do {
                    settings.trustedProxies = try IPSet(list.map(\.0))
                } catch {
                    let item = error.entry.map { list[$0].1 } ?? value
                    throw file.error(at: item, "bad trusted proxy: \(error.message.replacing("ip_in: ", with: "")); expected an address or CIDR "
                        + "block such as 10.0.0.0/8")
                }
            case .forwardedHeader:
                let name = try file.string(value, what: "a header name, e.g. X-Forwarded-For")
                guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
                    throw file.error(at: value, "bad forwarded_header '\(name)'; expected a header name such as "
                        + "X-Forwarded-For")
                }
                settings.forwardedHeader = Array(name.utf8)
            }
        }
        return settings
    }
}

/// Keys of `rate_limit:`.
enum RateLimitKey: String, CaseIterable {
    case limit, window, burst, by, fallback
    case maxKeys = "max_keys"
    case when

    static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// Keys of the top-level `rate_limits:`.
enum RateLimitSettingsKey: String, CaseIterable {
    case trustedProxies = "trusted_proxies"
    case forwardedHeader = "forwarded_header"

    static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
