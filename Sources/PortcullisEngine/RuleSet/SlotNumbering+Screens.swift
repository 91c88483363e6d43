/// The screens that are not a regex's own: string operators (`NeedleScreen`) and checks over
/// `base64_decode` (`Base64Preimage`).
extension SlotNumbering {
    /// Gives each string-operator check the literal screen and a byte prefilter when every chain
    /// slot it reads is also read by a check that screens: those values are summarized anyway,
    /// while summarizing them for a string operator alone would cost more than its search.
    ///
    /// Runs once every check is numbered, so the regex and phrase checks have taken the screen's
    /// bits first; a check left without a bit (the screen is full) still has its prefilter.
    mutating func screenStringChecks() {
        var summarized = [Bool](repeating: false, count: chainPrograms.count)
        for info in checkInfo where info.screens {
            for t in Int(info.firstTarget)..<Int(info.endTarget) { summarized[Int(checkTargets[t].chain)] = true }
        }
        var sized: [(check: Int, shortest: Int)] = []
        for index in checkInfo.indices where !checkInfo[index].screens {
            let info = checkInfo[index]
            let anyway = (Int(info.firstTarget)..<Int(info.endTarget)).allSatisfy({ summarized[Int(checkTargets[$0].chain)] })
            // A size check with a length preimage is mostly decided before its target is read;
            // where another check read it first, its summary (often made anyway: the query's for
            // the uri) rules it out by length instead of a run of the operator.
            var lengthOnly = false
            if !anyway, info.preimage >= 0, case .length = preimages[Int(info.preimage)] { lengthOnly = true }
            guard anyway || lengthOnly else { continue }
            if let shortest = Self.shortestMatch(ofSize: checks[index].op) {
                // A size check: values shorter than it can match are ruled out by length.
                checkInfo[index].firstFilter = Int32(filters.count)
                filters.append(RegexPrefilter(minLength: shortest, start: nil, required: nil))
                checkInfo[index].endFilter = Int32(filters.count)
                if anyway { sized.append((index, shortest)) }
                continue
            }
            guard anyway else { continue }
            guard let literals = NeedleScreen.literals(of: checks[index].op),
                  let filter = NeedleScreen.prefilter(of: checks[index].op) else { continue }
            checkInfo[index].firstFilter = Int32(filters.count)
            filters.append(filter)
            checkInfo[index].endFilter = Int32(filters.count)
            if let bit = screenBit(literals) {
                checkInfo[index].screenBit = Int32(bit)
                checkInfo[index].screenLow = bit < 64 ? UInt64(1) << UInt64(bit) : 0
                checkInfo[index].screenHigh = bit >= 64 ? UInt64(1) << UInt64(bit - 64) : 0
                // With its bit, the check is decided with the others once its slots are resolved.
                checkInfo[index].chainsMasked = (Int(info.firstTarget)..<Int(info.endTarget))
                    .allSatisfy { Int(checkTargets[$0].chain) < ChainBits.capacity }
            }
        }
        screenSizeChecks(sized)
    }

    /// The length bit in `LiteralScreen.Hits.high`: the screen's last bit (127), when no literal
    /// set has it.
    static let lengthBit: UInt64 = 1 << 63

    /// Gives the `size` checks with a length prefilter (`sized`, with the shortest value each can
    /// match) the screen's last bit when it is unused, the length bit: resolving a slot whose
    /// summarized entry's longest value reaches `lengthFloor` (the least of their shortest
    /// lengths) adds it to the request's candidates for the size checks reading the slot
    /// (`Inspector.resolve`, `resolveAll`), as a literal hit would. A size check none of whose
    /// slots holds a value that long is then decided in bulk (`Inspector.ruledOut`) instead of
    /// walked. The automaton never reports the bit and no summary holds it: the checks keep
    /// `screenBit` -1, so a walk still judges each value by its length alone. Nothing changes
    /// when the screen has no bit left.
    mutating func screenSizeChecks(_ sized: [(check: Int, shortest: Int)]) {
        guard !sized.isEmpty, screenLiterals.count < LiteralScreen.capacity else { return }
        let low: UInt64 = 0, high = Self.lengthBit
        for (index, shortest) in sized {
            let info = checkInfo[index]
            guard !info.negated,
                  (Int(info.firstTarget)..<Int(info.endTarget)).allSatisfy({
                      Int(checkTargets[$0].chain) < ChainBits.capacity
                  }) else { continue }
            checkInfo[index].screenLow = low
            checkInfo[index].screenHigh = high
            checkInfo[index].chainsMasked = true
            lengthFloor = min(lengthFloor, shortest)
        }
    }

    /// The shortest value a `size` check with a lower bound can match (`size > 8192`: 8193);
    /// nil for other operators and for bounds every value meets.
    static func shortestMatch(ofSize op: any MatchOperator) -> Int? {
        guard let size = op as? SizeOperator else { return nil }
        let shortest: Int
        switch size.comparison {
        case .gt:
            let (next, overflow) = size.bound.addingReportingOverflow(1)
            guard !overflow else { return nil }
            shortest = next
        case .ge, .eq: shortest = size.bound
        case .ne, .lt, .le: return nil
        }
        return shortest > 0 ? shortest : nil
    }

    /// The preimage filter of a check whose chain is exactly `[base64_decode]` (its raw values
    /// are what the decoder reads), from the literals any match must contain: a string
    /// operator's needle in its own case mode, a regex's or the phrases' required literals
    /// (folded, so either case) — those only when the check has its screen bit
    /// (`screenedSets`: the sets that have one), so a regex is skipped exactly where the screen
    /// would skip it on the decoded values (a regex that ran could hit its match limit). Other
    /// chains of steps that only keep, drop or case-map bytes unless an escape byte is present
    /// get a `BytePreimage` over the same sets. A `size` check with a lower bound over raw
    /// values of targets the request bounds in length gets a length preimage.
    static func preimage(of check: Check, screenedSets: [Set<[UInt8]>]) -> ValuePreimage? {
        if check.transforms.isEmpty, let shortest = shortestMatch(ofSize: check.op),
           check.targets.allSatisfy({ RequestView.boundsLength(of: $0.kind) }) {
            // `size > 8192` on `query`: no query shorter than that is read for it.
            return .length(shortest)
        }
        if check.transforms == [.base64Decode] {
            if let needle = NeedleScreen.needle(of: check.op) {
                return Base64Preimage(literals: [needle.bytes], caseInsensitive: needle.caseInsensitive).map { .base64($0) }
            }
            guard let first = screenedSets.first else { return nil }
            return Base64Preimage(literals: first, caseInsensitive: true).map { .base64($0) }
        }
        guard !screenedSets.isEmpty else { return nil }
        return BytePreimage(chain: check.transforms, literalSets: screenedSets).map { .bytes($0) }
    }
}
