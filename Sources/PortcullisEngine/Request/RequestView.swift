import Glibc
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
/// buffered for inspection. Values are extracted only when asked for, so targets no rule reads
/// cost nothing. The multi-valued targets (arguments, headers, cookies, the parsed body) are
/// parsed once on first use and kept: their named and `_names` forms are cut from that one parse,
/// and the arrays returned share its storage. (The engine keeps what it read per request itself,
/// so single-valued targets are not kept here.)
///
/// Values are not copied out of the request: a name or value that is a plain run of the head's
/// or the body's bytes (everything but decoded arguments and JSON strings with escapes) is a
/// slice of `head.storage` or `body` (see `TargetValue`).
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

    // Multi-valued targets, parsed on first use; the rest are cut from `head` when asked for.
    private var headerValues: [TargetValue]?
    private var cookieValues: [TargetValue]?
    private var queryParse: (values: [TargetValue], overflow: Bool)?
    private var bodyParse: BodyParse?
    /// A urlencoded body's argument count (`bodyParse` makes its values only when asked for).
    private var formShapeParse: FormShape?
    /// `contentType`, once asked for (a walk over the fields, wanted by several targets).
    private var bodyType: BodyContentType?
    /// The `uri` value, which is also the `path` value when there is no query.
    private var uriValue: [TargetValue]?

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
    }

    /// Every value of `selector` in request order.
    public func values(for selector: TargetSelector) -> [TargetValue] {
        switch selector.kind {
        case .method:
            return methodValue()
        case .path:
            return pathValue()
        case .uri:
            return uri()
        case .query:
            return queryValue()
        case .queryArgs:
            return parsedQuery().values
        case .queryArg:
            guard let name = selector.name else { return [] }
            return parsedQuery().values.filter { Self.equal($0.name, name) }
        case .queryArgNames:
            return Self.names(parsedQuery().values)
        case .headers:
            return headers()
        case .header:
            guard let name = selector.name else { return [] }
            return header(named: name)
        case .headerNames:
            return Self.names(headers())
        case .cookies:
            return cookies()
        case .cookie:
            guard let name = selector.name else { return [] }
            return cookies().filter { Self.equal($0.name, name) }
        case .cookieNames:
            return Self.names(cookies())
        case .body:
            return body.isEmpty ? Self.oneEmptyValue : [TargetValue(name: [], value: body[...])]
        case .bodyArgs:
            return parsedBody().args
        case .bodyArg:
            guard let name = selector.name else { return [] }
            return parsedBody().args.filter { Self.equal($0.name, name) }
        case .bodyArgNames:
            return Self.names(parsedBody().args)
        case .bodyJSON:
            if let bodyParse { return bodyParse.json }
            // Only a JSON body has any (no other body is parsed for them).
            guard !body.isEmpty || bodyTruncated, case .json = contentType else { return [] }
            return parsedBody().json
        case .clientIP:
            return [TargetValue(name: [], value: clientAddress[...])]
        case .protocol:
            return head.version == .http11 ? Self.http11 : Self.http10
        }
    }

    /// The body could not be parsed as its Content-Type says (bad JSON, bad multipart).
    public var malformedBody: Bool {
        if let bodyParse { return bodyParse.malformed }
        if body.isEmpty && !bodyTruncated { return false }
        // A urlencoded body has no syntax to break (its arguments need not be made to tell).
        if case .urlencoded = contentType { return false }
        return parsedBody().malformed
    }

    /// More arguments than `limits.maxArguments` were present in the query or the body, or more
    /// parts than `limits.maxMultipartParts` in a multipart body; the rest were not extracted.
    public var tooManyArguments: Bool {
        parsedQuery().overflow || (formShapeParse?.overflow ?? parsedBody().overflow)
    }

    /// How the body is parsed, from the Content-Type field(s).
    public var contentType: BodyContentType {
        if let bodyType { return bodyType }
        let type = BodyContentType(head: head)
        bodyType = type
        return type
    }

    // MARK: - Length bounds

    /// Whether `lengthBound(of:)` bounds the values of `kind`.
    static func boundsLength(of kind: TargetKind) -> Bool {
        switch kind {
        case .uri, .path, .query, .queryArgs, .queryArg, .queryArgNames, .body: return true
        default: return false
        }
    }

    /// A length no value of `kind` exceeds, known without extracting any (for `size` checks;
    /// `Int.max` for the kinds `boundsLength(of:)` does not bound): the request target's for
    /// the uri and what is cut from it (the path and query are parts of it, and decoding an
    /// argument only shrinks it), the buffered body's for the body.
    func lengthBound(of kind: TargetKind) -> Int {
        switch kind {
        case .uri, .path, .query, .queryArgs, .queryArg, .queryArgNames: return head.originFormTarget.count
        case .body: return body.count
        default: return Int.max
        }
    }

    // MARK: - Parts a request may lack

    /// No query string (nothing after a `?`): `query.args`, `query.arg:NAME` and
    /// `query.arg_names` have no value.
    var lacksQuery: Bool { queryRange.isEmpty }

    /// No `Cookie` field holds a cookie: `cookies`, `cookie:NAME` and `cookie_names` have no value.
    var lacksCookies: Bool { cookies().isEmpty }

    /// No body to parse (empty, and not cut at the inspect limit): `body.args`, `body.arg:NAME`,
    /// `body.arg_names` and `body.json` have no value.
    var lacksBody: Bool { body.isEmpty && !bodyTruncated }

    // MARK: - A form body's argument count

    /// How many arguments a urlencoded body has (`URLEncodedArguments.shape`), whether some
    /// were dropped, and where the engine's pass over the body splits it into lanes (`split`,
    /// with the arguments before it): all the pass needs before it cuts them
    /// (`LiteralScreen.Tables.summarizeForm`). Made by `init(_:count:limit:laneMinimum:)`.
    struct FormShape {
        var count = 0
        var overflow = false
        var split: FormSplit?
    }

    /// How many arguments a urlencoded body has (`formShape`); nil for another body. Nothing is
    /// counted for an empty body.
    var formArgumentCount: Int? {
        if let formShapeParse { return formShapeParse.count }
        if body.isEmpty { return 0 }
        return formShape()?.count
    }

    /// A urlencoded body's argument count, made once and kept; nil for another body. The engine
    /// summarizes the arguments in one pass over the body and makes values (`values(for:)`, by
    /// the parser) only where a check must read them. (Never inlined: its callers' loops keep
    /// their registers; measured +160 instructions per request in `resolveAll` when inlined.)
    @inline(never)
    func formShape() -> FormShape? {
        if let formShapeParse { return formShapeParse }
        guard case .urlencoded = contentType else { return nil }
        let parse = body.withUnsafeBufferPointer { bytes in
            bytes.baseAddress.map { FormShape($0, count: bytes.count, limit: limits.maxArguments) } ?? FormShape()
        }
        formShapeParse = parse
        return parse
    }

    // MARK: - Extraction

    private static let http10 = [TargetValue(name: [], value: HTTPVersion.http10.token.withUTF8Buffer { Array($0) })]
    private static let http11 = [TargetValue(name: [], value: HTTPVersion.http11.token.withUTF8Buffer { Array($0) })]
    private static let oneEmptyValue = [TargetValue(name: [], value: [])]
    private static let rootPath = [TargetValue(name: [], value: Array("/".utf8))]
    /// One `[TargetValue]` per entry of `CommonBytes.methods`.
    private static let methodValues = CommonBytes.methods.entries.map { [TargetValue(name: [], value: $0)] }

    private func methodValue() -> [TargetValue] {
        let range = head.methodRange
        return withHeadBytes(orIfEmpty: Self.oneEmptyValue) { base in
            if let index = CommonBytes.methods.index(equalTo: base, from: range.lowerBound, to: range.upperBound) {
                return Self.methodValues[index]
            }
            return [TargetValue(name: [], value: head.storage[range])]
        }
    }

    /// `body` over the head's bytes; `empty` for a head without any (only made by hand in tests).
    @inline(__always)
    private func withHeadBytes<R>(orIfEmpty empty: @autoclosure () -> R, _ body: (UnsafePointer<UInt8>) -> R) -> R {
        head.storage.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return empty() }
            return body(base)
        }
    }

    private func uri() -> [TargetValue] {
        if let uriValue { return uriValue }
        let value = [TargetValue(name: [], value: head.storage[head.originFormTarget])]
        uriValue = value
        return value
    }

    private func pathValue() -> [TargetValue] {
        let range = pathRange
        if range == head.originFormTarget { return uri() }
        if range.count == 1 && head.storage[range.lowerBound] == UInt8(ascii: "/") { return Self.rootPath }
        return [TargetValue(name: [], value: head.storage[range])]
    }

    private func queryValue() -> [TargetValue] {
        let range = queryRange
        return range.isEmpty ? Self.oneEmptyValue : [TargetValue(name: [], value: head.storage[range])]
    }

    /// Every field as `name: value`, both slices of the head.
    private func headers() -> [TargetValue] {
        if let headerValues { return headerValues }
        var out: [TargetValue] = []
        out.reserveCapacity(head.fields.count)
        let storage = head.storage
        for field in head.fields {
            out.append(TargetValue(name: storage[field.name], value: storage[field.value]))
        }
        headerValues = out
        return out
    }

    /// The fields named `name` (any case), in order. Names are compared in place in the head's
    /// bytes: nothing is allocated for a header the request lacks, and one exact-size array
    /// otherwise.
    private func header(named name: [UInt8]) -> [TargetValue] {
        let fields = head.fields
        let storage = head.storage
        let matching = storage.withUnsafeBufferPointer { s in
            name.withUnsafeBufferPointer { n in
                var bits: UInt64 = 0
                var more = false
                for k in fields.indices where fields[k].name.count == n.count {
                    guard Self.sameName(s, fields[k].name.lowerBound, n) else { continue }
                    if k < 64 { bits |= UInt64(1) << UInt64(k) } else { more = true }
                }
                return (bits, more)
            }
        }
        if matching.0 == 0 && !matching.1 { return [] }
        if matching.1 {
            // More than 64 fields before a match: the plain walk.
            return fields.filter { ASCII.equalsIgnoringCase(storage[$0.name], name) }
                .map { TargetValue(name: storage[$0.name], value: storage[$0.value]) }
        }
        var out: [TargetValue] = []
        out.reserveCapacity(matching.0.nonzeroBitCount)
        var bits = matching.0
        while bits != 0 {
            let k = bits.trailingZeroBitCount
            out.append(TargetValue(name: storage[fields[k].name], value: storage[fields[k].value]))
            bits &= bits &- 1
        }
        return out
    }

    /// No field is named `name` (any case): `header:NAME` has no value. Nothing is made.
    func lacksHeader(named name: UnsafeBufferPointer<UInt8>) -> Bool {
        head.storage.withUnsafeBufferPointer { s in
            head.fields.withUnsafeBufferPointer { fields in
                for field in fields where field.name.count == name.count {
                    if Self.sameName(s, field.name.lowerBound, name) { return false }
                }
                return true
            }
        }
    }

    /// The bits (`FieldNameTable`) of the names in `table` that some field has (any case): one
    /// pass over the fields, a bucket load per field and a compare per candidate name.
    func fieldNames(in table: FieldNameTable) -> UInt64 {
        head.storage.withUnsafeBufferPointer { s in
            head.fields.withUnsafeBufferPointer { fields in
                var found: UInt64 = 0
                for field in fields where !field.name.isEmpty {
                    let length = field.name.count
                    let bucket = FieldNameTable.bucket(length: length, first: s[field.name.lowerBound])
                    var candidates = table.buckets[bucket]
                    while candidates != 0 {
                        let k = candidates.trailingZeroBitCount
                        let name = table.name(k)
                        if name.count == length && Self.sameName(s, field.name.lowerBound, name) {
                            found |= 1 &<< UInt64(k)
                        }
                        candidates &= candidates &- 1
                    }
                }
                return found
            }
        }
    }

    /// Whether the field name at `start` in the head's bytes `s`, of `n.count` bytes, is `n` in
    /// any case. Most requests spell a name as the rule does: one compare, folding only when
    /// that differs.
    @inline(__always)
    private static func sameName(_ s: UnsafeBufferPointer<UInt8>, _ start: Int, _ n: UnsafeBufferPointer<UInt8>) -> Bool {
        if n.count == 0 || memcmp(s.baseAddress! + start, n.baseAddress!, n.count) == 0 { return true }
        var i = 0
        var j = start
        while i < n.count && ASCII.lower(s[j]) == ASCII.lower(n[i]) {
            i += 1
            j += 1
        }
        return i == n.count
    }

    private func cookies() -> [TargetValue] {
        if let cookieValues { return cookieValues }
        var out: [TargetValue] = []
        for field in head.fields where ASCII.equalsIgnoringCase(head.storage[field.name], Self.cookieName) {
            CookieParser.parse(head.storage[field.value], into: &out)
        }
        cookieValues = out
        return out
    }

    private static let cookieName = Array("cookie".utf8)

    /// Whether a value's name is exactly `name` (a selector's name).
    @inline(__always)
    private static func equal(_ bytes: ArraySlice<UInt8>, _ name: [UInt8]) -> Bool {
        bytes.count == name.count && bytes.withUnsafeBytes { a in
            name.withUnsafeBytes { b in a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 }
        }
    }

    /// Each value's name as the value (and as its name): the name's storage, not a copy.
    private static func names(_ values: [TargetValue]) -> [TargetValue] {
        if values.isEmpty { return [] }
        return values.map { TargetValue(name: $0.name, value: $0.name) }
    }

    // MARK: - Target ranges

    /// Index of the first `?` in the origin-form target, if any.
    private var questionMark: Int? {
        let target = head.originFormTarget
        let q = withHeadBytes(orIfEmpty: target.upperBound) {
            ByteScan.first(UInt8(ascii: "?"), $0, from: target.lowerBound, to: target.upperBound)
        }
        return q < target.upperBound ? q : nil
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
