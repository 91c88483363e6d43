/// A static heuristic that flags regex fragments prone to catastrophic (exponential)
/// backtracking, for `portcullis check` warnings.
///
/// It looks for a repeated group (`*`, `+`, `{n,}` or a large `{n,m}`, not atomic, not
/// possessive) whose body can match the same text in more than one way:
/// - a nested quantifier: the body holds a repeated item, and every other item the body must
///   match can match that item's characters — `(a+)+`, `(\w+\s*)*`, `(.*)*`, `(\w+-?\w+)*` —
///   while `(\d+\.)+` is fine because the `.` separates the repetitions;
/// - overlapping alternatives: two branches can start the same way — `(a|a)*`, `(a|ab)*`,
///   `(\w|\d)+` — while `(POST|PUT)+` is fine because the branches part at the second character.
///
/// It is a heuristic: it works on the set of bytes each piece can match, so it may warn about a
/// pattern that is in fact safe. A pattern it cannot parse gets no warning (PCRE2 has already
/// accepted it).
public enum BacktrackingLint {
    /// One suspicious fragment.
    public struct Finding: Sendable, Equatable {
        /// The fragment as written, e.g. `(\w+\s*)*`.
        public var fragment: String
        /// Byte offset of the fragment in the pattern.
        public var offset: Int
        /// Why it is suspicious, e.g. "nested quantifier".
        public var reason: String
    }

    /// Repetition counts above this are treated like `*` (each repetition is a choice point).
    static let manyThreshold = 10

    public static func findings(in pattern: String) -> [Finding] {
        let bytes = Array(pattern.utf8)
        var parser = PatternParser(bytes: bytes)
        guard let alternatives = parser.parseAlternatives(), parser.atEnd else { return [] }
        var found: [Finding] = []
        visit(alternatives, bytes: bytes, into: &found)
        return found
    }

    private static func visit(_ alternatives: [[PatternItem]], bytes: [UInt8], into found: inout [Finding]) {
        for sequence in alternatives {
            for item in sequence {
                guard case .group(let inner, let atomic) = item.node else { continue }
                if item.repeatsMany && !item.possessive && !atomic {
                    let fragment = String(decoding: bytes[item.range], as: UTF8.self)
                    if inner.contains(where: hasNestedRepeat) {
                        found.append(Finding(fragment: fragment, offset: item.range.lowerBound,
                                             reason: "nested quantifier"))
                        continue
                    }
                    if alternativesOverlap(inner) {
                        found.append(Finding(fragment: fragment, offset: item.range.lowerBound,
                                             reason: "repeated alternatives that can match the same text"))
                        continue
                    }
                }
                visit(inner, bytes: bytes, into: &found)
            }
        }
    }

    /// A repeated item X in `sequence` such that every other item the sequence must match can
    /// also match X's bytes: the repetitions of the enclosing group can then be split in many ways.
    private static func hasNestedRepeat(_ sequence: [PatternItem]) -> Bool {
        let items = flatten(sequence)
        for (i, x) in items.enumerated() where x.repeatsMany && !x.possessive && !x.isAtomic {
            let xs = x.bytes
            if xs.isEmpty { continue }
            let blocked = items.enumerated().contains { j, other in
                j != i && !other.nullable && !other.bytes.intersects(xs)
            }
            if !blocked { return true }
        }
        return false
    }

    /// Inlines groups that are matched exactly once and have a single branch.
    private static func flatten(_ sequence: [PatternItem]) -> [PatternItem] {
        sequence.flatMap { item -> [PatternItem] in
            if case .group(let inner, false) = item.node, inner.count == 1, item.min == 1, item.max == 1 {
                return flatten(inner[0])
            }
            return [item]
        }
    }

    private static func alternativesOverlap(_ alternatives: [[PatternItem]]) -> Bool {
        guard alternatives.count > 1 else { return false }
        for i in alternatives.indices {
            for j in alternatives.indices where j > i {
                if overlap(alternatives[i], alternatives[j]) { return true }
            }
        }
        return false
    }

    /// Whether two branches can start matching the same text: position by position while both
    /// are single characters, else by the bytes each can start with.
    private static func overlap(_ a: [PatternItem], _ b: [PatternItem]) -> Bool {
        let a = flatten(a), b = flatten(b)
        var i = 0
        while i < a.count && i < b.count {
            guard let ca = a[i].singleCharacter, let cb = b[i].singleCharacter else {
                return firstBytes(a[i...]).intersects(firstBytes(b[i...]))
            }
            if !ca.intersects(cb) { return false }
            i += 1
        }
        // One branch is a prefix of the other (or both ended together): they overlap.
        return true
    }

    private static func firstBytes(_ items: ArraySlice<PatternItem>) -> ByteSet {
        var set = ByteSet()
        for item in items {
            set.formUnion(item.firstBytes)
            if !item.nullable { return set }
        }
        return set
    }
}

/// What one piece of a pattern is.
indirect enum PatternNode {
    /// One byte out of a set.
    case character(ByteSet)
    /// Matches no byte: anchors, `\b`, lookarounds, option settings.
    case empty
    /// A group with its branches; atomic for `(?>…)`.
    case group([[PatternItem]], atomic: Bool)
    /// A back reference: any text.
    case backReference
}

/// A node with its quantifier and where it is written.
struct PatternItem {
    var node: PatternNode
    var min = 1
    /// nil: unbounded.
    var max: Int? = 1
    var possessive = false
    /// Bytes of the pattern this item spans, quantifier included.
    var range: Range<Int>

    var repeatsMany: Bool { max == nil || max! > BacktrackingLint.manyThreshold }
    var isAtomic: Bool { if case .group(_, true) = node { return true } else { return false } }

    var singleCharacter: ByteSet? {
        if case .character(let set) = node, min == 1, max == 1 { return set }
        return nil
    }

    /// Every byte the item can match anywhere.
    var bytes: ByteSet {
        switch node {
        case .character(let set): return set
        case .empty: return ByteSet()
        case .backReference: return .all
        case .group(let alternatives, _):
            var set = ByteSet()
            for sequence in alternatives { for item in sequence { set.formUnion(item.bytes) } }
            return set
        }
    }

    /// The bytes a match of the item can start with.
    var firstBytes: ByteSet {
        switch node {
        case .character(let set): return set
        case .empty: return ByteSet()
        case .backReference: return .all
        case .group(let alternatives, _):
            var set = ByteSet()
            for sequence in alternatives {
                for item in sequence {
                    set.formUnion(item.firstBytes)
                    if !item.nullable { break }
                }
            }
            return set
        }
    }

    /// Whether the item can match the empty string.
    var nullable: Bool {
        if min == 0 { return true }
        switch node {
        case .character: return false
        case .empty, .backReference: return true
        case .group(let alternatives, _):
            return alternatives.contains { $0.allSatisfy(\.nullable) }
        }
    }
}

/// A small recursive-descent reader of PCRE2 syntax, enough to see groups, alternatives,
/// quantifiers and the byte sets of single characters. Returns nil on anything it does not know.
struct PatternParser {
    let bytes: [UInt8]
    var i = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { i >= bytes.count }

    private func peek(_ k: Int = 0) -> UInt8? { i + k < bytes.count ? bytes[i + k] : nil }

    mutating func parseAlternatives() -> [[PatternItem]]? {
        var alternatives: [[PatternItem]] = [[]]
        while let c = peek() {
            if c == UInt8(ascii: ")") { break }
            if c == UInt8(ascii: "|") {
                i += 1
                alternatives.append([])
                continue
            }
            guard let item = parseItem() else { return nil }
            alternatives[alternatives.count - 1].append(item)
        }
        return alternatives
    }

    private mutating func parseItem() -> PatternItem? {
        let start = i
        guard let node = parseAtom() else { return nil }
        var item = PatternItem(node: node, range: start..<i)
        guard let c = peek() else { return item }
        switch c {
        case UInt8(ascii: "*"): item.min = 0; item.max = nil; i += 1
        case UInt8(ascii: "+"): item.min = 1; item.max = nil; i += 1
        case UInt8(ascii: "?"): item.min = 0; item.max = 1; i += 1
        case UInt8(ascii: "{"):
            guard let (lo, hi) = parseBraces() else { return item }   // a literal `{`
            item.min = lo
            item.max = hi
        default: return item
        }
        if peek() == UInt8(ascii: "+") {
            item.possessive = true
            i += 1
        } else if peek() == UInt8(ascii: "?") {
            i += 1
        }
        item.range = start..<i
        return item
    }

    /// `{n}`, `{n,}`, `{n,m}` (also `{,m}`); nil (and nothing consumed) when not a quantifier.
    private mutating func parseBraces() -> (Int, Int?)? {
        var j = i + 1
        func number() -> Int? {
            var value: Int?
            while j < bytes.count, bytes[j] >= 0x30, bytes[j] <= 0x39 {
                value = (value ?? 0) &* 10 &+ Int(bytes[j] - 0x30)
                j += 1
            }
            return value
        }
        let lo = number()
        var hi: Int?? = .some(lo)
        if j < bytes.count, bytes[j] == UInt8(ascii: ",") {
            j += 1
            hi = .some(number())
        }
        guard j < bytes.count, bytes[j] == UInt8(ascii: "}"), lo != nil || hi != .some(nil) else { return nil }
        i = j + 1
        return (lo ?? 0, hi ?? nil)
    }

    private mutating func parseAtom() -> PatternNode? {
        guard let c = peek() else { return nil }
        switch c {
        case UInt8(ascii: "("):
            return parseGroup()
        case UInt8(ascii: "["):
            return parseClass().map { .character($0) }
        case UInt8(ascii: "."):
            i += 1
            var set = ByteSet.all
            set = set.removing(0x0A)
            return .character(set)
        case UInt8(ascii: "^"), UInt8(ascii: "$"):
            i += 1
            return .empty
        case UInt8(ascii: "\\"):
            return parseEscape(inClass: false).map { $0 }
        case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
            return nil
        default:
            i += 1
            return .character(ByteSet([c]))
        }
    }

    private mutating func parseGroup() -> PatternNode? {
        i += 1   // (
        var atomic = false
        var zeroWidth = false
        if peek() == UInt8(ascii: "*") { return nil }   // (*VERB)
        if peek() == UInt8(ascii: "?") {
            i += 1
            guard let k = peek() else { return nil }
            switch k {
            case UInt8(ascii: ":"), UInt8(ascii: "|"):
                i += 1
            case UInt8(ascii: ">"):
                i += 1
                atomic = true
            case UInt8(ascii: "="), UInt8(ascii: "!"):
                i += 1
                zeroWidth = true
            case UInt8(ascii: "<"):
                if peek(1) == UInt8(ascii: "=") || peek(1) == UInt8(ascii: "!") {
                    i += 2
                    zeroWidth = true
                } else {
                    guard skipName(until: UInt8(ascii: ">")) else { return nil }
                }
            case UInt8(ascii: "P"):
                i += 1
                guard peek() == UInt8(ascii: "<"), skipName(until: UInt8(ascii: ">")) else { return nil }
            case UInt8(ascii: "'"):
                guard skipName(until: UInt8(ascii: "'")) else { return nil }
            case UInt8(ascii: "#"):
                while let x = peek(), x != UInt8(ascii: ")") { i += 1 }
                guard peek() == UInt8(ascii: ")") else { return nil }
                i += 1
                return .empty
            default:
                // Option settings: (?i) alone, or (?i:…).
                while let x = peek(), (x >= 0x61 && x <= 0x7A) || (x >= 0x41 && x <= 0x5A) || x == UInt8(ascii: "-")
                    || x == UInt8(ascii: "^") { i += 1 }
                if peek() == UInt8(ascii: ")") {
                    i += 1
                    return .empty
                }
                guard peek() == UInt8(ascii: ":") else { return nil }
                i += 1
            }
        }
        guard let inner = parseAlternatives(), peek() == UInt8(ascii: ")") else { return nil }
        i += 1
        return zeroWidth ? .empty : .group(inner, atomic: atomic)
    }

    /// Skips `<name>` / `'name'` starting at the opening delimiter.
    private mutating func skipName(until close: UInt8) -> Bool {
        i += 1
        while let x = peek(), x != close { i += 1 }
        guard peek() == close else { return false }
        i += 1
        return true
    }

    /// An escape outside or inside a class; `i` is at the backslash.
    private mutating func parseEscape(inClass: Bool) -> PatternNode? {
        i += 1
        guard let e = peek() else { return nil }
        i += 1
        switch e {
        case UInt8(ascii: "d"): return .character(.digits)
        case UInt8(ascii: "D"): return .character(ByteSet.digits.inverted)
        case UInt8(ascii: "w"): return .character(.word)
        case UInt8(ascii: "W"): return .character(ByteSet.word.inverted)
        case UInt8(ascii: "s"), UInt8(ascii: "h"), UInt8(ascii: "v"): return .character(.space)
        case UInt8(ascii: "S"), UInt8(ascii: "H"), UInt8(ascii: "V"), UInt8(ascii: "N"):
            return .character(ByteSet.space.inverted)
        case UInt8(ascii: "R"), UInt8(ascii: "X"), UInt8(ascii: "C"): return .character(.all)
        case UInt8(ascii: "b"): return inClass ? .character(ByteSet([0x08])) : .empty
        case UInt8(ascii: "B"), UInt8(ascii: "A"), UInt8(ascii: "z"), UInt8(ascii: "Z"), UInt8(ascii: "G"),
             UInt8(ascii: "K"):
            return .empty
        case UInt8(ascii: "t"): return .character(ByteSet([0x09]))
        case UInt8(ascii: "n"): return .character(ByteSet([0x0A]))
        case UInt8(ascii: "r"): return .character(ByteSet([0x0D]))
        case UInt8(ascii: "f"): return .character(ByteSet([0x0C]))
        case UInt8(ascii: "e"): return .character(ByteSet([0x1B]))
        case UInt8(ascii: "a"): return .character(ByteSet([0x07]))
        case UInt8(ascii: "0"):
            var value = 0
            var n = 0
            while n < 2, let d = peek(), d >= 0x30, d <= 0x37 { value = value * 8 + Int(d - 0x30); i += 1; n += 1 }
            return .character(ByteSet([UInt8(truncatingIfNeeded: value)]))
        case UInt8(ascii: "x"):
            if peek() == UInt8(ascii: "{") {
                var value = 0
                i += 1
                while let d = peek(), d != UInt8(ascii: "}") { value = value &* 16 &+ Int(Transformations.hexNibble(d) & 0xF); i += 1 }
                guard peek() == UInt8(ascii: "}") else { return nil }
                i += 1
                return .character(value < 256 ? ByteSet([UInt8(value)]) : .all)
            }
            var value = 0
            var n = 0
            while n < 2, let d = peek(), Transformations.isHex(d) { value = value * 16 + Int(Transformations.hexNibble(d)); i += 1; n += 1 }
            return .character(ByteSet([UInt8(truncatingIfNeeded: value)]))
        case UInt8(ascii: "p"), UInt8(ascii: "P"):
            if peek() == UInt8(ascii: "{") {
                while let x = peek(), x != UInt8(ascii: "}") { i += 1 }
                guard peek() == UInt8(ascii: "}") else { return nil }
                i += 1
            } else {
                i += 1
            }
            return .character(.all)
        case UInt8(ascii: "Q"):
            // \Q…\E: literal text; treated as one opaque piece.
            var set = ByteSet()
            while i < bytes.count {
                if bytes[i] == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "E") { i += 2; break }
                set.insert(bytes[i])
                i += 1
            }
            return inClass ? .character(set) : .group([[PatternItem(node: .character(set), range: 0..<0)]], atomic: false)
        case UInt8(ascii: "E"): return .empty
        case UInt8(ascii: "1")...UInt8(ascii: "9"):
            if inClass { return .character(ByteSet([e - 0x30])) }
            while let d = peek(), d >= 0x30, d <= 0x39 { i += 1 }
            return .backReference
        case UInt8(ascii: "g"), UInt8(ascii: "k"):
            if inClass { return nil }
            if let open = peek(), open == UInt8(ascii: "{") || open == UInt8(ascii: "<") || open == UInt8(ascii: "'") {
                let close = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : open == UInt8(ascii: "<") ? UInt8(ascii: ">") : open
                guard skipName(until: close) else { return nil }
            } else {
                while let d = peek(), (d >= 0x30 && d <= 0x39) || d == UInt8(ascii: "-") { i += 1 }
            }
            return .backReference
        default:
            if (e >= 0x41 && e <= 0x5A) || (e >= 0x61 && e <= 0x7A) { return nil }   // an escape we do not model
            return .character(ByteSet([e]))
        }
    }

    /// `[…]`; `i` at the `[`.
    private mutating func parseClass() -> ByteSet? {
        i += 1
        var negated = false
        if peek() == UInt8(ascii: "^") { negated = true; i += 1 }
        var set = ByteSet()
        var first = true
        while let c = peek() {
            if c == UInt8(ascii: "]") && !first { i += 1; return negated ? set.inverted : set }
            first = false
            if c == UInt8(ascii: "["), peek(1) == UInt8(ascii: ":") {
                // [:alpha:] and friends: over-approximated as any byte.
                i += 2
                while let x = peek(), x != UInt8(ascii: "]") { i += 1 }
                guard peek() == UInt8(ascii: "]") else { return nil }
                i += 1
                set = .all
                continue
            }
            var low: UInt8?
            if c == UInt8(ascii: "\\") {
                guard case .character(let escaped)? = parseEscape(inClass: true) else { return nil }
                if let single = escaped.single { low = single } else { set.formUnion(escaped); continue }
            } else {
                low = c
                i += 1
            }
            if peek() == UInt8(ascii: "-"), let next = peek(1), next != UInt8(ascii: "]"), let lo = low {
                i += 1
                var high: UInt8
                if next == UInt8(ascii: "\\") {
                    guard case .character(let escaped)? = parseEscape(inClass: true), let single = escaped.single else {
                        return nil
                    }
                    high = single
                } else {
                    high = next
                    i += 1
                }
                if high < lo { return nil }
                set.formUnion(ByteSet(range: lo...high))
            } else if let lo = low {
                set.insert(lo)
            }
        }
        return nil
    }
}

extension ByteSet {
    func removing(_ b: UInt8) -> ByteSet {
        var other = ByteSet()
        for x in 0...255 where x != Int(b) && contains(UInt8(x)) { other.insert(UInt8(x)) }
        return other
    }

    /// The only member, when there is exactly one.
    var single: UInt8? {
        var found: UInt8?
        for x in 0...255 where contains(UInt8(x)) {
            if found != nil { return nil }
            found = UInt8(x)
        }
        return found
    }
}
