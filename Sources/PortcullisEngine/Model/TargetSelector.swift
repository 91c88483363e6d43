/// The parts of a request a check can look at (`in:` in the native language).
///
/// Why an enum: targets are resolved once at load time; evaluation switches on cases and never
/// compares target names.
public enum TargetKind: String, Sendable, Hashable, CaseIterable {
    case method
    case path
    case uri
    case query
    case queryArgs = "query.args"
    case queryArg = "query.arg"
    case queryArgNames = "query.arg_names"
    case headers
    case header
    case headerNames = "header_names"
    case cookies
    case cookie
    case cookieNames = "cookie_names"
    case body
    case bodyArgs = "body.args"
    case bodyArg = "body.arg"
    case bodyArgNames = "body.arg_names"
    case bodyJSON = "body.json"
    case clientIP = "client_ip"
    case `protocol`

    /// Kinds written `kind:NAME` that select one named value.
    public var takesName: Bool {
        switch self {
        case .queryArg, .header, .cookie, .bodyArg: return true
        default: return false
        }
    }

    /// Kinds that need the request body (rules reading them run in the body phase).
    public var readsBody: Bool {
        switch self {
        case .body, .bodyArgs, .bodyArg, .bodyArgNames, .bodyJSON: return true
        default: return false
        }
    }
}

/// One target of a check: a kind, and for `header:NAME` and the like the name (header names are
/// matched case-insensitively, argument and cookie names exactly).
public struct TargetSelector: Sendable, Hashable, CustomStringConvertible {
    public var kind: TargetKind
    public var name: [UInt8]?

    public init(kind: TargetKind, name: [UInt8]? = nil) {
        self.kind = kind
        self.name = name
    }

    /// Parses `query.arg:q`, `header:User-Agent`, `cookies` …; nil when unknown or malformed.
    public init?(parsing text: String) {
        if let colon = text.firstIndex(of: ":") {
            guard let kind = TargetKind(rawValue: String(text[..<colon])), kind.takesName else { return nil }
            let name = text[text.index(after: colon)...]
            guard !name.isEmpty else { return nil }
            self.init(kind: kind, name: Array(name.utf8))
        } else {
            guard let kind = TargetKind(rawValue: text), !kind.takesName else { return nil }
            self.init(kind: kind)
        }
    }

    public var description: String {
        if let name { return "\(kind.rawValue):\(String(decoding: name, as: UTF8.self))" }
        return kind.rawValue
    }
}

/// One value taken from a request for a target: its name within the target (the argument,
/// header or cookie name; empty for single-valued targets) and the bytes.
///
/// Why slices: most names and values are plain substrings of the request (a query argument, a
/// header, a cookie, an unescaped JSON string), so they share the request's storage
/// (`RequestHead.storage` or `RequestView.body`) instead of each being copied into an array of
/// its own: extraction costs no allocation per value. A value that had to be decoded (percent
/// escapes, JSON escapes) is an array of its own, held as a slice of it (`array[...]`).
///
/// Slices keep their parent's indices: index with `startIndex`-relative offsets (or go through
/// `withUnsafeBufferPointer`), never from 0. Equality compares contents.
public struct TargetValue: Sendable, Equatable {
    public var name: ArraySlice<UInt8>
    public var value: ArraySlice<UInt8>

    public init(name: ArraySlice<UInt8>, value: ArraySlice<UInt8>) {
        self.name = name
        self.value = value
    }

    /// A value made by hand (tests, tools): each array is held whole.
    public init(name: [UInt8], value: [UInt8]) {
        self.name = name[...]
        self.value = value[...]
    }
}
