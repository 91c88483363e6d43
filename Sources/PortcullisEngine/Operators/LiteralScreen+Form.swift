/// The pass over a urlencoded form body that cuts it into its arguments as it goes, so nothing
/// cuts it beforehand and no list of pieces is made.
///
/// It gives what `summarize(_:pieces:exactBytes:into:groups:)` gives for the names and values
/// `URLEncodedArguments.parse` makes, name `k` and value `k` at index `k` of their group's
/// outputs: a name or value without `%` or `+` is a piece of the pass; one with either is decoded
/// and summarized alone when it ends (the bytes before its first `%` or `+`, which decoding
/// keeps, are flagged in its group's table as usual, the rest in a table of their own); an empty
/// one is summarized as empty. The boundaries and escapes cost nothing per byte: `&`, `=`, `%`
/// and `+` lead the automaton to states numbered at or above `separatorFloor`, which the loop's
/// one compare per byte already catches along with states that have outputs.
extension LiteralScreen.Tables {
    /// Summarizes `text` whole (returned, exact) and each of its
    /// arguments (at most `limit`; negative: no limit) into `outputs`, as the piece pass does;
    /// `groups` gets what each group holds together and `longest` each group's longest length.
    /// `count` is how many arguments the text has (`URLEncodedArguments.shape`). A text with a
    /// `split` (`RequestView.FormShape`, found with `count`) is walked in two lanes at once
    /// (`scanFormInLanes`); the result is the same.
    func summarizeForm(_ text: UnsafeRawBufferPointer, count: Int, split: FormSplit?, limit: Int, exactBytes: Bool,
                       into outputs: (LiteralScreen.PieceOutput, LiteralScreen.PieceOutput),
                       groups: inout (LiteralScreen.GroupTotal, LiteralScreen.GroupTotal),
                       longest: inout (Int, Int)) -> RequestCache.ValueSummary {
        guard let base = text.baseAddress?.assumingMemoryBound(to: UInt8.self), !text.isEmpty else {
            precondition(count == 0, "arguments of an empty text")
            return RequestCache.ValueSummary()
        }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 128) { words in
            let flags = words.baseAddress!
            flags.initialize(repeating: 0, count: 128)
            let seen = UnsafeMutableRawPointer(flags).bindMemory(to: UInt8.self, capacity: 1024)
            var cut = FormCut(self, seen, base, limit: limit, capacity: count, exactBytes: exactBytes, outputs)
            TransformationIdentity.changing.withUnsafeBufferPointer { changing in
                if let split {
                    scanFormInLanes(base, text.count, split, &cut, changing.baseAddress!)
                } else {
                    scanForm(base, base + text.count, 0, 0, cut.table, &cut, changing.baseAddress!)
                }
            }
            precondition(cut.argument == count, "the form's pass cut \(cut.argument) arguments, not \(count)")
            groups = cut.groups
            longest = cut.longest
            let names = Self.fold(seen + 256)
            let values = Self.fold(seen + 512)
            groups.0.summary.bytes.formUnion(names)
            groups.1.summary.bytes.formUnion(values)
            var bytes = Self.fold(seen)
            bytes.formUnion(names)
            bytes.formUnion(values)
            if cut.escaped { bytes.formUnion(Self.fold(seen + 768)) }
            return RequestCache.ValueSummary(bytes: bytes, literals: cut.whole)
        }
    }

    /// The loop: per byte the automaton step, then (unless the step's entry is at or above
    /// `separatorFloor`) the byte's flag in its group's table and its `changing` bits into the
    /// piece's register. An entry at or above the floor goes to `FormCut.step` with the byte.
    /// It walks `start..<end` from state `s`, with the current piece's `changed` bits and `mine`
    /// its flags table, and ends the cut there.
    @inline(__always)
    func scanForm(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, _ s: Int, _ changed: UInt64,
                  _ mine: UnsafeMutablePointer<UInt8>, _ cut: inout FormCut, _ changing: UnsafePointer<UInt64>) {
        // Locals, so the loop keeps them in registers.
        let classes = classes, table = table, floor = separatorFloor
        var s = s
        var p = start
        var changed = changed
        var mine = mine
        // Four bytes a round; a boundary or a state with outputs is handled where it is reached,
        // and the round starts again after it.
        let last = end - 3
        while p < last {
            let b0 = Int(p[0])
            let e0 = table[s &+ Int(classes[b0])]
            if e0 >= floor {
                p += 1
                (s, changed, mine) = cut.step(e0, b0, p, changed, mine, changing)
                continue
            }
            mine[b0] = 1
            changed |= changing[b0]
            let b1 = Int(p[1])
            let e1 = table[Int(e0) &+ Int(classes[b1])]
            if e1 >= floor {
                p += 2
                (s, changed, mine) = cut.step(e1, b1, p, changed, mine, changing)
                continue
            }
            mine[b1] = 1
            changed |= changing[b1]
            let b2 = Int(p[2])
            let e2 = table[Int(e1) &+ Int(classes[b2])]
            if e2 >= floor {
                p += 3
                (s, changed, mine) = cut.step(e2, b2, p, changed, mine, changing)
                continue
            }
            mine[b2] = 1
            changed |= changing[b2]
            let b3 = Int(p[3])
            let e3 = table[Int(e2) &+ Int(classes[b3])]
            p += 4
            if e3 >= floor {
                (s, changed, mine) = cut.step(e3, b3, p, changed, mine, changing)
                continue
            }
            mine[b3] = 1
            changed |= changing[b3]
            s = Int(e3)
        }
        while p < end {
            let b = Int(p[0])
            let e = table[s &+ Int(classes[b])]
            p += 1
            if e >= floor {
                (s, changed, mine) = cut.step(e, b, p, changed, mine, changing)
                continue
            }
            mine[b] = 1
            changed |= changing[b]
            s = Int(e)
        }
        cut.end(p, changed)
    }
}

/// What the form's pass knows besides its registers: where the current name or value began,
/// which argument it belongs to, its hits, and the outputs. Touched only at boundaries and
/// at states with outputs. A lane of the pass (`scanFormInLanes`) has its own.
struct FormCut {
    typealias Hits = LiteralScreen.Hits

    /// Where the pass is: in a pair's name (or before it), in its value, or past the last
    /// argument `limit` allows (the rest is no argument's).
    enum Part { case name, value, past }

    let tables: LiteralScreen.Tables
    /// Four 256-entry tables of "seen" flags: bytes outside every name and value, then names',
    /// then values', then those of names and values from their first `%` or `+` on.
    let seen: UnsafeMutablePointer<UInt8>
    let limit: Int
    /// How many arguments `outputs` has room for.
    let capacity: Int
    let exactBytes: Bool
    let outputs: (LiteralScreen.PieceOutput, LiteralScreen.PieceOutput)
    var part = Part.name
    /// The argument being cut (the number cut so far).
    var argument = 0
    /// Where the current name or value begins.
    var start: UnsafePointer<UInt8>
    /// Its literal hits so far, and the whole text's.
    var hits = Hits()
    var whole = Hits()
    var groups = (LiteralScreen.GroupTotal(), LiteralScreen.GroupTotal())
    var longest = (0, 0)
    /// The current name or value holds `%` or `+`; some did (the fourth table has flags).
    var encoded = false
    var escaped = false

    init(_ tables: LiteralScreen.Tables, _ seen: UnsafeMutablePointer<UInt8>, _ base: UnsafePointer<UInt8>,
         limit: Int, capacity: Int, exactBytes: Bool,
         _ outputs: (LiteralScreen.PieceOutput, LiteralScreen.PieceOutput)) {
        self.tables = tables
        self.seen = seen
        self.limit = limit
        self.capacity = capacity
        self.exactBytes = exactBytes
        self.outputs = outputs
        start = base
        if limit == 0 { part = .past }
    }

    /// A cut that begins at `start`, just after an `&`, with `argument` arguments before it
    /// (already at most `limit`): what the pass is at that point, but for its totals.
    init(_ tables: LiteralScreen.Tables, _ seen: UnsafeMutablePointer<UInt8>, _ start: UnsafePointer<UInt8>,
         argument: Int, limit: Int, capacity: Int, exactBytes: Bool,
         _ outputs: (LiteralScreen.PieceOutput, LiteralScreen.PieceOutput)) {
        self.init(tables, seen, start, limit: limit, capacity: capacity, exactBytes: exactBytes, outputs)
        self.argument = argument
        part = argument == limit ? .past : .name
    }

    /// Takes in `later`, the cut of the text after this one's: the totals of both, and where
    /// `later` ended.
    mutating func append(_ later: FormCut) {
        whole.low |= later.whole.low
        whole.high |= later.whole.high
        groups.0.summary.formUnion(later.groups.0.summary)
        groups.0.unchanged &= later.groups.0.unchanged
        groups.1.summary.formUnion(later.groups.1.summary)
        groups.1.unchanged &= later.groups.1.unchanged
        longest = (max(longest.0, later.longest.0), max(longest.1, later.longest.1))
        escaped = escaped || later.escaped
        argument = later.argument
        part = later.part
    }

    /// The flags table the loop starts with.
    var table: UnsafeMutablePointer<UInt8> { part == .past ? seen : seen + 256 }

    /// A byte whose entry `e` is at or above `separatorFloor`, just read (`p` is after it):
    /// a boundary (`&`, or a pair's first `=`), else a byte of the current name or value (or of
    /// the rest past the limit) whose state has outputs, or a later `=` of a value. Updates the
    /// loop's `changed` and `mine`, returned with the next state.
    /// (Values in, values out: an `inout` would keep the loop's registers in memory.)
    @inline(never)
    mutating func step(_ e: UInt32, _ b: Int, _ p: UnsafePointer<UInt8>, _ changed: UInt64,
                       _ mine: UnsafeMutablePointer<UInt8>, _ changing: UnsafePointer<UInt64>)
        -> (Int, UInt64, UnsafeMutablePointer<UInt8>) {
        stepInline(e, b, p, changed, mine, changing)
    }

    /// `step` in its caller: the two ordinary boundaries inline, the rest (`other`) out of
    /// line. The lanes' loop (`scanFormInLanes`) uses it; it runs between the runs of
    /// `FormLanes.walk`, which is out of line anyway.
    @inline(__always)
    mutating func stepInline(_ e: UInt32, _ b: Int, _ p: UnsafePointer<UInt8>, _ changed: UInt64,
                             _ mine: UnsafeMutablePointer<UInt8>, _ changing: UnsafePointer<UInt64>)
        -> (Int, UInt64, UnsafeMutablePointer<UInt8>) {
        // The two boundaries of every ordinary argument, at states without outputs, first.
        if e < LiteralScreen.Tables.hasOutputs {
            if b == LiteralScreen.Tables.equals && part == .name {
                seen[b] = 1
                emit(0, start, p - 1, changed, hits)
                part = .value
                start = p
                hits = Hits()
                return (Int(e), 0, seen + 512)
            }
            if b == LiteralScreen.Tables.ampersand && part == .value {
                seen[b] = 1
                emit(1, start, p - 1, changed, hits)
                next()
                start = p
                hits = Hits()
                return (Int(e), 0, part == .past ? seen : seen + 256)
            }
        }
        return other(e, b, p, changed, mine, changing)
    }

    /// The rest of `step`: a boundary at a state with outputs or of a pair without `=`, a byte
    /// with outputs, a value's later `=`, a byte past the limit.
    @inline(never)
    private mutating func other(_ e: UInt32, _ b: Int, _ p: UnsafePointer<UInt8>, _ changed: UInt64,
                                _ mine: UnsafeMutablePointer<UInt8>, _ changing: UnsafePointer<UInt64>)
        -> (Int, UInt64, UnsafeMutablePointer<UInt8>) {
        let s = Int(e & ~LiteralScreen.Tables.hasOutputs)
        let outputs = e >= LiteralScreen.Tables.hasOutputs
        if part == .past {
            mine[b] = 1
            if outputs { reached(e, room: 0) }
            return (s, changed, mine)
        }
        if b == LiteralScreen.Tables.ampersand || (b == LiteralScreen.Tables.equals && part == .name) {
            seen[b] = 1
            // No name or value holds the byte: its literals are the whole text's only.
            if outputs { reached(e, room: 0) }
            boundary(b == LiteralScreen.Tables.ampersand, p - 1, changed)
            start = p
            hits = Hits()
            return (s, 0, part == .past ? seen : seen + 256 &* (part == .name ? 1 : 2))
        }
        if b == LiteralScreen.Tables.percent || b == LiteralScreen.Tables.plus {
            // This name or value is decoded when it ends; its bytes from here on are the
            // text's, not its group's.
            encoded = true
            escaped = true
            seen[768 &+ b] = 1
            if outputs { reached(e, room: p - start) }
            return (s, changed, seen + 768)
        }
        mine[b] = 1
        if outputs { reached(e, room: p - start) }
        return (s, changed | changing[b], mine)
    }

    /// The current name or value ends at `stop` before an `&` (`ampersand`) or the pair's
    /// first `=`.
    @inline(__always)
    private mutating func boundary(_ ampersand: Bool, _ stop: UnsafePointer<UInt8>, _ changed: UInt64) {
        switch part {
        case .name where ampersand:
            // A pair without `=`: a name and an empty value; no bytes at all: no pair.
            if stop == start { return }
            emit(0, start, stop, changed, hits)
            emit(1, stop, stop, 0, Hits())
            next()
        case .name:
            emit(0, start, stop, changed, hits)
            part = .value
        case .value:
            emit(1, start, stop, changed, hits)
            next()
        case .past:
            break
        }
    }

    /// The text's end at `end`: the last argument, if one is being cut.
    mutating func end(_ end: UnsafePointer<UInt8>, _ changed: UInt64) {
        boundary(true, end, changed)
    }

    /// On to the next argument, or past the last one `limit` allows.
    @inline(__always)
    private mutating func next() {
        argument &+= 1
        part = argument == limit ? .past : .name
    }

    /// Writes the summary and memo of the current argument's name (group 0) or value (group
    /// 1), `from..<stop` with `changed` and `hits`, as the piece pass would (an empty one as a
    /// value summarized alone). The common case (not empty, no hits, nothing to decode, bytes
    /// not asked for exactly: "any byte") inline; the rest (`emitRead`) out of line, so the
    /// steps that end a piece need no stack frame for it.
    @inline(__always)
    private mutating func emit(_ group: Int, _ from: UnsafePointer<UInt8>, _ stop: UnsafePointer<UInt8>,
                               _ changed: UInt64, _ hits: Hits) {
        let length = stop - from
        guard length > 0 && !exactBytes && hits.low | hits.high == 0 && !encoded else {
            emitRead(group, from, stop, changed, hits)
            return
        }
        // No filter reads its bytes: "any byte".
        record(group, RequestCache.ValueSummary(bytes: ByteSet.all, literals: Hits()),
               TransformationIdentity.judgedByBytes & ~changed, length)
    }

    /// `emit` for a piece whose summary must be made: empty, with hits, to decode, or asked
    /// for exactly.
    @inline(never)
    private mutating func emitRead(_ group: Int, _ from: UnsafePointer<UInt8>, _ stop: UnsafePointer<UInt8>,
                                   _ changed: UInt64, _ hits: Hits) {
        var length = stop - from
        var memo = length > 0 ? TransformationIdentity.judgedByBytes & ~changed : TransformationIdentity.unchangedWhenEmpty
        let summary: RequestCache.ValueSummary
        if length > 0 && !exactBytes && hits.low | hits.high == 0 && !encoded {
            summary = RequestCache.ValueSummary(bytes: ByteSet.all, literals: Hits())
        } else {
            if encoded {
                (summary, memo, length) = Self.decoded(from, length, tables)
                encoded = false
            } else {
                summary = Self.own(from, length, hits)
            }
            if group == 0 { groups.0.summary.formUnion(summary) } else { groups.1.summary.formUnion(summary) }
        }
        record(group, summary, memo, length)
    }

    /// Writes a name's (group 0) or value's summary and memo at the current argument, and
    /// takes them into its group's totals.
    @inline(__always)
    private mutating func record(_ group: Int, _ summary: RequestCache.ValueSummary, _ memo: UInt64, _ length: Int) {
        if group == 0 {
            // Every argument has its name written first: one check that the count was right.
            precondition(argument < capacity, "the form's pass cut more arguments than counted")
            outputs.0.summaries[argument] = summary
            outputs.0.unchanged[argument] = memo
            groups.0.unchanged &= memo
            longest.0 = max(longest.0, length)
        } else {
            outputs.1.summaries[argument] = summary
            outputs.1.unchanged[argument] = memo
            groups.1.unchanged &= memo
            longest.1 = max(longest.1, length)
        }
    }

    /// The summary of `length` bytes at `from` with `hits`: its own bytes (empty: nothing).
    @inline(never)
    private static func own(_ from: UnsafePointer<UInt8>, _ length: Int, _ hits: Hits) -> RequestCache.ValueSummary {
        if length == 0 { return RequestCache.ValueSummary() }
        return RequestCache.ValueSummary(bytes: ByteSet(of: UnsafeRawBufferPointer(start: from, count: length)),
                                         literals: hits)
    }

    /// The summary, memo and length of the `length` bytes at `from` decoded (`+` as a space),
    /// as the value `URLEncodedArguments.parse` makes of them.
    @inline(never)
    private static func decoded(_ from: UnsafePointer<UInt8>, _ length: Int, _ tables: LiteralScreen.Tables)
        -> (RequestCache.ValueSummary, UInt64, Int) {
        let value = URLEncodedArguments.decode(UnsafeBufferPointer(start: from, count: length), plusAsSpace: true)
        return value.withUnsafeBytes { bytes in
            (RequestCache.ValueSummary(bytes, screen: tables), TransformationIdentity.unchangedMask(of: bytes), bytes.count)
        }
    }

    /// Reaching the state of `entry` (it has outputs): as the piece pass does
    /// (`LiteralScreen.Tables.reached`), the current name or value having `room` bytes so far.
    @inline(__always)
    private mutating func reached(_ entry: UInt32, room: Int) {
        _ = tables.reached(entry, room: room, whole: &whole, piece: &hits)
    }
}
