// Which transformations cannot change a value, known from the bytes it holds without running them.
// Ordinary values (names, numbers, tokens, form fields) hold none of the bytes a decoder or a
// normaliser acts on, so most steps of most chains are decided by one table pass per value.

extension Transformation {
    /// The bytes that may make this transformation change a value: one holding none of them comes
    /// out byte for byte as it went in. Read off each implementation, and conservative: a byte is
    /// listed when some value holding it may change, even if most such values do not (a lone space
    /// for `compress_whitespace`, `index.html` for `normalize_path`).
    ///
    /// An exhaustive switch on purpose: a new transformation must state its bytes.
    var changingBytes: ByteSet {
        switch self {
        case .urlDecode, .urlDecodeUni:
            // Only `%` starts an escape (`%XX`, `%uXXXX`) and `+` becomes a space.
            ByteSet([UInt8(ascii: "%"), UInt8(ascii: "+")])
        case .htmlEntityDecode:
            // Every entity starts with `&`.
            ByteSet([UInt8(ascii: "&")])
        case .jsDecode, .cssDecode:
            // Every escape starts with `\`.
            ByteSet([UInt8(ascii: "\\")])
        case .base64Decode, .hexDecode:
            // Decode every value (odd-length hex drops its last byte): no byte is safe.
            .all
        case .length, .sha1, .md5:
            // Replace every value, the empty one too (`changesEmptyValue`).
            .all
        case .lowercase:
            ByteSet(range: UInt8(ascii: "A")...UInt8(ascii: "Z"))
        case .uppercase:
            ByteSet(range: UInt8(ascii: "a")...UInt8(ascii: "z"))
        case .compressWhitespace, .removeWhitespace:
            // `isWhitespace`; a lone space is kept by `compress_whitespace`, but two are not.
            Self.whitespace
        case .trim:
            // `isCSpace` (no 0xA0).
            ByteSet.space
        case .removeNulls, .replaceNulls:
            ByteSet([0])
        case .removeComments:
            // Openers `/*`, `<!--`, `--`, `#`: each holds `*`, `-` or `#` (closers only act inside
            // a comment). `*` rather than `/`, which ordinary paths are full of.
            ByteSet([UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "#")])
        case .replaceComments:
            // Only `/*` opens a comment.
            ByteSet([UInt8(ascii: "*")])
        case .cmdLine:
            // Letters to fold, deleted `\ " ' ^`, and separators (a space only changes before a
            // separator or a joiner, `/` and `(`, which are otherwise kept: they need a space).
            Self.commandLine
        case .normalizePath:
            // Without `/` a value is one segment, normal unless it is `.` (`..` alone is kept).
            ByteSet([UInt8(ascii: "/"), UInt8(ascii: ".")])
        case .normalizePathWin:
            ByteSet([UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "\\")])
        case .utf8ToUnicode:
            // Only a lead byte (C0–F7) can start a sequence that is rewritten.
            ByteSet(range: 0xC0...0xF7)
        }
    }

    /// True when even the empty value comes out changed (`length` gives `0`, the hashes a digest).
    var changesEmptyValue: Bool {
        switch self {
        case .length, .sha1, .md5: true
        default: false
        }
    }

    private static let whitespace: ByteSet = {
        var set = ByteSet.space
        set.insert(0xA0)
        return set
    }()

    private static let commandLine: ByteSet = {
        var set = ByteSet(range: UInt8(ascii: "A")...UInt8(ascii: "Z"))
        set.formUnion(ByteSet(Array(#"\"'^ ,;"#.utf8)))
        set.formUnion(ByteSet([0x09, 0x0A, 0x0D]))
        return set
    }()
}

/// The transformations known to leave a value unchanged, judged from its bytes: bit
/// `Transformation.ordinal` set for each (the bits of `RequestCache.TargetEntry.unchanged`). A
/// chain step whose bit is set is skipped, so ordinary values pay one table pass instead of a
/// scan per transformation.
///
/// Never claims a transformation that could change the value (see `Transformation.changingBytes`);
/// a clear bit only means "run it to know".
///
/// The masks are written out rather than computed from `changingBytes` at first use: arrays and
/// integers of literal constants are laid out by the compiler, so the first request pays no
/// initialisation (nor a 2 KB allocation). `TransformationIdentityTests` derives them from
/// `changingBytes` and prints the literals to paste when a transformation is added or changed.
enum TransformationIdentity {
    /// Per byte: bit `ordinal` set when that byte may make the transformation change a value.
    /// Only the transformations in `judgedByBytes`; the others change every non-empty value.
    static let changing: [UInt64] = [
        0x001800, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000,  // 00–07
        0x000000, 0x048600, 0x048600, 0x040600, 0x040600, 0x048600, 0x000000, 0x000000,  // 08–0F
        0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000,  // 10–17
        0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000,  // 18–1F
        0x048600, 0x000000, 0x008000, 0x002000, 0x000000, 0x000003, 0x000004, 0x008000,  // 20–27
        0x000000, 0x000000, 0x006000, 0x000003, 0x008000, 0x002000, 0x030000, 0x030000,  // 28–2F
        0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000,  // 30–37
        0x000000, 0x000000, 0x000000, 0x008000, 0x000000, 0x000000, 0x000000, 0x000000,  // 38–3F
        0x000000, 0x008080, 0x008080, 0x008080, 0x008080, 0x008080, 0x008080, 0x008080,  // 40–47
        0x008080, 0x008080, 0x008080, 0x008080, 0x008080, 0x008080, 0x008080, 0x008080,  // 48–4F
        0x008080, 0x008080, 0x008080, 0x008080, 0x008080, 0x008080, 0x008080, 0x008080,  // 50–57
        0x008080, 0x008080, 0x008080, 0x000000, 0x028018, 0x000000, 0x008000, 0x000000,  // 58–5F
        0x000000, 0x000100, 0x000100, 0x000100, 0x000100, 0x000100, 0x000100, 0x000100,  // 60–67
        0x000100, 0x000100, 0x000100, 0x000100, 0x000100, 0x000100, 0x000100, 0x000100,  // 68–6F
        0x000100, 0x000100, 0x000100, 0x000100, 0x000100, 0x000100, 0x000100, 0x000100,  // 70–77
        0x000100, 0x000100, 0x000100, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000,  // 78–7F
        0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000,  // 80–87
        0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000,  // 88–8F
        0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000,  // 90–97
        0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000,  // 98–9F
        0x000600, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000,  // A0–A7
        0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000,  // A8–AF
        0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000,  // B0–B7
        0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000,  // B8–BF
        0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000,  // C0–C7
        0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000,  // C8–CF
        0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000,  // D0–D7
        0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000,  // D8–DF
        0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000,  // E0–E7
        0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000,  // E8–EF
        0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000,  // F0–F7
        0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000, 0x000000,  // F8–FF
    ]

    /// The transformations whose `changingBytes` are not every byte: the bits the table decides.
    static let judgedByBytes: UInt64 = 0x17_FF9F

    /// What the empty value leaves unchanged: every transformation but those that replace it
    /// (`changesEmptyValue`).
    static let unchangedWhenEmpty: UInt64 = 0x17_FFFF

    /// The transformations `value` is known to come through unchanged: one pass, a table load
    /// and an OR per byte.
    static func unchangedMask(of value: UnsafeRawBufferPointer) -> UInt64 {
        if value.isEmpty { return unchangedWhenEmpty }
        return judgedByBytes & ~changes(in: value)
    }

    /// The OR of `changing` over the bytes of `value` (0 when empty): the transformations its
    /// bytes may make change it. Masks of parts combine: a value made of parts has the OR of
    /// theirs (`Inspector.seedURIMemos`).
    @inline(__always)
    static func changes(in value: UnsafeRawBufferPointer) -> UInt64 {
        let n = value.count
        if n == 0 { return 0 }
        return changing.withUnsafeBufferPointer { table in
            let p = value.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var a: UInt64 = 0, b: UInt64 = 0
            var i = 0
            // Eight bytes a round (less loop overhead), two accumulators (independent ORs).
            while i + 8 <= n {
                a |= table[Int(p[i])] | table[Int(p[i + 1])] | table[Int(p[i + 2])] | table[Int(p[i + 3])]
                b |= table[Int(p[i + 4])] | table[Int(p[i + 5])] | table[Int(p[i + 6])] | table[Int(p[i + 7])]
                i += 8
            }
            while i < n {
                a |= table[Int(p[i])]
                i += 1
            }
            return a | b
        }
    }

    /// `unchangedMask(of:)` for an array.
    static func unchangedMask(of value: [UInt8]) -> UInt64 {
        value.withUnsafeBytes { unchangedMask(of: $0) }
    }

    /// The transformations a non-empty value holding exactly `bytes` is known to come through
    /// unchanged (for callers that already have the value's `ByteSet`, as the regex prefilters
    /// do); an empty set stands for the empty value.
    static func unchangedMask(of bytes: ByteSet) -> UInt64 {
        if bytes.isEmpty { return unchangedWhenEmpty }
        return changing.withUnsafeBufferPointer { table in
            var acc: UInt64 = 0
            @inline(__always) func fold(_ word: UInt64, _ base: Int) {
                var word = word
                while word != 0 {
                    acc |= table[base | word.trailingZeroBitCount]
                    word &= word &- 1
                }
            }
            fold(bytes.words.0, 0)
            fold(bytes.words.1, 64)
            fold(bytes.words.2, 128)
            fold(bytes.words.3, 192)
            return judgedByBytes & ~acc
        }
    }
}
