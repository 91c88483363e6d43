/// What a check's chain can make of a raw value that holds none of its decoders' escape bytes:
/// then every step only keeps, drops, moves or case-maps bytes the value already has, or adds a
/// few fixed ones (a space for `compress_whitespace`, `+` in `url_decode`; `/` for the path
/// normalizers). A literal the regex needs can then appear in the transformed value only if the
/// raw values hold each of its bytes (ASCII case folded), so a check whose literals cannot all be
/// spelt is decided without running the chain: the User-Agent `peer-bench/1.0 (wrk)` cannot
/// become `javascript:` through `remove_whitespace`, nor `/index.html` `etc/passwd` through
/// `normalize_path_win`.
///
/// Built only for chains made of the steps listed in `effect(of:)`; any other step (Base64, hex,
/// hashes, `cmd_line`, `utf8_to_unicode`…) gives no filter, nor a check whose smallest literal
/// set holds more than `maxLiterals`.
struct BytePreimage: Sendable, Equatable {
    /// A raw value holding one of these may decode to anything.
    let escapes: ByteSet
    /// Bytes (folded) the chain may add to what the raw values hold.
    let added: ByteSet
    /// The folded bytes of each literal of one required set (the check's smallest): a value may
    /// match only if the bytes of one of them are all available.
    let literals: [ByteSet]

    /// Most literals a filter takes: each costs a test per target it is asked about.
    static let maxLiterals = 16

    /// The filter for `chain` before a check needing one literal of each of `literalSets`
    /// (folded); nil when some step is not understood or no set could rule anything out.
    init?(chain: [Transformation], literalSets: [Set<[UInt8]>]) {
        guard !chain.isEmpty, !literalSets.isEmpty else { return nil }
        var escapes = ByteSet(), added = ByteSet()
        for step in chain {
            guard let effect = Self.effect(of: step) else { return nil }
            escapes.formUnion(effect.escapes)
            added.formUnion(effect.added)
        }
        // A step adding an escape byte of a later one would make the test unsound.
        guard !added.intersects(escapes) else { return nil }
        // Every set is required: the smallest alone makes the cheapest test.
        guard let smallest = literalSets.min(by: { $0.count < $1.count }), smallest.count <= Self.maxLiterals
        else { return nil }
        self.escapes = escapes
        self.added = Self.folded(added)
        self.literals = smallest.sorted { $0.lexicographicallyPrecedes($1) }
            .map { ByteSet($0.map(RequiredLiterals.Parser.fold)) }
    }

    /// False when raw values holding (together) exactly the bytes `present` cannot be turned by
    /// the chain into a value holding one literal of every set.
    func mayDecodeToMatch(_ present: ByteSet) -> Bool {
        if present.intersects(escapes) { return true }
        var available = Self.folded(present)
        available.formUnion(added)
        let missing = available.inverted
        for literal in literals where !literal.intersects(missing) { return true }
        return false
    }

    /// A step's escape bytes (any byte may come out when the input holds one) and the bytes it
    /// may add otherwise; nil for a step that may make other bytes.
    static func effect(of step: Transformation) -> (escapes: ByteSet, added: ByteSet)? {
        let space = ByteSet([UInt8(ascii: " ")])
        switch step {
        case .urlDecode, .urlDecodeUni: return (ByteSet([UInt8(ascii: "%")]), space)   // `+` → space
        case .htmlEntityDecode: return (ByteSet([UInt8(ascii: "&")]), ByteSet())
        case .jsDecode, .cssDecode: return (ByteSet([UInt8(ascii: "\\")]), ByteSet())
        case .lowercase, .uppercase, .removeWhitespace, .removeNulls, .trim: return (ByteSet(), ByteSet())
        case .compressWhitespace, .replaceNulls, .replaceComments, .removeComments: return (ByteSet(), space)
        case .normalizePath, .normalizePathWin: return (ByteSet(), ByteSet([UInt8(ascii: "/")]))
        default: return nil
        }
    }

    /// `set` with the lower case of each ASCII upper-case letter added (literals are folded).
    @inline(__always)
    static func folded(_ set: ByteSet) -> ByteSet {
        var out = set
        // `A`…`Z` are bits 1…26 of the second word, `a`…`z` the same bits 32 higher.
        out.words.1 |= (set.words.1 & 0x07FF_FFFE) << 32
        return out
    }
}

/// A check's filter on its raw values' bytes, tested before its chain is computed.
enum ValuePreimage: Sendable, Equatable {
    case base64(Base64Preimage)
    case bytes(BytePreimage)
    /// A `size` check over raw values (no transformation) that matches no value shorter than
    /// this, over targets whose values the request bounds in length without extracting them
    /// (`RequestView.lengthBound(of:)`): a target whose bound is shorter is not read at all.
    case length(Int)

    /// False when raw values holding (together) exactly the bytes `present` cannot make a match.
    func mayDecodeToMatch(_ present: ByteSet) -> Bool {
        switch self {
        case .base64(let preimage): return preimage.mayDecodeToMatch(present)
        case .bytes(let preimage): return preimage.mayDecodeToMatch(present)
        case .length: return true   // judged on the request, before the values are read
        }
    }
}
