/// One phase's rules as bit sets (64 rules a chunk), so the rules that bits alone rule out
/// (`Inspector.ruledOut`) are found for all of them at once, from what the request has resolved,
/// instead of by a test per rule: the rule loop visits only the others.
///
/// Per chunk, the rules whose condition is one check, not negated:
/// - `screened`: the check has its screen bits (one or two) and every chain slot a bit. It is
///   ruled out when all its chain slots are resolved and one of its bits is not a candidate.
///   So a rule is kept when it reads a chain slot not resolved (`chainRules`, by slot), or when
///   its first and its second bit are both candidates (`firstBitRules`, `secondBitRules`, by
///   screen bit; a check with one bit has it as both).
/// - `targeted`: the check is not screened and every target slot of it has a bit. It is ruled
///   out when all its target slots are read and absent; kept when it reads a target not read or
///   present (`targetRules`). (A screened check whose targets are all absent is ruled out as
///   screened: `Inspector.resolveAll` resolved their chain slots before the rules run.)
/// Other rules (several checks, `not`, labels, a negated check) are always visited.
///
/// What is found per request costs a load and an OR per unresolved chain slot, per candidate bit
/// and per target not known absent, among those the phase's rules read. In flat memory read
/// without reference counting (`PlanTables` frees it with the plan).
struct RuleMasks: @unchecked Sendable {
    struct Chunk: Sendable {
        var screened: UInt64 = 0
        var targeted: UInt64 = 0
    }

    let chunks: UnsafePointer<Chunk>
    /// `chainRules[chunk * ChainBits.capacity + slot]`: the screened rules reading chain `slot`.
    let chainRules: UnsafePointer<UInt64>
    /// `…[chunk * 128 + bit]`: the screened rules whose first (second) screen bit is `bit`.
    let firstBitRules: UnsafePointer<UInt64>
    let secondBitRules: UnsafePointer<UInt64>
    /// `targetRules[chunk * TargetBits.capacity + slot]`: the targeted rules reading target `slot`.
    let targetRules: UnsafePointer<UInt64>
    /// What the screened rules read (chain slots, screen bits) and the targeted ones (target
    /// slots), over all chunks: only these are looked at per request.
    let chains: ChainBits
    let bits: LiteralScreen.Hits
    let targets: TargetBits

    /// The masks of the rules whose single check (or -1) is `singles[r]`, with the checks' flat
    /// information `checks`.
    init(singles: [Int32], checks: [CheckInfo]) {
        let count = (singles.count + 63) / 64
        var chunks = [Chunk](repeating: Chunk(), count: count)
        var chainRules = [UInt64](repeating: 0, count: count * ChainBits.capacity)
        var firstBitRules = [UInt64](repeating: 0, count: count * 128)
        var secondBitRules = [UInt64](repeating: 0, count: count * 128)
        var targetRules = [UInt64](repeating: 0, count: count * TargetBits.capacity)
        var chains = ChainBits()
        var bits = LiteralScreen.Hits()
        var targets = TargetBits()
        for (r, single) in singles.enumerated() where single >= 0 {
            let info = checks[Int(single)]
            guard !info.negated else { continue }
            let chunk = r / 64
            let bit = UInt64(1) << UInt64(r % 64)
            let screenBits = Self.bits(of: info)
            let screened = info.chainsMasked && !screenBits.isEmpty && screenBits.count <= 2
            if screened, let first = screenBits.first {
                chunks[chunk].screened |= bit
                for slot in 0..<ChainBits.capacity where info.chainBits.contains(slot) {
                    chainRules[chunk * ChainBits.capacity + slot] |= bit
                }
                chains.formUnion(info.chainBits)
                firstBitRules[chunk * 128 + first] |= bit
                secondBitRules[chunk * 128 + (screenBits.last ?? first)] |= bit
                bits.low |= info.screenLow
                bits.high |= info.screenHigh
            }
            // A screened check whose targets are all absent has its chain slots resolved, by the
            // phase's bulk pass, and none adds a candidate: it is ruled out as screened.
            if info.masked && !screened {
                chunks[chunk].targeted |= bit
                for slot in 0..<TargetBits.capacity where info.targetBits.contains(slot) {
                    targetRules[chunk * TargetBits.capacity + slot] |= bit
                }
                targets.formUnion(info.targetBits)
            }
        }
        self.chunks = PlanTables.copy(chunks)
        self.chainRules = PlanTables.copy(chainRules)
        self.firstBitRules = PlanTables.copy(firstBitRules)
        self.secondBitRules = PlanTables.copy(secondBitRules)
        self.targetRules = PlanTables.copy(targetRules)
        self.chains = chains
        self.bits = bits
        self.targets = targets
    }

    /// The screen bits of `info`, in order.
    private static func bits(of info: CheckInfo) -> [Int] {
        (0..<64).filter { info.screenLow & (1 << UInt64($0)) != 0 }
            + (0..<64).filter { info.screenHigh & (1 << UInt64($0)) != 0 }.map { $0 + 64 }
    }

    /// The rules of chunk `chunk` (`count` of them) that bits alone do not rule out, given
    /// what `cache` has resolved: bit `r` for its rule `r`.
    @inline(__always)
    func live(chunk: Int, count: Int, _ cache: RequestCache) -> UInt64 {
        let all = count >= 64 ? UInt64.max : (1 &<< UInt64(count)) &- 1
        let masks = chunks[chunk]
        var unresolved: UInt64 = 0
        let chainBase = chainRules + chunk &* ChainBits.capacity
        Self.forEach(chains.w0 & ~cache.resolved.w0, 0) { unresolved |= chainBase[$0] }
        Self.forEach(chains.w1 & ~cache.resolved.w1, 64) { unresolved |= chainBase[$0] }
        Self.forEach(chains.w2 & ~cache.resolved.w2, 128) { unresolved |= chainBase[$0] }
        Self.forEach(chains.w3 & ~cache.resolved.w3, 192) { unresolved |= chainBase[$0] }
        var first: UInt64 = 0
        var second: UInt64 = 0
        let firstBase = firstBitRules + chunk &* 128, secondBase = secondBitRules + chunk &* 128
        Self.forEach(bits.low & cache.candidates.low, 0) {
            first |= firstBase[$0]
            second |= secondBase[$0]
        }
        Self.forEach(bits.high & cache.candidates.high, 64) {
            first |= firstBase[$0]
            second |= secondBase[$0]
        }
        var open: UInt64 = 0
        let targetBase = targetRules + chunk &* TargetBits.capacity
        Self.forEach(targets.low & (~cache.known.low | cache.present.low), 0) { open |= targetBase[$0] }
        Self.forEach(targets.high & (~cache.known.high | cache.present.high), 64) { open |= targetBase[$0] }
        let ruledOut = masks.screened & ~unresolved & ~(first & second) | masks.targeted & ~open
        return all & ~ruledOut
    }

    /// `body` for each set bit of `word`, as its position plus `base`.
    @inline(__always)
    private static func forEach(_ word: UInt64, _ base: Int, _ body: (Int) -> Void) {
        var word = word
        while word != 0 {
            body(base &+ word.trailingZeroBitCount)
            word &= word &- 1
        }
    }

    func deallocate() {
        chunks.deallocate()
        chainRules.deallocate()
        firstBitRules.deallocate()
        secondBitRules.deallocate()
        targetRules.deallocate()
    }
}
