/// One pass of the literal screen over a text (a JSON or multipart body; a form has its own,
/// `summarizeForm`) that also summarizes pieces of it (its arguments' names and values) as if each
/// were scanned alone.
///
/// Per byte the pass does the automaton step, marks the byte in a 256-entry table of its group
/// (a store, no read-modify-write) and ORs the byte's `TransformationIdentity.changing` bits into
/// a register. So each piece gets its literal hits and its "unchanged by" memo exactly, and each
/// group of pieces (names, values) and the whole text their exact byte sets. A piece's own byte
/// set costs a second look at its bytes, so it is made only where a filter may read it: for a
/// piece with screen hits, or for every piece when the plan asks (`exactBytes`, set when some
/// check without a screen bit filters pieces by their bytes). Any other piece gets `ByteSet.all`:
/// a check with a screen bit reads a value's bytes only after its literals hit the value, and in
/// any case a superset is safe, as byte filters are conservative (it can only send a value on
/// to its operator, never change what the operator finds).
extension LiteralScreen {
    /// A stretch of the text summarized as if scanned alone.
    struct Piece: Sendable {
        /// Where it lies in the text; pieces are ascending and disjoint.
        var range: Range<Int>
        /// Where its summary goes: `outputs[slot & 1]` at index `slot >> 1` (a form's argument `k`
        /// has its name at `2k` and its value at `2k + 1`, so names are group 0, values group 1).
        var slot: Int32
    }

    /// Where a pass writes one group's per-piece results.
    struct PieceOutput {
        var summaries: UnsafeMutablePointer<RequestCache.ValueSummary>
        /// `TransformationIdentity.unchangedMask(of:)` of each piece.
        var unchanged: UnsafeMutablePointer<UInt64>
    }

    /// What a pass found for one group of pieces together.
    struct GroupTotal: Sendable {
        /// The exact union of the group's pieces' bytes and of their literal hits.
        var summary = RequestCache.ValueSummary()
        /// The AND of the pieces' memos.
        var unchanged = UInt64.max
    }
}

extension LiteralScreen.Tables {
    /// One pass over `text` that summarizes it whole (returned, exact) and each of `pieces` into
    /// `outputs` (see `LiteralScreen.Piece.slot`): literal hits and memo exactly; bytes exactly
    /// for a piece with hits or when `exactBytes`, else `ByteSet.all`. `groups` gets what
    /// each group's pieces hold together. A literal counts for a piece only when it lies wholly
    /// inside it: where the whole-text state stands for more text than the piece has so far, the
    /// piece's own state is the deepest failure state that fits.
    func summarize(_ text: UnsafeRawBufferPointer, pieces: UnsafeBufferPointer<LiteralScreen.Piece>,
                   exactBytes: Bool, into outputs: (LiteralScreen.PieceOutput, LiteralScreen.PieceOutput),
                   groups: inout (LiteralScreen.GroupTotal, LiteralScreen.GroupTotal)) -> RequestCache.ValueSummary {
        guard let base = text.baseAddress?.assumingMemoryBound(to: UInt8.self), !text.isEmpty else {
            precondition(pieces.isEmpty, "pieces of an empty text")
            return RequestCache.ValueSummary()
        }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: Scratch.words) { words in
            let scratch = Scratch(words.baseAddress!, outputs)
            let whole = TransformationIdentity.changing.withUnsafeBufferPointer { changing in
                // Specialized, so the per-piece test of `exactBytes` is made once.
                exactBytes
                    ? scan(base, text.count, pieces, true, scratch, changing.baseAddress!, &groups)
                    : scan(base, text.count, pieces, false, scratch, changing.baseAddress!, &groups)
            }
            groups.0.unchanged &= scratch.unchangedOf[0]
            groups.1.unchanged &= scratch.unchangedOf[1]
            let names = Self.fold(scratch.seen + 256)
            let values = Self.fold(scratch.seen + 512)
            groups.0.summary.bytes.formUnion(names)
            groups.1.summary.bytes.formUnion(values)
            var bytes = Self.fold(scratch.seen)
            bytes.formUnion(names)
            bytes.formUnion(values)
            return RequestCache.ValueSummary(bytes: bytes, literals: whole)
        }
    }

    /// A pass's working memory (one stack allocation): the "seen" flags and what the loops
    /// touch rarely, so registers stay for the bytes.
    private struct Scratch {
        /// 3 × 256 flags, 2 memo ANDs, 2 + 2 output pointers.
        static let words = 96 + 2 + 4
        /// Three 256-entry tables of "seen" flags: bytes outside every piece, then each group's.
        let seen: UnsafeMutablePointer<UInt8>
        /// Each group's AND of its pieces' memos.
        let unchangedOf: UnsafeMutablePointer<UInt64>
        /// Each group's outputs, by group.
        let summaries: UnsafeMutablePointer<UnsafeMutablePointer<RequestCache.ValueSummary>>
        let memos: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>>

        init(_ words: UnsafeMutablePointer<UInt64>, _ outputs: (LiteralScreen.PieceOutput, LiteralScreen.PieceOutput)) {
            words.initialize(repeating: 0, count: 96)
            (words + 96).initialize(repeating: UInt64.max, count: 2)
            seen = UnsafeMutableRawPointer(words).bindMemory(to: UInt8.self, capacity: 768)
            unchangedOf = words + 96
            summaries = UnsafeMutableRawPointer(words + 98)
                .bindMemory(to: UnsafeMutablePointer<RequestCache.ValueSummary>.self, capacity: 2)
            summaries.initialize(to: outputs.0.summaries)
            (summaries + 1).initialize(to: outputs.1.summaries)
            memos = UnsafeMutableRawPointer(words + 100).bindMemory(to: UnsafeMutablePointer<UInt64>.self, capacity: 2)
            memos.initialize(to: outputs.0.unchanged)
            (memos + 1).initialize(to: outputs.1.unchanged)
        }
    }

    /// The pass itself: gaps and pieces in text order, each piece's memo and summary written as
    /// it ends (`summarize` folds the flags). Returns the whole text's hits.
    @inline(__always)
    private func scan(_ base: UnsafePointer<UInt8>, _ length: Int, _ pieces: UnsafeBufferPointer<LiteralScreen.Piece>,
                      _ exactBytes: Bool, _ scratch: Scratch, _ changing: UnsafePointer<UInt64>,
                      _ groups: inout (LiteralScreen.GroupTotal, LiteralScreen.GroupTotal)) -> Hits {
        // Locals, so the loops keep them in registers.
        let classes = classes, table = table
        let seen = scratch.seen
        var s = 0
        var p = base
        var whole = Hits()
        // The current piece's hits (zero between pieces; outputs are rare, these stay in memory).
        var hits = Hits()
        var next = pieces.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<LiteralScreen.Piece>.alignment)!
        let stop = next + pieces.count
        // Bytes outside every piece: the whole text only.
        @inline(__always) func gap(to end: UnsafePointer<UInt8>) {
            while p < end {
                let b = Int(p.pointee)
                seen[b] = 1
                let entry = table[s &+ Int(classes[b])]
                p += 1
                if entry < Self.hasOutputs {
                    s = Int(entry)
                } else {
                    s = reached(entry, room: 0, whole: &whole, piece: &hits)
                }
            }
        }
        while next < stop {
            gap(to: base + next.pointee.range.lowerBound)
            let piece = next
            next += 1
            let group = Int(piece.pointee.slot & 1)
            let mine = seen + 256 &* (group &+ 1)
            let start = p
            let end = base + piece.pointee.range.upperBound
            var changed: UInt64 = 0
            // Four bytes a round while no state on the way has outputs; a state with outputs
            // is handled where it is reached, and the round starts again after it.
            let last = end - 3
            while p < last {
                let b0 = Int(p[0])
                mine[b0] = 1
                changed |= changing[b0]
                let e0 = table[s &+ Int(classes[b0])]
                if e0 >= Self.hasOutputs {
                    p += 1
                    s = reached(e0, room: p - start, whole: &whole, piece: &hits)
                    continue
                }
                let b1 = Int(p[1])
                mine[b1] = 1
                changed |= changing[b1]
                let e1 = table[Int(e0) &+ Int(classes[b1])]
                if e1 >= Self.hasOutputs {
                    p += 2
                    s = reached(e1, room: p - start, whole: &whole, piece: &hits)
                    continue
                }
                let b2 = Int(p[2])
                mine[b2] = 1
                changed |= changing[b2]
                let e2 = table[Int(e1) &+ Int(classes[b2])]
                if e2 >= Self.hasOutputs {
                    p += 3
                    s = reached(e2, room: p - start, whole: &whole, piece: &hits)
                    continue
                }
                let b3 = Int(p[3])
                mine[b3] = 1
                changed |= changing[b3]
                let e3 = table[Int(e2) &+ Int(classes[b3])]
                p += 4
                if e3 >= Self.hasOutputs {
                    s = reached(e3, room: p - start, whole: &whole, piece: &hits)
                    continue
                }
                s = Int(e3)
            }
            // The last zero to three bytes.
            let rest = end - p
            if rest & 2 != 0 {
                let b0 = Int(p[0])
                mine[b0] = 1
                changed |= changing[b0]
                let e0 = table[s &+ Int(classes[b0])]
                s = e0 < Self.hasOutputs ? Int(e0) : reached(e0, room: p + 1 - start, whole: &whole, piece: &hits)
                let b1 = Int(p[1])
                mine[b1] = 1
                changed |= changing[b1]
                let e1 = table[s &+ Int(classes[b1])]
                p += 2
                s = e1 < Self.hasOutputs ? Int(e1) : reached(e1, room: p - start, whole: &whole, piece: &hits)
            }
            if rest & 1 != 0 {
                let b0 = Int(p[0])
                mine[b0] = 1
                changed |= changing[b0]
                let e0 = table[s &+ Int(classes[b0])]
                p += 1
                s = e0 < Self.hasOutputs ? Int(e0) : reached(e0, room: p - start, whole: &whole, piece: &hits)
            }
            let unchanged = end > start
                ? TransformationIdentity.judgedByBytes & ~changed : TransformationIdentity.unchangedWhenEmpty
            let j = Int(piece.pointee.slot &>> 1)
            scratch.memos[group][j] = unchanged
            scratch.unchangedOf[group] &= unchanged
            if !exactBytes && hits.low | hits.high == 0 {
                // No filter reads its bytes: "any byte".
                scratch.summaries[group][j] = RequestCache.ValueSummary(bytes: ByteSet.all, literals: Hits())
            } else {
                let bytes = UnsafeRawBufferPointer(start: start, count: end - start)
                if group == 0 {
                    Self.finish(scratch.summaries[0] + j, hits, bytes, &groups.0)
                } else {
                    Self.finish(scratch.summaries[1] + j, hits, bytes, &groups.1)
                }
                hits = Hits()
            }
        }
        gap(to: base + length)
        return whole
    }

    /// What reaching the state of `entry` (it has outputs) adds: all of them to the whole text's
    /// hits; to the current piece's, those of the deepest state that fits in the `room` bytes
    /// the piece has so far (none in a gap: `room` 0). Returns the state's offset (the scan's
    /// next `s`).
    @inline(never)
    func reached(_ entry: UInt32, room: Int, whole: inout Hits, piece: inout Hits) -> Int {
        let s = Int(entry & ~Self.hasOutputs)
        var t = s / classCount
        whole.low |= outLow[t]
        whole.high |= outHigh[t]
        let fits = Int32(truncatingIfNeeded: room)
        while depth[t] > fits { t = Int(fail[t]) }
        piece.low |= outLow[t]
        piece.high |= outHigh[t]
        return s
    }

    /// A piece whose bytes a filter may read: its own bytes, and its hits to its group's.
    @inline(never)
    private static func finish(_ summary: UnsafeMutablePointer<RequestCache.ValueSummary>, _ hits: Hits,
                               _ bytes: UnsafeRawBufferPointer, _ group: inout LiteralScreen.GroupTotal) {
        summary.pointee = RequestCache.ValueSummary(bytes: ByteSet(of: bytes), literals: hits)
        group.summary.literals.low |= hits.low
        group.summary.literals.high |= hits.high
    }

    /// The bytes whose entries in the 256 flags (each 0 or 1) at `seen` are set.
    @inline(__always)
    static func fold(_ seen: UnsafeMutablePointer<UInt8>) -> ByteSet {
        let flags = UnsafeRawPointer(seen)
        @inline(__always) func word(_ w: Int) -> UInt64 {
            var bits: UInt64 = 0
            for j in 0..<8 {
                // Eight flags of 0 or 1 as one word (flag `n` in byte `n`); the multiply gathers
                // flag `n` into bit 56 + n (checked for all 256 patterns by the tests).
                let eight = UInt64(littleEndian: flags.loadUnaligned(fromByteOffset: 64 &* w &+ 8 &* j,
                                                                     as: UInt64.self))
                bits |= ((eight &* 0x0102_0408_1020_4080) &>> 56) &<< UInt64(8 &* j)
            }
            return bits
        }
        return ByteSet(words: (word(0), word(1), word(2), word(3)))
    }
}
