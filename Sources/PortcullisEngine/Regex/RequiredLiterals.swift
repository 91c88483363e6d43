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
    static func of(_ pattern: String) -> Set<[UInt8]>? {
        var parser = Parser(Array(pattern.utf8))
        guard let info = parser.alternation(), parser.atEnd else { return nil }
        return info.required
    }

    /// The union for a list of patterns any of which may match (`regex_any`); nil when one has
    /// none.
    static func of(anyOf patterns: [String]) -> Set<[UInt8]>? {
        var union = Set<[UInt8]>()
        for pattern in patterns {
            guard let set = of(pattern) else { return nil }
            union.formUnion(set)
        }
        return union.isEmpty ? nil : union
    }

    /// Most strings an exact set may hold, and their longest length.
    static let maxExact = 64
    static let maxLength = 24

    /// What a piece of pattern can match.
    struct Info {
        /// Every string the piece can match, when few enough; nil otherwise.
        var exact: Set<[UInt8]>?
        /// A required set for the piece, when known.
        var factors: Set<[UInt8]>?

        static let empty = Info(exact: [[]], factors: nil)
        static let unknown = Info(exact: nil, factors: nil)

        /// The better of `exact` (when it holds no empty string) and `factors`.
        var required: Set<[UInt8]>? {
            var best = factors
            if let exact, !exact.isEmpty, !exact.contains([]) { best = Info.better(best, exact) }
            return best
        }

        /// Prefers the set less likely to occur in an ordinary value (`rarity`), then the
        /// smaller set: `(` screens far more values out than `t` or `or` does.
        static func better(_ a: Set<[UInt8]>?, _ b: Set<[UInt8]>?) -> Set<[UInt8]>? {
            guard let a, !a.isEmpty else { return b }
            guard let b, !b.isEmpty else { return a }
            let pa = likelihood(a), pb = likelihood(b)
            if pa != pb { return pa < pb ? a : b }
            return a.count <= b.count ? a : b
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
            var factors: Set<[UInt8]>? = []
            for branch in branches {
                if let e = branch.exact, let acc = exact, acc.count + e.count <= RequiredLiterals.maxExact {
                    exact = acc.union(e)
                } else {
                    exact = nil
                }
                if let r = branch.required, let acc = factors { factors = acc.union(r) } else { factors = nil }
            }
            first = Info(exact: exact, factors: factors)
            return first
        }

        mutating func concatenation() -> Info? {
            var run: Set<[UInt8]> = [[]]
            var flushed = false
            var best: Set<[UInt8]>?
            while let c = peek(), c != UInt8(ascii: "|"), c != UInt8(ascii: ")") {
                guard var atom = atom() else { return nil }
                guard let q = quantifier() else { return nil }
                if q.min == 0 {
                    atom = .unknown
                } else if !(q.min == 1 && q.max == 1) {
                    atom = Info(exact: nil, factors: atom.required)
                }
                if let e = atom.exact, let crossed = Self.cross(run, e) {
                    run = crossed
                    continue
                }
                // The run so far is complete on its own: a candidate; then this atom.
                best = Info.better(best, Self.nonEmpty(run))
                flushed = true
                if let e = atom.exact {
                    run = e
                } else {
                    best = Info.better(best, atom.required)
                    run = [[]]
                }
            }
            best = Info.better(best, Self.nonEmpty(run))
            return Info(exact: flushed ? nil : run, factors: best)
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
                return Info(exact: [[Self.fold(c)]], factors: nil)
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
            case UInt8(ascii: "d"), UInt8(ascii: "D"), UInt8(ascii: "w"), UInt8(ascii: "W"), UInt8(ascii: "s"),
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
                return Info(exact: [[Self.fold(byte)]], factors: nil)
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
            return Info(exact: Set(folded.map { [$0] }), factors: nil)
        }
    }
}
