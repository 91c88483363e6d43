/// One pass of the literal screen over a text (a form body) that also summarizes pieces of it (its
/// arguments' names and values) as if each were scanned alone.
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
        // Three 256-entry tables of "seen" flags: bytes outside every piece, then each group's.
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 96) { words in
            words.initialize(repeating: 0)
            let seen = UnsafeMutableRawPointer(words.baseAddress!).assumingMemoryBound(to: UInt8.self)
            return TransformationIdentity.changing.withUnsafeBufferPointer { changing in
                scan(base, text.count, pieces, exactBytes, outputs, &groups, seen, changing.baseAddress!)
            }
        }
    }

    @inline(__always)
    private func scan(_ base: UnsafePointer<UInt8>, _ length: Int, _ pieces: UnsafeBufferPointer<LiteralScreen.Piece>,
                      _ exactBytes: Bool, _ outputs: (LiteralScreen.PieceOutput, LiteralScreen.PieceOutput),
                      _ groups: inout (LiteralScreen.GroupTotal, LiteralScreen.GroupTotal),
                      _ seen: UnsafeMutablePointer<UInt8>, _ changing: UnsafePointer<UInt64>) -> RequestCache.ValueSummary {
        // Locals, so the loops keep them in registers.
        let classes = classes, table = table, count = classCount
        var whole = Hits()
        var s = 0
        var p = base
        // What the state reached at `p` (after its byte) adds to the whole text's hits; returns it.
        @inline(__always) func reached(_ entry: UInt32) -> Int {
            s = Int(entry & ~Self.hasOutputs)
            let state = s / count
            whole.low |= outLow[state]
            whole.high |= outHigh[state]
            return state
        }
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
                    _ = reached(entry)
                }
            }
        }
        for k in pieces.indices {
            let piece = pieces[k]
            gap(to: base + piece.range.lowerBound)
            let group = Int(piece.slot & 1)
            let mine = seen + 256 &* (group &+ 1)
            let start = p
            let end = base + piece.range.upperBound
            let output = group == 0 ? outputs.0 : outputs.1
            let j = Int(piece.slot &>> 1)
            // The piece's hits gather in its summary (in memory: outputs are rare, and registers
            // are for the loop).
            let summary = output.summaries + j
            summary.pointee.literals = Hits()
            var changed: UInt64 = 0
            while p < end {
                // Four, then two bytes a round while no state on the way has outputs: marking a
                // byte and OR-ing its bits are idempotent, so a round cut short by outputs leaves
                // its bytes to the one-byte step below.
                while p + 3 < end {
                    let b0 = Int(p[0]), b1 = Int(p[1]), b2 = Int(p[2]), b3 = Int(p[3])
                    mine[b0] = 1
                    mine[b1] = 1
                    mine[b2] = 1
                    mine[b3] = 1
                    changed |= changing[b0] | changing[b1] | changing[b2] | changing[b3]
                    let e0 = table[s &+ Int(classes[b0])]
                    if e0 >= Self.hasOutputs { break }
                    let e1 = table[Int(e0) &+ Int(classes[b1])]
                    if e1 >= Self.hasOutputs {
                        s = Int(e0)
                        p += 1
                        break
                    }
                    let e2 = table[Int(e1) &+ Int(classes[b2])]
                    if e2 >= Self.hasOutputs {
                        s = Int(e1)
                        p += 2
                        break
                    }
                    let e3 = table[Int(e2) &+ Int(classes[b3])]
                    if e3 >= Self.hasOutputs {
                        s = Int(e2)
                        p += 3
                        break
                    }
                    s = Int(e3)
                    p += 4
                }
                while p + 1 < end {
                    let b0 = Int(p[0]), b1 = Int(p[1])
                    mine[b0] = 1
                    mine[b1] = 1
                    changed |= changing[b0] | changing[b1]
                    let e0 = table[s &+ Int(classes[b0])]
                    if e0 >= Self.hasOutputs { break }
                    let e1 = table[Int(e0) &+ Int(classes[b1])]
                    if e1 >= Self.hasOutputs {
                        s = Int(e0)
                        p += 1
                        break
                    }
                    s = Int(e1)
                    p += 2
                }
                guard p < end else { break }
                let b = Int(p.pointee)
                mine[b] = 1
                changed |= changing[b]
                let entry = table[s &+ Int(classes[b])]
                p += 1
                if entry < Self.hasOutputs {
                    s = Int(entry)
                    continue
                }
                var t = reached(entry)
                let room = Int32(truncatingIfNeeded: p - start)
                while depth[t] > room { t = Int(fail[t]) }
                summary.pointee.literals.low |= outLow[t]
                summary.pointee.literals.high |= outHigh[t]
            }
            let unchanged = end > start
                ? TransformationIdentity.judgedByBytes & ~changed : TransformationIdentity.unchangedWhenEmpty
            output.unchanged[j] = unchanged
            let hits = summary.pointee.literals
            // Its own bytes where a filter may read them, else "any byte".
            summary.pointee.bytes = exactBytes || hits.low | hits.high != 0
                ? ByteSet(of: UnsafeRawBufferPointer(start: start, count: end - start)) : ByteSet.all
            if group == 0 {
                groups.0.summary.literals.low |= hits.low
                groups.0.summary.literals.high |= hits.high
                groups.0.unchanged &= unchanged
            } else {
                groups.1.summary.literals.low |= hits.low
                groups.1.summary.literals.high |= hits.high
                groups.1.unchanged &= unchanged
            }
        }
        gap(to: base + length)
        let names = Self.fold(seen + 256)
        let values = Self.fold(seen + 512)
        groups.0.summary.bytes.formUnion(names)
        groups.1.summary.bytes.formUnion(values)
        var bytes = Self.fold(seen)
        bytes.formUnion(names)
        bytes.formUnion(values)
        return RequestCache.ValueSummary(bytes: bytes, literals: whole)
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
