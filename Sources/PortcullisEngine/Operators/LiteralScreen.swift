/// One Aho-Corasick pass over a value that tells, for up to 128 regex checks at once, whether
/// the value contains any of the check's required literals (`RequiredLiterals`, ASCII case
/// folded). A check whose bit is clear cannot match the value, so its regex is not run.
///
/// Built once per rule set (`EvaluationPlan`); the result of a pass is a 128-bit mask cached per
/// value, so the pass is made once per distinct value however many checks read it.
struct LiteralScreen: Sendable {
    /// Most checks one screen serves (bits of `Hits`).
    static let capacity = 128

    /// Bits of the checks whose literals occur in a value.
    struct Hits: Sendable, Equatable {
        var low: UInt64 = 0
        var high: UInt64 = 0

        @inline(__always)
        func contains(_ bit: Int) -> Bool {
            bit < 64 ? low & (UInt64(1) << UInt64(bit)) != 0 : high & (UInt64(1) << UInt64(bit - 64)) != 0
        }
    }

    private let classes: [UInt8]
    private let classCount: Int
    /// `table[state * classCount + class]` = next state × classCount, shifted left one, low bit set
    /// when the next state has outputs.
    private let table: [UInt32]
    private let outLow: [UInt64]
    private let outHigh: [UInt64]

    /// `literals[k]` are the required literals of the check with bit `k` (k < capacity).
    init(_ literals: [Set<[UInt8]>]) {
        precondition(literals.count <= Self.capacity, "a screen serves at most \(Self.capacity) checks")
        func fold(_ c: UInt8) -> UInt8 { (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c }
        var classOf = [UInt8](repeating: 0, count: 256)
        var next = 0
        for set in literals {
            for literal in set {
                for c in literal where classOf[Int(fold(c))] == 0 && next < 255 {
                    next += 1
                    classOf[Int(fold(c))] = UInt8(next)
                }
            }
        }
        // 255 distinct bytes would leave no class for "in no literal"; folding keeps far below.
        precondition(next < 255, "too many distinct literal bytes")
        var classes = [UInt8](repeating: 0, count: 256)
        for c in 0..<256 { classes[c] = classOf[Int(fold(UInt8(c)))] }
        let classCount = next + 1

        var children: [[Int: Int]] = [[:]]
        var outLow: [UInt64] = [0]
        var outHigh: [UInt64] = [0]
        for (bit, set) in literals.enumerated() {
            for literal in set where !literal.isEmpty {
                var node = 0
                for c in literal {
                    let cls = Int(classes[Int(c)])
                    if let child = children[node][cls] {
                        node = child
                    } else {
                        children.append([:])
                        outLow.append(0)
                        outHigh.append(0)
                        children[node][cls] = children.count - 1
                        node = children.count - 1
                    }
                }
                if bit < 64 { outLow[node] |= UInt64(1) << UInt64(bit) } else { outHigh[node] |= UInt64(1) << UInt64(bit - 64) }
            }
        }
        let states = children.count
        var fail = [Int](repeating: 0, count: states)
        var dfa = [Int](repeating: 0, count: states * classCount)
        var order = [0]
        var head = 0
        while head < order.count {
            let s = order[head]
            head += 1
            if s != 0 {
                outLow[s] |= outLow[fail[s]]
                outHigh[s] |= outHigh[fail[s]]
            }
            for cls in 0..<classCount {
                if let child = children[s][cls] {
                    dfa[s * classCount + cls] = child
                    fail[child] = s == 0 ? 0 : dfa[fail[s] * classCount + cls]
                    order.append(child)
                } else {
                    dfa[s * classCount + cls] = s == 0 ? 0 : dfa[fail[s] * classCount + cls]
                }
            }
        }
        var table = [UInt32](repeating: 0, count: states * classCount)
        for s in 0..<states {
            for cls in 0..<classCount {
                let t = dfa[s * classCount + cls]
                let hasOut = outLow[t] | outHigh[t] != 0
                table[s * classCount + cls] = UInt32(t * classCount) << 1 | (hasOut ? 1 : 0)
            }
        }
        self.classes = classes
        self.classCount = classCount
        self.table = table
        self.outLow = outLow
        self.outHigh = outHigh
    }

    /// The checks whose literals occur in `value`.
    func hits(in value: UnsafeRawBufferPointer) -> Hits {
        var hits = Hits()
        classes.withUnsafeBufferPointer { classes in
            table.withUnsafeBufferPointer { table in
                var s = 0
                for b in value {
                    let entry = table[s &+ Int(classes[Int(b)])]
                    s = Int(entry >> 1)
                    if entry & 1 != 0 {
                        let state = s / classCount
                        hits.low |= outLow[state]
                        hits.high |= outHigh[state]
                    }
                }
            }
        }
        return hits
    }
}
