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

    /// The automaton's tables as plain pointers: scanning through them costs no reference
    /// counting (the evaluation plan keeps a copy in its flat tables).
    struct Tables: @unchecked Sendable {
        let classes: UnsafePointer<UInt8>
        let classCount: Int
        /// `table[state * classCount + class]` = next state × classCount, with the top bit
        /// (`hasOutputs`) set when the next state has outputs: a step without outputs is one
        /// load and one sign test.
        let table: UnsafePointer<UInt32>
        let outLow: UnsafePointer<UInt64>
        let outHigh: UnsafePointer<UInt64>
        /// Per state: the length of the text it stands for, and its failure state (the longest
        /// proper suffix that is also a state): what a scan started later would be in instead.
        let depth: UnsafePointer<Int32>
        let fail: UnsafePointer<Int32>

        /// The entries at or above this are the states just after one of `formBytes` (numbered
        /// last), or states with outputs: one compare in a form's pass (`summarizeForm`) finds
        /// both, so its arguments' boundaries and escapes cost nothing per byte.
        let separatorFloor: UInt32
        /// The depth of the deepest of those states: the state just after a form byte stands for
        /// at most this many bytes of text, so a scan started that many bytes before is in it
        /// too (how a form's pass starts a second lane at an `&`, `summarizeFormInLanes`).
        let separatorDepth: Int

        /// The bit of a `table` entry that says its state has outputs.
        static let hasOutputs: UInt32 = 0x8000_0000
        /// The bytes that cut a urlencoded text into arguments, and those that make a name or
        /// value need decoding.
        static let ampersand = 0x26
        static let equals = 0x3D
        static let percent = 0x25
        static let plus = 0x2B
        static let formBytes = [ampersand, equals, percent, plus]
    }

    /// Owns the memory `tables` points into; freed with the last copy of the screen.
    private final class Owner: @unchecked Sendable {
        let tables: Tables
        init(_ tables: Tables) { self.tables = tables }
        deinit {
            tables.classes.deallocate()
            tables.table.deallocate()
            tables.outLow.deallocate()
            tables.outHigh.deallocate()
            tables.depth.deallocate()
            tables.fail.deallocate()
        }
    }

    private let owner: Owner
    /// Valid while this screen (or a copy) lives.
    var tables: Tables { owner.tables }

    /// `literals[k]` are the required literals of the check with bit `k` (k < capacity).
    init(_ literals: [Set<[UInt8]>]) {
        precondition(literals.count <= Self.capacity, "a screen serves at most \(Self.capacity) checks")
        func fold(_ c: UInt8) -> UInt8 { (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c }
        var classOf = [UInt8](repeating: 0, count: 256)
        var next = 0
        // The form's bytes have classes of their own (see `separatorFloor`).
        for c in Tables.formBytes {
            next += 1
            classOf[c] = UInt8(next)
        }
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
        var depth: [Int32] = [0]
        var outLow: [UInt64] = [0]
        var outHigh: [UInt64] = [0]
        // Per node: the class of the byte that leads to it (-1 for the root).
        var incoming = [-1]
        /// The node for `literal`, made with its prefixes where missing.
        func node(for literal: [UInt8]) -> Int {
            var node = 0
            for c in literal {
                let cls = Int(classes[Int(c)])
                if let child = children[node][cls] {
                    node = child
                } else {
                    children.append([:])
                    depth.append(depth[node] + 1)
                    outLow.append(0)
                    outHigh.append(0)
                    incoming.append(cls)
                    children[node][cls] = children.count - 1
                    node = children.count - 1
                }
            }
            return node
        }
        for (bit, set) in literals.enumerated() {
            for literal in set where !literal.isEmpty {
                let last = node(for: literal)
                if bit < 64 { outLow[last] |= UInt64(1) << UInt64(bit) } else { outHigh[last] |= UInt64(1) << UInt64(bit - 64) }
            }
        }
        // The form's bytes as literals of no check: after one of them the automaton is then
        // always in a node that byte leads to.
        let separators = Tables.formBytes.map { Int(classes[$0]) }
        for c in Tables.formBytes { _ = node(for: [UInt8(c)]) }
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
        precondition(states * classCount < Int(Tables.hasOutputs), "literal screen too large")
        // Numbered again, the nodes the form's bytes lead to last (the root stays first).
        let renumbered = (0..<states).filter { !separators.contains(incoming[$0]) }
            + (0..<states).filter { separators.contains(incoming[$0]) }
        var number = [Int](repeating: 0, count: states)
        for (new, old) in renumbered.enumerated() { number[old] = new }
        let firstSeparator = renumbered.firstIndex { separators.contains(incoming[$0]) } ?? states
        var table = [UInt32](repeating: 0, count: states * classCount)
        for s in 0..<states {
            for cls in 0..<classCount {
                let t = dfa[s * classCount + cls]
                let hasOut = outLow[t] | outHigh[t] != 0
                table[number[s] * classCount + cls] = UInt32(number[t] * classCount) | (hasOut ? Tables.hasOutputs : 0)
            }
        }
        outLow = renumbered.map { outLow[$0] }
        outHigh = renumbered.map { outHigh[$0] }
        depth = renumbered.map { depth[$0] }
        fail = renumbered.map { number[fail[$0]] }
        func copy<T>(_ array: [T]) -> UnsafePointer<T> {
            let memory = UnsafeMutablePointer<T>.allocate(capacity: max(array.count, 1))
            memory.initialize(from: array, count: array.count)
            return UnsafePointer(memory)
        }
        owner = Owner(Tables(classes: copy(classes), classCount: classCount, table: copy(table),
                             outLow: copy(outLow), outHigh: copy(outHigh), depth: copy(depth),
                             fail: copy(fail.map { Int32($0) }),
                             separatorFloor: UInt32(firstSeparator * classCount),
                             separatorDepth: Int(depth[firstSeparator...].max() ?? 0)))
    }

    /// The checks whose literals occur in `value`.
    func hits(in value: UnsafeRawBufferPointer) -> Hits { tables.hits(in: value) }
}

extension LiteralScreen.Tables {
    typealias Hits = LiteralScreen.Hits

    /// The checks whose literals occur in `value`.
    func hits(in value: UnsafeRawBufferPointer) -> Hits {
        var hits = Hits()
        var s = 0
        for b in value {
            let entry = table[s &+ Int(classes[Int(b)])]
            if entry < Self.hasOutputs {
                s = Int(entry)
            } else {
                s = Int(entry & ~Self.hasOutputs)
                let state = s / classCount
                hits.low |= outLow[state]
                hits.high |= outHigh[state]
            }
        }
        return hits
    }
}
