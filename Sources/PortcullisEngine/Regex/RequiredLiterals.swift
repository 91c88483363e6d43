/// The literal strings a regex cannot match without: a set such that every match of the
/// pattern contains at least one of them (ASCII letters folded to lower case). `LiteralScreen`
/// looks for all of them in one pass over a value, so rules whose literals are absent skip
/// PCRE2 altogether.
///
/// Conservative by construction: anything the analysis does not fully understand (back
/// references, `\Q`, verbs, conditionals, recursion, extended mode, unknown escapes) gives nil —
/// no screen, the regex always runs. A wrong set would lose matches, so every construct either
/// contributes exactly what it must match or nothing.
enum RequiredLiterals {
    /// The required literals of `pattern`, or nil when none are known.
    static func of(_ pattern: String) -> Set<[UInt8]>? { sets(of: pattern).first }

    /// Up to two literal sets each of which every match of `pattern` contains one string of, the
    /// most selective first (empty when none is known); the second only when it
    /// `screensCheaply`. A value lacking either set cannot match:
    /// `(?:or|and)\s{0,5}\(` needs `or`/`and` and `(`, so `sort` or `color` is ruled out by the
    /// second set although it holds the first.
    static func sets(of pattern: String) -> [Set<[UInt8]>] {
        var parser = Parser(Array(pattern.utf8))
        guard let info = parser.alternation(), parser.atEnd else { return [] }
        let required = info.required
        guard let first = required.first else { return [] }
        guard let second = required.dropFirst().first(where: { Info.screensCheaply($0) && !Info.implies(first, $0) })
        else { return [first] }
        return [first, second]
    }

    /// The union for a list of patterns any of which may match (`regex_any`); nil when one has
    /// none.
    static func of(anyOf patterns: [String]) -> Set<[UInt8]>? { sets(anyOf: patterns).first }

    /// `sets(of:)` for a list of patterns any of which may match: each set is a union of one
    /// required set per pattern; empty when a pattern has none.
    static func sets(anyOf patterns: [String]) -> [Set<[UInt8]>] {
        Info.choose(patterns.map { sets(of: $0) })
    }

    /// Most strings an exact set may hold, and their longest length.
    static let maxExact = 64
    static let maxLength = 24
    /// Most required sets a piece of pattern keeps to choose from.
    static let keep = 4

    /// What a piece of pattern can match.
    struct Info {
        /// Every string the piece can match, when few enough; nil otherwise.
        var exact: Set<[UInt8]>?
        /// Sets each of which every match of the piece contains one string of, the most
        /// selective first (at most `keep`).
        var factors: [Set<[UInt8]>]

        static let empty = Info(exact: [[]], factors: [])
        static let unknown = Info(exact: nil, factors: [])

        /// `factors` and `exact` (when it holds no empty string), the most selective first.
        var required: [Set<[UInt8]>] {
            var all = factors
            if let exact, !exact.isEmpty, !exact.contains([]) { all.append(exact) }
            return Info.best(all)
        }

        /// `sets` without empty or repeated ones, ordered by `likelihood` (then size, then the
        /// order given), at most `keep`: `(` screens far more values out than `t` or `or` does.
        static func best(_ sets: [Set<[UInt8]>]) -> [Set<[UInt8]>] {
            var seen = Set<Set<[UInt8]>>()
            var ranked: [(p: Double, count: Int, order: Int, set: Set<[UInt8]>)] = []
            for set in sets where !set.isEmpty && !set.contains([]) && seen.insert(set).inserted {
                ranked.append((likelihood(set), set.count, ranked.count, set))
            }
            ranked.sort { ($0.p, $0.count, $0.order) < ($1.p, $1.count, $1.order) }
            return ranked.prefix(RequiredLiterals.keep).map(\.set)
        }

        /// Required sets for an alternation whose branches have the required sets `lists`:
        /// every match is a match of one branch, so a union of one set per branch is required.
        /// The first union takes from each branch the set adding least to it (branches sharing a
        /// set such as `(` then share it); the second takes another set of each branch where
        /// there is one, so a value must hold a string of both. Empty when a branch has none.
        static func choose(_ lists: [[Set<[UInt8]>]]) -> [Set<[UInt8]>] {
            guard !lists.isEmpty, !lists.contains(where: \.isEmpty) else { return [] }
            var picked = [Int](repeating: 0, count: lists.count)
            var first = Set<[UInt8]>()
            for (k, list) in lists.enumerated() {
                picked[k] = cheapest(list.indices, list, adding: first)
                first.formUnion(list[picked[k]])
            }
            var second = Set<[UInt8]>()
            for (k, list) in lists.enumerated() {
                let others = list.indices.filter {
                    $0 != picked[k] && screensCheaply(list[$0]) && !implies(list[picked[k]], list[$0])
                }
                if !others.isEmpty {
                    second.formUnion(list[cheapest(others, list, adding: second)])
                } else if screensCheaply(list[picked[k]]) {
                    second.formUnion(list[picked[k]])
                } else {
                    return [first]
                }
            }
            return best([first, second])
        }

        /// True when every string of `a` contains one of `b`: a value holding `a` holds `b`, so
        /// `b` as a second set would rule nothing more out.
        static func implies(_ a: Set<[UInt8]>, _ b: Set<[UInt8]>) -> Bool {
            a.allSatisfy { string in
                b.contains { needle in
                    needle.count <= string.count && (0...(string.count - needle.count)).contains {
                        string[$0..<($0 + needle.count)].elementsEqual(needle)
                    }
                }
            }
        }

        /// False when `set` holds a single byte common in ordinary values (`chance` of 1 % or
        /// more: letters, digits, space, `.`, `/`, `=`, `&`…). A second set is kept only without
        /// one: such a byte would stop the screen's pass at nearly every separator of a query
        /// string or form and every path, for a set that rarely rules anything out there.
        static func screensCheaply(_ set: Set<[UInt8]>) -> Bool {
            !set.contains { $0.count == 1 && chance($0[0]) >= 0.01 }
        }

        /// The index among `candidates` of the set of `list` whose union with `base` is least likely.
        private static func cheapest(_ candidates: some Collection<Int>, _ list: [Set<[UInt8]>],
                                     adding base: Set<[UInt8]>) -> Int {
            var bestIndex = candidates.first!
            var bestP = Double.infinity
            for j in candidates {
                let p = likelihood(base.union(list[j]))
                if p < bestP {
                    bestP = p
                    bestIndex = j
                }
            }
            return bestIndex
        }

        /// A rough chance that some string of `set` occurs at a given place in an ordinary
        /// request value: the sum over its strings of the product of per-byte chances (letters and
        /// spaces common, digits less, punctuation rare). Only used to rank candidate sets, so
        /// it needs to be monotone in the right way, not accurate.
        static func likelihood(_ set: Set<[UInt8]>) -> Double {
            var total = 0.0
            for string in set {
                var p = 1.0
                for c in string { p *= chance(c) }
                total += p
            }
            return total
        }

        static func chance(_ c: UInt8) -> Double {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): return 0.04
            case UInt8(ascii: " "): return 0.05
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return 0.02
            case UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "/"), UInt8(ascii: "="),
                 UInt8(ascii: "&"), UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "%"), UInt8(ascii: "+"):
                return 0.01
            case 0x21...0x7E: return 0.003
            default: return 0.001
            }
        }
    }

    struct Parser {
        let b: [UInt8]
        var i = 0

        init(_ bytes: [UInt8]) { b = bytes }

        var atEnd: Bool { i == b.count }

        func peek(_ k: Int = 0) -> UInt8? { i + k < b.count ? b[i + k] : nil }

        static func fold(_ c: UInt8) -> UInt8 { (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c }

        mutating func alternation() -> Info? {
            guard var first = concatenation() else { return nil }
            var branches: [Info] = []
            while peek() == UInt8(ascii: "|") {
                i += 1
                guard let next = concatenation() else { return nil }
                if branches.isEmpty { branches.append(first) }
                branches.append(next)
            }
            if branches.isEmpty { return first }
            var exact: Set<[UInt8]>? = []
            for branch in branches {
                if let e = branch.exact, let acc = exact, acc.count + e.count <= RequiredLiterals.maxExact {
                    exact = acc.union(e)
                } else {
                    exact = nil
                }
            }
            first = Info(exact: exact, factors: Info.choose(branches.map(\.required)))
            return first
        }

        mutating func concatenation() -> Info? {
            var run: Set<[UInt8]> = [[]]
            var flushed = false
            var found: [Set<[UInt8]>] = []
            // After `X{0,m}` with a run before it: the run joined to the first copy of `X`, and
            // the run itself, for the next atom to join when it is one exact piece.
            var optional: (first: Set<[UInt8]>, before: Set<[UInt8]>)?
            while let c = peek(), c != UInt8(ascii: "|"), c != UInt8(ascii: ")") {
                guard var atom = atom() else { return nil }
                guard let q = quantifier() else { return nil }
                if let pending = optional {
                    optional = nil
                    // `aX{0,m}b` holds `aX…` or `ab`: one of run·X and run·b.
                    if q.min == 1 && q.max == 1, let e = atom.exact, let joined = Self.cross(pending.before, e),
                       let either = Self.nonEmpty(pending.first.union(joined)) {
                        found.append(either)
                    }
                }
                if q.min == 0 {
                    if q.max >= 1, let e = atom.exact, let before = Self.nonEmpty(run),
                       let first = Self.cross(before, e) {
                        optional = (first, before)
                    }
                    atom = .unknown
                } else if !(q.min == 1 && q.max == 1) {
                    guard let e = atom.exact else {
                        atom = Info(exact: nil, factors: atom.required)
                        found.append(contentsOf: atom.factors)
                        if let done = Self.nonEmpty(run) { found.append(done) }
                        flushed = true
                        run = [[]]
                        continue
                    }
                    // One copy or more: the run goes on into the first copy, and what follows
                    // comes after the last one (one of `e` too).
                    if let crossed = Self.cross(run, e), let done = Self.nonEmpty(crossed) {
                        found.append(done)
                    } else {
                        if let done = Self.nonEmpty(run) { found.append(done) }
                        if let done = Self.nonEmpty(e) { found.append(done) }
                    }
                    flushed = true
                    run = e
                    continue
                }
                if let e = atom.exact, let crossed = Self.cross(run, e) {
                    run = crossed
                    continue
                }
                // The run so far is complete on its own: a candidate; then this atom.
                if let done = Self.nonEmpty(run) { found.append(done) }
                flushed = true
                if let e = atom.exact {
                    run = e
                } else {
                    found.append(contentsOf: atom.required)
                    run = [[]]
                }
            }
            if let done = Self.nonEmpty(run) { found.append(done) }
            return Info(exact: flushed ? nil : run, factors: Info.best(found))
        }

        static func nonEmpty(_ set: Set<[UInt8]>) -> Set<[UInt8]>? {
            set.isEmpty || set.contains([]) ? nil : set
        }

        static func cross(_ a: Set<[UInt8]>, _ b: Set<[UInt8]>) -> Set<[UInt8]>? {
            guard a.count * b.count <= RequiredLiterals.maxExact else { return nil }
            var out = Set<[UInt8]>()
            for x in a {
                for y in b {
                    if x.count + y.count > RequiredLiterals.maxLength { return nil }
                    out.insert(x + y)
                }
            }
            return out
        }

        /// A quantifier after an atom (none: 1...1). Nil: syntax not understood.
        mutating func quantifier() -> (min: Int, max: Int)? {
            guard let c = peek() else { return (1, 1) }
            var q: (min: Int, max: Int)
            switch c {
            case UInt8(ascii: "*"): q = (0, Int.max); i += 1
            case UInt8(ascii: "+"): q = (1, Int.max); i += 1
            case UInt8(ascii: "?"): q = (0, 1); i += 1
            case UInt8(ascii: "{"):
                guard let braces = bracesQuantifier() else { return (1, 1) }   // a literal `{`
                if braces.min < 0 { return nil }
                q = braces
            default:
                return (1, 1)
            }
            if let m = peek(), m == UInt8(ascii: "?") || m == UInt8(ascii: "+") { i += 1 }
            return q
        }

        /// `{n}`, `{n,}`, `{n,m}` (consumed); nil when the `{` is a literal; min -1 for forms whose
        /// reading differs between PCRE2 versions (`{,m}`, spaces).
        mutating func bracesQuantifier() -> (min: Int, max: Int)? {
            var k = i + 1
            func number() -> Int? {
                var v = 0, digits = 0
                while k < b.count, b[k] >= 0x30, b[k] <= 0x39 {
                    v = min(v * 10 + Int(b[k] - 0x30), 1_000_000)
                    k += 1
                    digits += 1
                }
                return digits > 0 ? v : nil
            }
            if k < b.count, b[k] == UInt8(ascii: ",") || b[k] == UInt8(ascii: " ") { return (-1, 0) }
            guard let lo = number() else { return nil }
            var hi = lo
            if k < b.count, b[k] == UInt8(ascii: ",") {
                k += 1
                hi = number() ?? Int.max
            }
            guard k < b.count, b[k] == UInt8(ascii: "}") else {
                // `{2 ` and the like: version-dependent; refuse.
                if k < b.count, b[k] == UInt8(ascii: " ") { return (-1, 0) }
                return nil
            }
            i = k + 1
            return (lo, hi)
        }

        mutating func atom() -> Info? {
            guard let c = peek() else { return nil }
            switch c {
            case UInt8(ascii: "("):
                return group()
            case UInt8(ascii: "["):
                i += 1
                return characterClass()
            case UInt8(ascii: "."):
                i += 1
                return .unknown
            case UInt8(ascii: "^"), UInt8(ascii: "$"):
                i += 1
                return .empty
            case UInt8(ascii: "\\"):
                return escape()
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
                return nil
            default:
                i += 1
                return Info(exact: [[Self.fold(c)]], factors: [])
            }
        }

        mutating func group() -> Info? {
            i += 1   // (
            var assertion = false
            if peek() == UInt8(ascii: "*") { return nil }
            if peek() == UInt8(ascii: "?") {
                i += 1
                guard let k = peek() else { return nil }
                switch k {
                case UInt8(ascii: ":"), UInt8(ascii: ">"), UInt8(ascii: "|"):
                    i += 1
                case UInt8(ascii: "="), UInt8(ascii: "!"):
                    i += 1
                    assertion = true
                case UInt8(ascii: "<"):
                    if peek(1) == UInt8(ascii: "=") || peek(1) == UInt8(ascii: "!") {
                        i += 2
                        assertion = true
                    } else {
                        guard skipName(close: UInt8(ascii: ">"), from: 1) else { return nil }
                    }
                case UInt8(ascii: "P"):
                    guard peek(1) == UInt8(ascii: "<"), skipName(close: UInt8(ascii: ">"), from: 2) else { return nil }
                case UInt8(ascii: "'"):
                    guard skipName(close: UInt8(ascii: "'"), from: 1) else { return nil }
                case UInt8(ascii: "#"):
                    while let c = peek(), c != UInt8(ascii: ")") { i += 1 }
                    guard peek() == UInt8(ascii: ")") else { return nil }
                    i += 1
                    return .empty
                default:
                    // Inline options: (?i) or (?i:…); extended mode changes what follows.
                    var sawColon = false
                    while let c = peek() {
                        if c == UInt8(ascii: ")") { break }
                        if c == UInt8(ascii: ":") { sawColon = true; break }
                        guard [UInt8(ascii: "i"), UInt8(ascii: "m"), UInt8(ascii: "n"), UInt8(ascii: "s"),
                               UInt8(ascii: "J"), UInt8(ascii: "U"), UInt8(ascii: "-"), UInt8(ascii: "^")].contains(c)
                        else { return nil }
                        i += 1
                    }
                    guard peek() != nil else { return nil }
                    i += 1
                    if !sawColon { return .empty }
                }
            }
            guard let inner = alternation(), peek() == UInt8(ascii: ")") else { return nil }
            i += 1
            return assertion ? .empty : inner
        }

        /// Skips `<name>`-style group names starting `from` characters after the current one.
        mutating func skipName(close: UInt8, from: Int) -> Bool {
            var k = i + from
            while k < b.count, b[k] != close {
                let c = b[k]
                guard (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                        || c == UInt8(ascii: "_") else { return false }
                k += 1
            }
            guard k < b.count else { return false }
            i = k + 1
            return true
        }

        /// After `\`: a literal byte, an assertion, a class, or nil (not understood).
        mutating func escape() -> Info? {
            i += 1
            guard let c = peek() else { return nil }
            i += 1
            switch c {
            case UInt8(ascii: "s"):
                // Without UTF or UCP (see `Regex`): tab, newline, vertical tab, form feed,
                // carriage return, space.
                return Info(exact: [[0x09], [0x0A], [0x0B], [0x0C], [0x0D], [0x20]], factors: [])
            case UInt8(ascii: "d"), UInt8(ascii: "D"), UInt8(ascii: "w"), UInt8(ascii: "W"),
                 UInt8(ascii: "S"), UInt8(ascii: "h"), UInt8(ascii: "H"), UInt8(ascii: "v"), UInt8(ascii: "V"),
                 UInt8(ascii: "R"), UInt8(ascii: "N"), UInt8(ascii: "X"), UInt8(ascii: "C"):
                return .unknown
            case UInt8(ascii: "p"), UInt8(ascii: "P"):
                if peek() == UInt8(ascii: "{") {
                    while let c = peek(), c != UInt8(ascii: "}") { i += 1 }
                    guard peek() != nil else { return nil }
                }
                i += 1
                return .unknown
            case UInt8(ascii: "b"), UInt8(ascii: "B"), UInt8(ascii: "A"), UInt8(ascii: "z"), UInt8(ascii: "Z"),
                 UInt8(ascii: "G"), UInt8(ascii: "K"):
                return .empty
            case UInt8(ascii: "1")...UInt8(ascii: "9"):
                // `\1`…`\9`: a back reference, matching some text not known here (what stands
                // beside it is still required). `\10` and up may be octal: not understood.
                if let next = peek(), next >= 0x30, next <= 0x39 { return nil }
                return .unknown
            default:
                guard let byte = escapedByte(c) else { return nil }
                return Info(exact: [[Self.fold(byte)]], factors: [])
            }
        }

        /// The byte an escape stands for (`c` already consumed); nil when not a plain byte.
        mutating func escapedByte(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "n"): return 0x0A
            case UInt8(ascii: "r"): return 0x0D
            case UInt8(ascii: "t"): return 0x09
            case UInt8(ascii: "f"): return 0x0C
            case UInt8(ascii: "e"): return 0x1B
            case UInt8(ascii: "a"): return 0x07
            case UInt8(ascii: "x"):
                var v = 0
                if peek() == UInt8(ascii: "{") {
                    i += 1
                    var digits = 0
                    while let h = peek(), h != UInt8(ascii: "}") {
                        guard let n = Self.hex(h) else { return nil }
                        v = v * 16 + n
                        digits += 1
                        i += 1
                        if v > 255 { return nil }
                    }
                    guard peek() == UInt8(ascii: "}"), digits > 0 else { return nil }
                    i += 1
                } else {
                    var digits = 0
                    while digits < 2, let h = peek(), let n = Self.hex(h) {
                        v = v * 16 + n
                        digits += 1
                        i += 1
                    }
                }
                return UInt8(v)
            case UInt8(ascii: "0"):
                var v = 0, digits = 0
                while digits < 2, let o = peek(), o >= 0x30, o <= 0x37 {
                    v = v * 8 + Int(o - 0x30)
                    digits += 1
                    i += 1
                }
                return UInt8(v)
            default:
                // Any other letter or digit escape has a meaning of its own (or is an error).
                let alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                return alnum || c >= 0x80 ? nil : c
            }
        }

        static func hex(_ h: UInt8) -> Int? {
            switch h {
            case 0x30...0x39: return Int(h - 0x30)
            case 0x41...0x46: return Int(h - 0x37)
            case 0x61...0x66: return Int(h - 0x57)
            default: return nil
            }
        }

        /// After `[`: a small class is an exact set of one-byte strings; anything else unknown.
        mutating func characterClass() -> Info? {
            var negated = false
            var big = false
            var members = Set<UInt8>()
            if peek() == UInt8(ascii: "^") {
                negated = true
                i += 1
            }
            var first = true
            while true {
                guard let c = peek() else { return nil }
                if c == UInt8(ascii: "]") && !first {
                    i += 1
                    break
                }
                first = false
                var lo: UInt8
                if c == UInt8(ascii: "[") && peek(1) == UInt8(ascii: ":") {
                    // POSIX class [:name:]
                    i += 2
                    while let p = peek(), p != UInt8(ascii: ":") { i += 1 }
                    guard peek() == UInt8(ascii: ":"), peek(1) == UInt8(ascii: "]") else { return nil }
                    i += 2
                    big = true
                    continue
                } else if c == UInt8(ascii: "\\") {
                    i += 1
                    guard let e = peek() else { return nil }
                    i += 1
                    switch e {
                    case UInt8(ascii: "d"), UInt8(ascii: "D"), UInt8(ascii: "w"), UInt8(ascii: "W"),
                         UInt8(ascii: "s"), UInt8(ascii: "S"), UInt8(ascii: "h"), UInt8(ascii: "H"),
                         UInt8(ascii: "v"), UInt8(ascii: "V"):
                        big = true
                        continue
                    case UInt8(ascii: "p"), UInt8(ascii: "P"):
                        return nil
                    case UInt8(ascii: "b"):
                        lo = 0x08
                    default:
                        guard let byte = escapedByte(e) else { return nil }
                        lo = byte
                    }
                } else {
                    i += 1
                    lo = c
                }
                // A range lo-hi (a `-` before `]` is a literal).
                if peek() == UInt8(ascii: "-"), let h = peek(1), h != UInt8(ascii: "]") {
                    i += 1
                    var hi: UInt8
                    if h == UInt8(ascii: "\\") {
                        i += 1
                        guard let e = peek() else { return nil }
                        i += 1
                        guard let byte = escapedByte(e) else { return nil }
                        hi = byte
                    } else if h == UInt8(ascii: "[") {
                        return nil
                    } else {
                        i += 1
                        hi = h
                    }
                    guard lo <= hi else { return nil }
                    if Int(hi) - Int(lo) > 16 { big = true } else { for x in lo...hi { members.insert(x) } }
                } else {
                    members.insert(lo)
                }
            }
            if negated || big { return .unknown }
            let folded = Set(members.map(Self.fold))
            guard !folded.isEmpty, folded.count <= 8 else { return .unknown }
            return Info(exact: Set(folded.map { [$0] }), factors: [])
        }
    }
}
