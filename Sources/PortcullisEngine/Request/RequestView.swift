import PortcullisHTTP

/// Limits on what the engine extracts from a request, so a hostile request cannot make
/// extraction itself expensive.
public struct ExtractionLimits: Sendable, Equatable {
    /// Most arguments taken from the query or a body (the rest are ignored and `tooManyArguments`
    /// is set). Default: 1,000.
    public var maxArguments = 1000
    /// Deepest JSON nesting followed; deeper input sets `malformedBody`. Default: 64.
    public var maxJSONDepth = 64
    /// Most multipart parts read. Default: 100.
    public var maxMultipartParts = 100

    public init() {}
}

/// A request as the engine sees it: the parsed head, the client address, and the body bytes
/// buffered for inspection. Values for each target are extracted on first use and cached, so
/// targets no rule reads cost nothing, and a target read by many rules is extracted once (the
/// arrays returned share the cached storage).
///
/// What each target holds (names in `TargetValue.name`, empty for single-valued targets):
/// - `method`: the method token as sent; `protocol`: `HTTP/1.0` or `HTTP/1.1`;
///   `client_ip`: `clientAddress`.
/// - `uri`: the origin-form target as forwarded (path and query, for an absolute-form request the
///   synthesised origin form); `path`: its part before the first `?`; `query`: its part after the
///   first `?` (empty when there is none). All three raw, not decoded.
/// - `query.args`: the query's arguments, parsed by `URLEncodedArguments` (`&`-separated, `+` as
///   space, names and values percent-decoded, repeated names kept in order, a pair without `=` is
///   a name with an empty value); `query.arg:NAME`: those whose decoded name is exactly `NAME`;
///   `query.arg_names`: each argument's decoded name as the value (named by itself too).
/// - `headers`: every field value in order, named by the field name as sent; `header:NAME`: the
///   values of fields named `NAME` (case-insensitive); `header_names`: each field name as sent.
/// - `cookies`, `cookie:NAME` (exact name), `cookie_names`: from every `Cookie` field in order,
///   parsed by `CookieParser` (raw, not decoded).
/// - `body`: the buffered body bytes (one value, empty body included).
/// - `body.args`, by Content-Type (`BodyContentType`): urlencoded fields; multipart fields (file
///   parts: content under `NAME` and the file name under `NAME.filename`); for JSON bodies every
///   scalar (string, number, `true`/`false`/`null` as text) named by its path (`user.name`,
///   `items.0`). Other types give none. `body.arg:NAME` (exact name) and `body.arg_names` as for
///   the query.
/// - `body.json`: for JSON bodies every object key and every scalar in document order, escapes
///   decoded, named by path (see `JSONScanner`); empty for other bodies.
///
/// A named kind (`header`, `query.arg` …) without a name selects nothing.
///
/// The body is parsed strictly: bad JSON, JSON nested deeper than `maxJSONDepth`, a malformed
/// multipart body, a multipart Content-Type without a usable boundary, or two different
/// Content-Type fields set `malformedBody` (only when there is a body). A body that ends early only
/// because it was cut at the inspect limit (`bodyTruncated`) is not malformed; the values read
/// up to the cut are kept.
///
/// Not `Sendable`: a view belongs to one request on one event loop, and its cache is filled
/// without locks.
public final class RequestView {
    public let head: RequestHead
    /// The client's numeric address, e.g. `203.0.113.9` or `2001:db8::1`.
    public let clientAddress: [UInt8]
    /// The buffered body (at most the inspect limit), empty if none.
    public let body: [UInt8]
    /// True when the body was larger than what was buffered.
    public let bodyTruncated: Bool
    public let limits: ExtractionLimits
    /// When the request (or, for the body phase, its body) arrived, in monotonic nanoseconds:
    /// the "now" of rate limits. Injected by the caller so tests choose it.
    public let receivedAt: UInt64

    /// Values of the kinds without a name, by `slot(of:)`.
    private var cache: [[TargetValue]?]
    private var queryParse: (values: [TargetValue], overflow: Bool)?
    private var bodyParse: BodyParse?

    private struct BodyParse {
        var args: [TargetValue] = []
        var json: [TargetValue] = []
        var malformed = false
        var overflow = false
    }

    public init(head: RequestHead, clientAddress: [UInt8], body: [UInt8] = [], bodyTruncated: Bool = false,
                limits: ExtractionLimits = ExtractionLimits(), receivedAt: UInt64 = 0) {
        self.receivedAt = receivedAt
        self.head = head
        self.clientAddress = clientAddress
        self.body = body
        self.bodyTruncated = bodyTruncated
        self.limits = limits
        self.cache = Array(repeating: nil, count: Self.slotCount)
    }

    /// Every value of `selector` in request order.
    public func values(for selector: TargetSelector) -> [TargetValue] {
        switch selector.kind {
        case .queryArg:
            guard let name = selector.name else { return [] }
            return cached(.queryArgs).filter { $0.name == name }
        case .header:
            guard let name = selector.name else { return [] }
            if let all = cache[Self.slot(of: .headers)] {
                return all.filter { ASCII.equalsIgnoringCase($0.name, name) }
            }
            // One field (User-Agent …) is the common read: copy only the fields asked for.
            var out: [TargetValue] = []
            for field in head.fields where ASCII.equalsIgnoringCase(head.storage[field.name], name) {
                out.append(TargetValue(name: Array(head.storage[field.name]), value: Array(head.storage[field.value])))
            }
            return out
        case .cookie:
            guard let name = selector.name else { return [] }
            return cached(.cookies).filter { $0.name == name }
        case .bodyArg:
            guard let name = selector.name else { return [] }
            return cached(.bodyArgs).filter { $0.name == name }
        default:
            return cached(selector.kind)
        }
    }

    /// The body could not be parsed as its Content-Type says (bad JSON, bad multipart).
    public var malformedBody: Bool { parsedBody().malformed }

    /// More arguments than `limits.maxArguments` were present in the query or the body, or more
    /// parts than `limits.maxMultipartParts` in a multipart body; the rest were not extracted.
    public var tooManyArguments: Bool { parsedQuery().overflow || parsedBody().overflow }

    /// How the body is parsed, from the Content-Type field(s).
    public var contentType: BodyContentType { BodyContentType(head: head) }

    // MARK: - Cache

    private static let slotCount = 16

    private static func slot(of kind: TargetKind) -> Int {
        switch kind {
        case .method: return 0
        case .path: return 1
        case .uri: return 2
        case .query: return 3
        case .queryArgs: return 4
        case .queryArgNames: return 5
        case .headers: return 6
        case .headerNames: return 7
        case .cookies: return 8
        case .cookieNames: return 9
        case .body: return 10
        case .bodyArgs: return 11
        case .bodyArgNames: return 12
        case .bodyJSON: return 13
        case .clientIP: return 14
        case .protocol: return 15
        case .queryArg, .header, .cookie, .bodyArg: preconditionFailure("named kinds are filtered, not cached")
        }
    }

    private func cached(_ kind: TargetKind) -> [TargetValue] {
        let slot = Self.slot(of: kind)
        if let values = cache[slot] { return values }
        let values = extract(kind)
        cache[slot] = values
        return values
    }

    private func extract(_ kind: TargetKind) -> [TargetValue] {
        switch kind {
        case .method:
            return [TargetValue(name: [], value: Array(head[head.methodRange]))]
        case .path:
            return [TargetValue(name: [], value: Array(head[pathRange]))]
        case .uri:
            return [TargetValue(name: [], value: Array(head[head.originFormTarget]))]
        case .query:
            return [TargetValue(name: [], value: Array(head[queryRange]))]
        case .queryArgs:
            return parsedQuery().values
        case .queryArgNames:
            return Self.names(cached(.queryArgs))
        case .headers:
            return head.fields.map {
                TargetValue(name: Array(head.storage[$0.name]), value: Array(head.storage[$0.value]))
            }
        case .headerNames:
            return Self.names(cached(.headers))
        case .cookies:
            var out: [TargetValue] = []
            for field in head.fields where ASCII.equalsIgnoringCase(head.storage[field.name], Self.cookieName) {
                CookieParser.parse(head.storage[field.value], into: &out)
            }
            return out
        case .cookieNames:
            return Self.names(cached(.cookies))
        case .body:
            return [TargetValue(name: [], value: body)]
        case .bodyArgs:
            return parsedBody().args
        case .bodyArgNames:
            return Self.names(cached(.bodyArgs))
        case .bodyJSON:
            return parsedBody().json
        case .clientIP:
            return [TargetValue(name: [], value: clientAddress)]
        case .protocol:
            var token: [UInt8] = []
            ASCII.append(head.version.token, to: &token)
            return [TargetValue(name: [], value: token)]
        case .queryArg, .header, .cookie, .bodyArg:
            return []
        }
    }

    private static let cookieName = Array("cookie".utf8)

    /// Each value's name as the value (and as its name).
    private static func names(_ values: [TargetValue]) -> [TargetValue] {
        values.map { TargetValue(name: $0.name, value: $0.name) }
    }

    // MARK: - Target ranges

    /// Index of the first `?` in the origin-form target, if any.
    private var questionMark: Int? {
        head.storage[head.originFormTarget].firstIndex(of: UInt8(ascii: "?"))
    }

    private var pathRange: Range<Int> {
        head.originFormTarget.lowerBound..<(questionMark ?? head.originFormTarget.upperBound)
    }

    private var queryRange: Range<Int> {
        guard let q = questionMark else { return head.originFormTarget.upperBound..<head.originFormTarget.upperBound }
        return (q + 1)..<head.originFormTarget.upperBound
    }

    // MARK: - Parsing

    private func parsedQuery() -> (values: [TargetValue], overflow: Bool) {
        if let queryParse { return queryParse }
        var values: [TargetValue] = []
        let overflow = URLEncodedArguments.parse(head.storage[queryRange], limit: limits.maxArguments, into: &values)
        let parse = (values, overflow)
        queryParse = parse
        return parse
    }

    private func parsedBody() -> BodyParse {
        if let bodyParse { return bodyParse }
        let parse = parseBody()
        bodyParse = parse
        return parse
    }

    private func parseBody() -> BodyParse {
        var parse = BodyParse()
        guard !body.isEmpty || bodyTruncated else { return parse }
        switch contentType {
        case .unparsed:
            break
        case .malformed:
            parse.malformed = true
        case .urlencoded:
            parse.overflow = URLEncodedArguments.parse(body[...], limit: limits.maxArguments, into: &parse.args)
        case .multipart(let boundary):
            let result = MultipartParser.parse(body, boundary: boundary, maxParts: limits.maxMultipartParts,
                                               maxValues: limits.maxArguments)
            parse.args = result.values
            parse.overflow = result.overflow
            switch result.outcome {
            case .complete: break
            case .incomplete: parse.malformed = !bodyTruncated
            case .malformed: parse.malformed = true
            }
        case .json:
            let result = JSONScanner.scan(body, maxDepth: limits.maxJSONDepth, maxScalars: limits.maxArguments)
            parse.args = result.scalars
            parse.json = result.all
            parse.overflow = result.overflow
            switch result.outcome {
            case .complete: break
            case .incomplete: parse.malformed = !bodyTruncated
            case .malformed, .tooDeep: parse.malformed = true
            }
        }
        return parse
    }
}
