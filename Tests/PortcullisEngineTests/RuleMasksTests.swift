@testable import PortcullisEngine
import Testing

/// `RuleMasks.live` rules out, for all of a phase's rules at once, exactly the one-check rules a
/// test per rule (`Inspector.ruledOut`) rules out by its screen clause (every chain slot
/// resolved, a screen bit not a candidate), or, for an unscreened check, by its target clause
/// (every target read and absent); never a rule that test keeps. Checked on the default rules
/// over random resolution states.
@Suite struct RuleMasksTests {
    static func screenClause(_ info: CheckInfo, _ cache: RequestCache) -> Bool {
        info.chainBits.isSubset(of: cache.resolved)
            && (cache.candidates.low & info.screenLow != info.screenLow
                || cache.candidates.high & info.screenHigh != info.screenHigh)
    }

    static func randomBits(_ rng: inout OperatorTestRNG, density: UInt64) -> UInt64 {
        var word: UInt64 = 0
        for bit in 0..<64 where rng.next() % 100 < density { word |= 1 << UInt64(bit) }
        return word
    }

    @Test func liveRulesAreThoseATestPerRuleKeeps() throws {
        let set = try EmbeddedRules.load()
        let plan = set.plan
        var rng = OperatorTestRNG(seed: 0x5EED_0007)
        var ruledOutByMasks = 0
        var kept = 0
        for trial in 0..<3_000 {
            var cache = RequestCache()
            let resolved: UInt64 = [30, 80, 97, 100][trial % 4]
            cache.resolved = ChainBits(w0: Self.randomBits(&rng, density: resolved),
                                       w1: Self.randomBits(&rng, density: resolved),
                                       w2: Self.randomBits(&rng, density: resolved),
                                       w3: Self.randomBits(&rng, density: resolved))
            let candidates: UInt64 = [2, 10, 40][trial % 3]
            cache.candidates = LiteralScreen.Hits(low: Self.randomBits(&rng, density: candidates),
                                                  high: Self.randomBits(&rng, density: candidates))
            cache.known = TargetBits(low: Self.randomBits(&rng, density: 90), high: Self.randomBits(&rng, density: 90))
            cache.present = TargetBits(low: cache.known.low & Self.randomBits(&rng, density: 30),
                                       high: cache.known.high & Self.randomBits(&rng, density: 30))
            for (phase, rules) in [(0, plan.headerRules), (1, plan.bodyRules)] {
                let masks = plan.flat.ruleMasks[phase]
                for base in stride(from: 0, to: rules.count, by: 64) {
                    let count = min(64, rules.count - base)
                    let live = masks.live(chunk: base / 64, count: count, cache)
                    #expect(live >> UInt64(count) == 0 || count == 64)
                    for k in 0..<count {
                        let single = rules[base + k].singleCheck
                        let out = live & (1 << UInt64(k)) == 0
                        guard single >= 0 else {
                            #expect(!out, "rule \(rules[base + k].rule.id) has no single check")
                            continue
                        }
                        let info = plan.flat.checks[single]
                        if out {
                            ruledOutByMasks += 1
                            #expect(!info.negated && Inspector.ruledOut(info, cache), "rule \(rules[base + k].rule.id)")
                        } else {
                            kept += 1
                        }
                        if !info.negated && info.chainsMasked {
                            #expect(out == Self.screenClause(info, cache), "rule \(rules[base + k].rule.id)")
                        } else if !info.negated && info.masked {
                            #expect(out == Inspector.ruledOut(info, cache), "rule \(rules[base + k].rule.id)")
                        }
                    }
                }
            }
        }
        // Both outcomes were seen often.
        #expect(ruledOutByMasks > 10_000 && kept > 10_000)
    }
}
