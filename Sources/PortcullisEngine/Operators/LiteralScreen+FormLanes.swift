/// The form's pass in two lanes: a long body is split just after an `&` near its middle and
/// both halves are walked in one loop, a byte of each per round.
///
/// Why: the automaton step is one dependent chain per byte (the next table index is the entry
/// just loaded), so a single walk runs at the latency of a load, not at the rate the processor
/// can issue its instructions; two chains that do not depend on each other overlap.
///
/// Why it is exact: the automaton's state after a text is its longest suffix that is a state.
/// Just after an `&` that state stands for at most `separatorDepth` bytes, so the second lane,
/// started at the root that many bytes before the split (those bytes walked without recording
/// anything), is at the split in the state the single walk would be in. And just after an `&`
/// the single walk's cut (`FormCut`) is at the start of a name (or past the `limit`), its
/// piece's hits, bits and escapes empty, having cut as many arguments as
/// `URLEncodedArguments.shape` counts before the split (at most `limit`): the second lane's cut
/// starts there. Each lane writes its own arguments' outputs and sets the shared "seen" flags;
/// the totals (literal hits, group unions and memos, longest lengths, escapes) are joined after.
extension LiteralScreen.Tables {
    /// Shortest form body walked in lanes: below it, finding the split and joining the lanes
    /// costs more than the overlap saves.
    static let formLaneMinimum = 512

    /// Where to split a form body of `length` bytes at `base` into two lanes: the offset just
    /// after the `&` nearest its middle, or nil when the body is shorter than `laneMinimum` or
    /// has no `&` that leaves each lane a quarter of it.
    static func formSplit(_ base: UnsafePointer<UInt8>, _ length: Int, laneMinimum: Int) -> Int? {
        guard length >= laneMinimum, length >= 4 else { return nil }
        let middle = length / 2
        let quarter = length / 4
        let ampersand = UInt8(Self.ampersand)
        // The first `&` from the middle on that leaves the second lane a quarter (memchr), and
        // the last before the middle that leaves the first lane one and is nearer the middle
        // (a tie goes to the first: the scan back stops where it would).
        let after = ByteScan.first(ampersand, base, from: middle, to: length &- quarter)
        let floor = after < length &- quarter ? max(quarter, middle &- (after &- middle) &+ 1) : quarter
        var before = middle &- 1
        while before >= floor && base[before] != ampersand { before &-= 1 }
        let hasBefore = before >= floor
        if hasBefore { return before &+ 1 }
        return after < length &- quarter ? after &+ 1 : nil
    }

    /// The pass over the `length` bytes at `base` in two lanes split at `lanes.offset` (just
    /// after an `&`, both lanes non-empty, `lanes.before` arguments before it): `cut` (the first
    /// lane's, set at the text's start) ends with what a single walk's cut would hold.
    @inline(__always)
    func scanFormInLanes(_ base: UnsafePointer<UInt8>, _ length: Int, _ lanes: FormSplit, _ cut: inout FormCut,
                         _ changing: UnsafePointer<UInt64>) {
        let split = lanes.offset, before = lanes.before
        let limit = cut.limit
        var later = FormCut(self, cut.seen, base + split, argument: limit >= 0 ? min(before, limit) : before,
                            limit: limit, capacity: cut.capacity, exactBytes: cut.exactBytes, cut.outputs)
        let first = later.argument
        // Locals, so the loop keeps them in registers.
        let classes = classes, table = table, floor = separatorFloor
        // The second lane's state at the split, from the bytes just before it.
        var sB = 0
        var w = base + max(0, split &- separatorDepth)
        let splitPoint = base + split
        while w < splitPoint {
            sB = Int(table[sB &+ Int(classes[Int(w[0])])] & ~Self.hasOutputs)
            w += 1
        }
        // Both lanes a byte a round while the shorter has bytes; a round in which either
        // reaches the floor is finished here, with the cuts' steps.
        let rounds = min(split, length &- split)
        var lanes = FormLanes(classes: classes, table: table, floor: floor, a: base + rounds, b: splitPoint + rounds,
                              i: -rounds, sB: sB, mineA: cut.table, mineB: later.table)
        while lanes.walk() {
            let after = lanes.i
            if lanes.eA >= floor {
                (lanes.sA, lanes.changedA, lanes.mineA) = cut.stepInline(lanes.eA, lanes.bA, lanes.a + after, lanes.changedA,
                                                                   lanes.mineA, changing)
            } else {
                lanes.mineA[lanes.bA] = 1
                lanes.changedA |= changing[lanes.bA]
                lanes.sA = Int(lanes.eA)
            }
            if lanes.eB >= floor {
                (lanes.sB, lanes.changedB, lanes.mineB) = later.stepInline(lanes.eB, lanes.bB, lanes.b + after, lanes.changedB,
                                                                     lanes.mineB, changing)
            } else {
                lanes.mineB[lanes.bB] = 1
                lanes.changedB |= changing[lanes.bB]
                lanes.sB = Int(lanes.eB)
            }
        }
        let pA = lanes.a, pB = lanes.b, sA = lanes.sA, changedA = lanes.changedA, mineA = lanes.mineA
        sB = lanes.sB
        let changedB = lanes.changedB, mineB = lanes.mineB
        // The longer lane's rest alone.
        scanForm(pA, splitPoint, sA, changedA, mineA, &cut, changing)
        scanForm(pB, base + length, sB, changedB, mineB, &later, changing)
        precondition(cut.argument == first, "the form's lanes disagree at their split")
        cut.append(later)
    }
}

/// Where the form's pass splits a body into two lanes (`offset`, just after an `&`) and how
/// many arguments lie before the split (`before`, not limited): found with the body's argument
/// count (`RequestView.FormShape`), in the same pass over its bytes, so the lanes need not
/// count the first half again to number the second lane's arguments.
struct FormSplit: Equatable {
    let offset: Int
    let before: Int
}

extension RequestView.FormShape {
    /// The shape of the urlencoded `length` bytes at `base`: their arguments (at most `limit`;
    /// negative: no limit) as `URLEncodedArguments.shape` counts them, and where the form's
    /// pass splits them into lanes (none below `laneMinimum` bytes). Each half is counted on its
    /// own: an argument starts at a byte that is not `&` and is first or follows an `&`, and
    /// the split follows an `&`, so the halves' counts add up to the whole's.
    init(_ base: UnsafePointer<UInt8>, count length: Int, limit: Int,
         laneMinimum: Int = LiteralScreen.Tables.formLaneMinimum) {
        self.init()
        guard let offset = LiteralScreen.Tables.formSplit(base, length, laneMinimum: laneMinimum) else {
            (count, overflow) = URLEncodedArguments.shape(base, count: length, limit: limit)
            return
        }
        let before = URLEncodedArguments.shape(base, count: offset, limit: -1).arguments
        let after = URLEncodedArguments.shape(base + offset, count: length &- offset, limit: -1).arguments
        let total = before &+ after
        overflow = limit >= 0 && total > limit
        count = overflow ? limit : total
        split = FormSplit(offset: offset, before: before)
    }
}

/// The registers of the form pass's two lanes, and the loop that walks them together: a
/// function of its own, so the loop has every register (no call inside it) and the cuts' steps
/// are made between its runs.
struct FormLanes {
    let classes: UnsafePointer<UInt8>
    let table: UnsafePointer<UInt32>
    let floor: UInt32
    /// Where each lane's rounds end: a round reads `a[i]` and `b[i]`, `i` counting up to 0.
    let a: UnsafePointer<UInt8>
    let b: UnsafePointer<UInt8>
    var i: Int
    var sA = 0
    var sB: Int
    var changedA: UInt64 = 0
    var changedB: UInt64 = 0
    var mineA: UnsafeMutablePointer<UInt8>
    var mineB: UnsafeMutablePointer<UInt8>
    /// The round `walk` stopped at: each lane's byte and entry (not yet taken in).
    var bA = 0
    var bB = 0
    var eA: UInt32 = 0
    var eB: UInt32 = 0

    /// Walks rounds until one in which a lane's entry is at or above the floor (true: that
    /// round's bytes and entries are in `bA`, `eA`, `bB`, `eB`, `i` is past it) or until the
    /// rounds are done (false).
    @inline(never)
    mutating func walk() -> Bool {
        TransformationIdentity.changing.withUnsafeBufferPointer { changing in
            let changing = changing.baseAddress!
            // Locals, so the loop keeps them in registers.
            let classes = classes, table = table, floor = floor, a = a, b = b
            var i = i, sA = sA, sB = sB, changedA = changedA, changedB = changedB
            let mineA = mineA, mineB = mineB
            // One round: false when either lane reached the floor (the round kept for the caller).
            @inline(__always) func round() -> Bool {
                let bA = Int(a[i])
                let bB = Int(b[i])
                // The byte's column first (it does not wait for the state), so the state's
                // chain is one load a byte.
                let eA = (table + Int(classes[bA]))[sA]
                let eB = (table + Int(classes[bB]))[sB]
                i &+= 1
                if eA >= floor || eB >= floor {
                    (self.bA, self.bB, self.eA, self.eB) = (bA, bB, eA, eB)
                    return false
                }
                mineA[bA] = 1
                changedA |= changing[bA]
                sA = Int(eA)
                mineB[bB] = 1
                changedB |= changing[bB]
                sB = Int(eB)
                return true
            }
            var ended = false
            // Two rounds a turn, then the odd one.
            while i < -1 {
                if !round() || !round() {
                    ended = true
                    break
                }
            }
            if !ended && i < 0 && !round() { ended = true }
            (self.i, self.sA, self.sB, self.changedA, self.changedB) = (i, sA, sB, changedA, changedB)
            return ended
        }
    }
}
