import PortcullisEngine
import PortcullisHTTP

/// The live form of `portcullis explain`: a request carrying the configured debug header with
/// the configured secret is answered by the proxy itself with the evaluation trace, instead of
/// being forwarded. Off unless configured; there is no default secret.
///
/// The header's value is the secret, optionally followed by `;json` for the JSON form (text
/// otherwise). The debug header is never forwarded upstream, whatever its value.
public struct DebugTraceConfiguration: Sendable, Equatable {
    /// The field name, e.g. `X-Portcullis-Debug`.
    public let header: String
    let headerBytes: [UInt8]
    let secret: [UInt8]

    /// Shortest secret accepted: a guessable secret would let anyone read how the rules work.
    public static let minimumSecretLength = 16

    /// Refuses a header name that is not an HTTP token, and a secret shorter than
    /// `minimumSecretLength` or with bytes outside printable ASCII (or `;`, which ends it).
    public init(header: String, secret: String) throws(DebugTraceConfigurationError) {
        let name = Array(header.utf8)
        guard !name.isEmpty, name.allSatisfy(Self.isTokenByte) else {
            throw DebugTraceConfigurationError(message: "debug header '\(header)' is not a valid field name")
        }
        let bytes = Array(secret.utf8)
        guard bytes.count >= Self.minimumSecretLength else {
            throw DebugTraceConfigurationError(
                message: "debug secret too short (\(bytes.count) bytes); use at least \(Self.minimumSecretLength)")
        }
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x3B }) else {
            throw DebugTraceConfigurationError(
                message: "debug secret must be printable ASCII without spaces or ';'")
        }
        self.header = header
        self.headerBytes = name
        self.secret = bytes
    }

    private static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return Array("!#$%&'*+-.^_`|~".utf8).contains(b)
        }
    }
}

/// Why a debug trace setting was refused.
public struct DebugTraceConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Which form of the trace a debug request asked for.
enum DebugTraceFormat: Sendable, Equatable {
    case text, json
}

enum DebugTrace {
    /// Marks every field named `config.header` in `head` as not to be forwarded, and returns the
    /// form asked for when one of them carries the secret (compared in constant time); the
    /// fields are then removed from `head`, which is only traced.
    static func take(from head: inout RequestHead, _ config: DebugTraceConfiguration) -> DebugTraceFormat? {
        var format: DebugTraceFormat?
        for i in head.fields.indices where ASCII.equalsIgnoringCase(head.storage[head.fields[i].name], config.headerBytes) {
            head.fields[i].isHopByHop = true
            let value = head.storage[head.fields[i].value]
            var secretPart = value[...]
            var asked = DebugTraceFormat.text
            if let semicolon = value.firstIndex(of: 0x3B) {
                secretPart = value[..<semicolon]
                let option = value[(semicolon + 1)...].drop { $0 == 0x20 || $0 == 0x09 }
                if ASCII.equalsIgnoringCase(option, Array("json".utf8)) { asked = .json }
            }
            while secretPart.last == 0x20 || secretPart.last == 0x09 { secretPart.removeLast() }
            if constantTimeEqual(secretPart, config.secret) { format = asked }
        }
        // A traced request is never forwarded: the rules see it as it would be forwarded, without
        // the debug field (and the trace never echoes the secret).
        if format != nil {
            head.fields.removeAll { ASCII.equalsIgnoringCase(head.storage[$0.name], config.headerBytes) }
        }
        return format
    }

    /// Equal bytes, in time that depends on the secret's length only, never on where the first
    /// difference is.
    static func constantTimeEqual(_ given: ArraySlice<UInt8>, _ secret: [UInt8]) -> Bool {
        var diff = UInt8(truncatingIfNeeded: given.count ^ secret.count) | (given.count == secret.count ? 0 : 1)
        let base = given.startIndex
        for i in 0..<secret.count {
            let g = i < given.count ? given[base + i] : 0
            diff |= g ^ secret[i]
        }
        return diff == 0
    }

    /// The trace of `view` through `inspector`, rendered in `format`. Rate limits are checked
    /// against empty counters of their own: a trace neither reads nor spends the live ones.
    static func render(_ inspector: Inspector, _ view: RequestView, format: DebugTraceFormat,
                       scratch: inout EvaluationScratch) -> [UInt8] {
        let fresh = Inspector(ruleSet: inspector.ruleSet.withFreshRateLimitState())
        let trace = ExplainTrace.record(fresh, request: view, scratch: &scratch)
        switch format {
        case .text: return Array(ExplainTextFormatter().format(trace).utf8)
        case .json: return Array(ExplainJSONFormatter().format(trace).utf8)
        }
    }
}
