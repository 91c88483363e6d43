// Shared by both fuzz targets. Compiled together with Sources/PortcullisHTTP/*.swift into one
// module (see scripts/fuzz.sh), so internal API is visible here. Not part of the package.

/// SplitMix64, so every split is a pure function of the input and a crash reproduces exactly.
struct FuzzRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// FNV-1a over the first 16 bytes and the length: the seed of the random split. Mutations past
/// byte 16 keep the same split shape, so a coverage gain there is not lost to a new split.
func splitSeed(_ data: [UInt8]) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in data.prefix(16) { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return h ^ UInt64(data.count)
}

/// Ways to cut one input into reads. Every one must give the same events.
enum Cut {
    case whole
    case byteByByte
    /// Mostly small pieces, some empty reads, some large ones.
    case random(UInt64)

    /// Inputs up to this size are also fed one byte at a time.
    static let byteByByteLimit = 1024

    static func all(for data: [UInt8]) -> [Cut] {
        var cuts: [Cut] = [.whole, .random(splitSeed(data))]
        if data.count <= byteByByteLimit { cuts.append(.byteByByte) }
        return cuts
    }

    func pieces(_ data: [UInt8]) -> [ArraySlice<UInt8>] {
        switch self {
        case .whole:
            return [data[...]]
        case .byteByByte:
            return data.indices.map { data[$0..<($0 + 1)] }
        case .random(let seed):
            var rng = FuzzRNG(seed: seed)
            var out: [ArraySlice<UInt8>] = []
            var i = 0
            while i < data.count {
                let roll = rng.below(16)
                let size = roll == 0 ? 0 : roll == 15 ? 1 + rng.below(512) : 1 + rng.below(9)
                let end = Swift.min(data.count, i + size)
                out.append(data[i..<end])
                i = end
            }
            out.append(data[data.count...])  // a trailing empty read
            return out
        }
    }
}

/// One observable step, comparable across cuts. Adjacent body pieces are merged, because
/// where body data is cut is the one thing that may depend on the reads.
enum Step<Head: Equatable>: Equatable {
    case head(Head)
    case body([UInt8])
    case end
    case reject(HTTPParseError)
    /// Responses: what `inputEnded()` said after the last read.
    case closed(String)
    /// Where the parser rests after the last read.
    case rest(String)
}

extension Array {
    mutating func record<H: Equatable>(_ step: Step<H>) where Element == Step<H> {
        if case .body(let more) = step, case .body(let before)? = last {
            self[count - 1] = .body(before + more)
        } else {
            append(step)
        }
    }
}

// Independent byte predicates (written from RFC 9110, not shared with the parser), so a wrong
// bit in the parser's constant-folded masks shows up as a disagreement.
enum Spec {
    /// Byte tables built once from the RFC's character lists.
    private static let tchar = table("!#$%&'*+-.^_`|~")
    /// reg-name / IP-literal / port bytes (RFC 3986 3.2.2–3.2.3).
    private static let authority = table("-._~!$&'()*+,;=%:[]")

    private static func table(_ extra: String) -> [Bool] {
        var t = [Bool](repeating: false, count: 256)
        for b in UInt8(ascii: "a")...UInt8(ascii: "z") { t[Int(b)] = true }
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") { t[Int(b)] = true }
        for b in UInt8(ascii: "0")...UInt8(ascii: "9") { t[Int(b)] = true }
        for b in extra.utf8 { t[Int(b)] = true }
        return t
    }

    static func isTchar(_ b: UInt8) -> Bool { tchar[Int(b)] }
    static func isAuthorityByte(_ b: UInt8) -> Bool { authority[Int(b)] }
    static func isFieldValueByte(_ b: UInt8) -> Bool { b == 0x09 || (b >= 0x20 && b != 0x7F) }
    static func isOWS(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
    static func isVisibleASCII(_ b: UInt8) -> Bool { b >= 0x21 && b <= 0x7E }

    static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
    /// `b` is lowercase already.
    static func equalsIgnoringCase(_ a: ArraySlice<UInt8>, _ b: [UInt8]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { lower($0) == $1 }
    }
    static func equalsIgnoringCase(_ a: ArraySlice<UInt8>, _ b: String) -> Bool {
        equalsIgnoringCase(a, Array(b.utf8))
    }
}

/// Every field name the parser gives a kind, spelled out independently.
private let kindByName: [([UInt8], FieldKind)] = ([
    ("host", .host), ("content-length", .contentLength), ("transfer-encoding", .transferEncoding),
    ("connection", .connection), ("expect", .expect), ("upgrade", .upgrade), ("te", .te),
    ("keep-alive", .keepAlive), ("proxy-connection", .proxyConnection), ("trailer", .trailer),
    ("x-forwarded-for", .xForwardedFor), ("x-forwarded-proto", .xForwardedProto),
    ("x-forwarded-host", .xForwardedHost), ("date", .date), ("server", .server),
] as [(String, FieldKind)]).map { (Array($0.0.utf8), $0.1) }

/// Checks the invariants every header field of a parsed head must satisfy.
func checkField(_ storage: [UInt8], _ f: HeaderField, _ what: String) {
    require(!f.name.isEmpty && f.name.upperBound <= storage.count && f.value.upperBound <= storage.count,
                 "\(what): field range out of bounds")
    require(f.name.upperBound <= f.value.lowerBound, "\(what): value before name")
    require(storage[f.name].allSatisfy(Spec.isTchar), "\(what): non-token byte in field name")
    require(storage[f.value].allSatisfy(Spec.isFieldValueByte), "\(what): CTL in field value")
    if let first = storage[f.value].first, let last = storage[f.value].last {
        require(!Spec.isOWS(first) && !Spec.isOWS(last), "\(what): value not trimmed")
    }
    let name = storage[f.name]
    let expectedKind = kindByName.first { Spec.equalsIgnoringCase(name, $0.0) }?.1 ?? .other
    require(f.kind == expectedKind, "\(what): \(String(decoding: name, as: UTF8.self)) recognised as \(f.kind)")
    switch f.kind {
    case .connection, .keepAlive, .proxyConnection, .te, .trailer, .upgrade, .transferEncoding, .contentLength,
         .expect:
        require(f.isHopByHop, "\(what): \(f.kind) not marked hop-by-hop")
    default:
        break
    }
}

/// The end-to-end fields of a head as (name, value) byte pairs, in order.
func endToEnd(_ storage: [UInt8], _ fields: [HeaderField], dropping: Set<FieldKind>) -> [[UInt8]] {
    fields.filter { !$0.isHopByHop && !dropping.contains($0.kind) }
        .map { Array(storage[$0.name]) + [0x3A] + Array(storage[$0.value]) }
}

/// `precondition` that keeps its message in -O builds (where `precondition` drops it), so a
/// libFuzzer log says which property broke.
@inline(__always)
func require(_ condition: Bool, _ message: @autoclosure () -> String = "", file: StaticString = #fileID,
             line: UInt = #line) {
    if !condition { fail(message(), file: file, line: line) }
}

@inline(never)
func fail(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError("fuzz property violated: " + message, file: file, line: line)
}

/// Lowercased, OWS-trimmed, non-empty elements of every Connection field (RFC 9110 5.6.1, 7.6.1),
/// split here rather than by the parser's `ListElements`.
func connectionOptions(_ storage: [UInt8], _ fields: [HeaderField]) -> [[UInt8]] {
    var options: [[UInt8]] = []
    for f in fields where Spec.equalsIgnoringCase(storage[f.name], "connection") {
        for element in storage[f.value].split(separator: 0x2C, omittingEmptySubsequences: false) {
            var e = element[...]
            while let b = e.first, Spec.isOWS(b) { e = e.dropFirst() }
            while let b = e.last, Spec.isOWS(b) { e = e.dropLast() }
            if !e.isEmpty { options.append(e.map(Spec.lower)) }
        }
    }
    return options
}

private let alwaysHopByHop: [[UInt8]] = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade",
                                         "transfer-encoding", "content-length", "expect"].map { Array($0.utf8) }

/// Keep-alive from the version and the Connection options, and hop-by-hop marking: a field is
/// hop-by-hop exactly when its name is always so or is a connection option. `keepAlive` nil: not
/// checked (close-delimited responses are never kept alive). Options that are not
/// tokens are left out (requests reject them; responses ignore them).
func checkConnectionSemantics(_ storage: [UInt8], _ fields: [HeaderField], version: HTTPVersion,
                              keepAlive: Bool?, _ what: String) {
    let options = connectionOptions(storage, fields).filter { $0.allSatisfy(Spec.isTchar) }
    let close = options.contains(Array("close".utf8))
    let keepAliveOption = options.contains(Array("keep-alive".utf8))
    let expected = version == .http11 ? !close : (keepAliveOption && !close)
    require(keepAlive == nil || keepAlive == expected, "\(what): keepAlive \(String(describing: keepAlive)), Connection options \(options.map { String(decoding: $0, as: UTF8.self) })")
    for f in fields {
        let name = storage[f.name].map(Spec.lower)
        // A field named "Close" (a reserved name, RFC 9110 18.4) is dropped only when another
        // option makes the parser look for named fields; not checked here.
        if name == Array("close".utf8) { continue }
        let hop = alwaysHopByHop.contains(name) || options.contains(name)
        require(f.isHopByHop == hop, "\(what): \(String(decoding: name, as: UTF8.self)) hop-by-hop \(f.isHopByHop), expected \(hop)")
    }
}
