/// The bytes a value must hold before `base64_decode` for its decoded form to contain a literal:
/// lets evaluation rule a value out from the set of bytes it holds, without decoding it.
///
/// Why it holds: `Transformations.base64Decode` turns the value's Base64 digits (both alphabets;
/// every other byte, `=` included, is skipped) into one stream of 6-bit sextets and returns the
/// whole bytes of that stream — or nothing, for a `=` after a lone sextet. Output byte `k` is
/// stream bits `8k..<8k+8`, so a literal at output byte `k` lies in the stream from bit `8k`,
/// and `8k mod 6` is 0, 2 or 4. For each of those three alignments, the sextets lying wholly
/// inside the literal's bits are fixed by the literal: the value holds a digit of each (some
/// byte the decoder maps to that sextet, `+` or `-` for 62, `/` or `_` for 63). A value that,
/// for every alignment, lacks every digit of some fixed sextet cannot decode to anything that
/// contains the literal.
///
/// Case-insensitive literals (ASCII letters in either case) give a fixed sextet every value its
/// covered bytes' variants can make. A literal shorter than two bytes fixes no sextet at some
/// alignment, so it makes no filter.
struct Base64Preimage: Sendable, Equatable {
    /// One alternative per (literal, alignment): a value may decode to a match only if, for some
    /// alternative, it holds a byte of every set.
    let alternatives: [[ByteSet]]

    /// The filter for a decoded value that must contain one of `literals` (each compared with
    /// ASCII case folded when `caseInsensitive`); nil when it could rule nothing out (no
    /// literals, an empty or one-byte literal).
    init?(literals: Set<[UInt8]>, caseInsensitive: Bool) {
        guard !literals.isEmpty, literals.count <= Self.maxLiterals else { return nil }
        var alternatives: [[ByteSet]] = []
        // Sorted: the same rule set always builds the same filter.
        for literal in literals.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            for alignment in [0, 2, 4] {
                let sets = Self.fixedDigits(literal, alignment: alignment, caseInsensitive: caseInsensitive)
                guard !sets.isEmpty else { return nil }
                if !alternatives.contains(sets) { alternatives.append(sets) }
            }
        }
        self.alternatives = alternatives
    }

    /// Most literals a filter takes: each makes three alternatives to test.
    static let maxLiterals = 16

    /// False when a value holding exactly the bytes `present` cannot decode to a match.
    func mayDecodeToMatch(_ present: ByteSet) -> Bool {
        for sets in alternatives where sets.allSatisfy({ present.intersects($0) }) { return true }
        return false
    }

    /// The bytes of `values` together (one pass each).
    static func bytes(of values: [TargetValue]) -> ByteSet {
        var union = ByteSet()
        for value in values { union.formUnion(value.value.withUnsafeBytes { ByteSet(of: $0) }) }
        return union
    }

    /// For `literal` starting `alignment` bits into a sextet: per sextet wholly inside its bits,
    /// the bytes that decode to one of the values that sextet can take (deduplicated).
    static func fixedDigits(_ literal: [UInt8], alignment: Int, caseInsensitive: Bool) -> [ByteSet] {
        let bits = literal.count * 8
        // The first sextet boundary at or after the literal's first bit.
        var start = (6 - alignment) % 6
        var sets: [ByteSet] = []
        while start + 6 <= bits {
            let first = start / 8, last = (start + 5) / 8
            var digits = ByteSet()
            for high in variants(literal[first], caseInsensitive) {
                for low in first == last ? [0] : variants(literal[last], caseInsensitive) {
                    // The (one or two) bytes the sextet spans, as a 16-bit word.
                    let word = first == last ? Int(high) << 8 : Int(high) << 8 | Int(low)
                    let shift = 16 - (start - first * 8) - 6
                    digits.formUnion(digitBytes[(word >> shift) & 0x3F])
                }
            }
            if !sets.contains(digits) { sets.append(digits) }
            start += 6
        }
        return sets
    }

    /// The byte and, when case is folded and it is an ASCII letter, its other case.
    private static func variants(_ b: UInt8, _ caseInsensitive: Bool) -> [UInt8] {
        let letter = (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
        return caseInsensitive && letter ? [b, b ^ 0x20] : [b]
    }

    /// Per sextet value: the bytes `base64Decode` reads as it, from the decoder's own table.
    static let digitBytes: [ByteSet] = {
        var sets = [ByteSet](repeating: ByteSet(), count: 64)
        for b in 0..<256 {
            let v = Transformations.base64Sextets[b]
            if v < 64 { sets[Int(v)].insert(UInt8(b)) }
        }
        return sets
    }()
}
