import PortcullisHTTP

/// SplitMix64: a tiny deterministic PRNG, so random splits are reproducible from a seed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(upTo bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// Bytes from text; `\r`, `\n`, `\t` and `\0` keep their meaning, everything else is ASCII.
func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// How a fixture's bytes are cut into reads.
enum Split: Sendable, CustomStringConvertible, Hashable {
    case whole
    case byteByByte
    case random(seed: UInt64)

    static let all: [Split] = [.whole, .byteByByte] + (1...6).map { .random(seed: $0) }

    var description: String {
        switch self {
        case .whole: return "whole"
        case .byteByByte: return "byte-by-byte"
        case .random(let seed): return "random(\(seed))"
        }
    }

    func chunks(_ raw: [UInt8]) -> [[UInt8]] {
        switch self {
        case .whole:
            return [raw]
        case .byteByByte:
            return raw.map { [$0] }
        case .random(let seed):
            var rng = SplitMix64(seed: seed)
            var out: [[UInt8]] = []
            var i = 0
            while i < raw.count {
                // Mostly small pieces, sometimes an empty read, sometimes a large one.
                let roll = rng.next(upTo: 10)
                let size = roll == 0 ? 0 : roll == 9 ? 1 + rng.next(upTo: 600) : 1 + rng.next(upTo: 12)
                let end = Swift.min(raw.count, i + size)
                out.append(Array(raw[i..<end]))
                i = end
            }
            return out
        }
    }
}

/// One observable step of a parse, comparable across splits.
enum Recorded: Equatable, CustomStringConvertible {
    case head(String)
    case body([UInt8])
    case end
    case reject(Int, String)
    /// The harness saw the parser break its own contract.
    case contractViolation(String)

    var description: String {
        switch self {
        case .head(let s): return "head(\(s))"
        case .body(let b): return "body(\(String(decoding: b, as: UTF8.self)))"
        case .end: return "end"
        case .reject(let status, let reason): return "reject(\(status) \(reason))"
        case .contractViolation(let s): return "VIOLATION(\(s))"
        }
    }

    var rejectStatus: Int? {
        if case .reject(let status, _) = self { return status }
        return nil
    }
}

func summary(_ head: RequestHead) -> String {
    var s = "\(head.method) \(head.text(head.methodRange)) \(head.text(head.target)) -> \(head.text(head.originFormTarget))"
    s += " \(head.version) authority=\(head.authority.map { head.text($0) } ?? "nil")"
    s += " framing=\(head.framing) keepAlive=\(head.keepAlive) continue=\(head.expectsContinue)"
    for f in head.fields {
        s += " | \(head.text(f.name)): \(head.text(f.value)) [\(f.kind)\(f.isHopByHop ? ",hop" : "")]"
    }
    return s
}

func summary(_ head: ResponseHead) -> String {
    var s = "\(head.version) \(head.status) '\(head.text(head.reason))' framing=\(head.framing) keepAlive=\(head.keepAlive)"
    for f in head.fields {
        s += " | \(head.text(f.name)): \(head.text(f.value)) [\(f.kind)\(f.isHopByHop ? ",hop" : "")]"
    }
    return s
}

/// The result of feeding reads to a parser the way the proxy does.
struct Replay {
    var events: [Recorded] = []
    var heads: [RequestHead] = []
    var responseHeads: [ResponseHead] = []

    mutating func record(_ event: Recorded) {
        if case .body(let more) = event, case .body(let previous)? = events.last {
            events[events.count - 1] = .body(previous + more)
        } else {
            events.append(event)
        }
    }

    var lastReject: Int? { events.last?.rejectStatus }
    var endCount: Int { events.filter { $0 == .end }.count }
    /// Body bytes of each request, in order (empty for requests without body events).
    var bodies: [[UInt8]] {
        var out: [[UInt8]] = []
        var current: [UInt8] = []
        for e in events {
            switch e {
            case .body(let b): current += b
            case .end: out.append(current); current = []
            default: break
            }
        }
        return out
    }
}

/// Feeds `chunks` to a request parser: after each read, `next` is called with the unconsumed
/// remainder until it returns `.needMore`, exactly as the proxy does.
func replayRequests(_ chunks: [[UInt8]], limits: HTTPLimits = HTTPLimits()) -> Replay {
    var parser = RequestParser(limits: limits)
    var pending: [UInt8] = []
    var replay = Replay()
    var guardCount = 0
    for chunk in chunks {
        pending += chunk
        while true {
            guardCount += 1
            if guardCount > 1_000_000 { replay.record(.contractViolation("no progress")); return replay }
            let (consumed, event) = pending.withUnsafeBytes { parser.next($0) }
            if consumed < 0 || consumed > pending.count {
                replay.record(.contractViolation("consumed \(consumed) of \(pending.count)"))
                return replay
            }
            var stop = false
            switch event {
            case .needMore:
                if consumed != pending.count { replay.record(.contractViolation("needMore left bytes")) }
                stop = true
            case .head(let head):
                replay.heads.append(head)
                replay.record(.head(summary(head)))
            case .body(let range):
                if range.isEmpty || range.upperBound > consumed { replay.record(.contractViolation("body range \(range)")) }
                replay.record(.body(Array(pending[range])))
            case .end:
                replay.record(.end)
            case .reject(let error):
                replay.record(.reject(error.status, error.reason))
                // A rejected parser must stay rejected.
                let again = pending.withUnsafeBytes { parser.next($0) }
                if case .reject(let e2) = again.event, e2 == error {} else {
                    replay.record(.contractViolation("parser left the rejected state"))
                }
                return replay
            }
            pending.removeFirst(consumed)
            if stop { break }
        }
    }
    return replay
}

/// The response-side twin of `replayRequests`; `ended` calls `inputEnded()` after the last read.
func replayResponse(_ chunks: [[UInt8]], method: HTTPMethod = .get, ended: Bool = false,
                    maxHeaderBytes: Int = 65536) -> Replay {
    var parser = ResponseParser(maxHeaderBytes: maxHeaderBytes)
    parser.reset(requestMethod: method)
    var pending: [UInt8] = []
    var replay = Replay()
    for chunk in chunks {
        pending += chunk
        while true {
            let (consumed, event) = pending.withUnsafeBytes { parser.next($0) }
            var stop = false
            switch event {
            case .needMore:
                if consumed != pending.count { replay.record(.contractViolation("needMore left bytes")) }
                stop = true
            case .head(let head):
                replay.responseHeads.append(head)
                replay.record(.head(summary(head)))
            case .body(let range):
                replay.record(.body(Array(pending[range])))
            case .end:
                replay.record(.end)
            case .reject(let error):
                replay.record(.reject(error.status, error.reason))
                return replay
            }
            pending.removeFirst(consumed)
            if stop { break }
        }
    }
    if ended {
        switch parser.inputEnded() {
        case .end: replay.record(.end)
        case .reject(let error): replay.record(.reject(error.status, error.reason))
        case .needMore: break
        case .head, .body: replay.record(.contractViolation("inputEnded returned data"))
        }
    }
    return replay
}
