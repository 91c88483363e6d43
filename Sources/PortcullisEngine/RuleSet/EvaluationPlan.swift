/// A rule set laid out for evaluation: every distinct target and every distinct (target,
/// transformation chain) pair read by some check gets a slot number, so the per-request caches
/// (`RequestCache`) are arrays indexed by slot instead of dictionaries keyed by hashed selectors
/// and chains.
///
/// What the per-check loop reads for every check of every request — which slots a check reads,
/// its literal-screen bit and regex prefilters — sits in flat tables of plain values
/// (`PlanTables`), so deciding that a check cannot match a request touches no reference counts.
/// What only matters once a value must really be tested (the operator, selectors, exclusions)
/// stays in `CheckProgram`.
///
/// Built once per `CompiledRuleSet`, immutable and shared by every event loop.
struct EvaluationPlan: Sendable {
    let headerRules: [RuleProgram]
    let bodyRules: [RuleProgram]
    /// Every check, by the index its `ConditionProgram.check` names.
    let checks: [CheckProgram]
    /// The selector of each target slot.
    let targets: [TargetSelector]
    /// Each chain slot's transformations (empty for a target's raw slot).
    let chains: [ChainProgram]
    /// Target and chain slots over targets that read the body.
    let bodyTargets: [Int]
    let bodyChains: [Int]
    /// `bodyTargets` as bits (those below the capacity).
    let bodyTargetBits: TargetBits
    /// Some header-phase rule reads the body (only rules made by hand can: compiled rules that
    /// read it run in the body phase). Otherwise the body slots are untouched until a body phase
    /// runs, and the first body phase has nothing of the body to forget.
    let headerReadsBody: Bool
    /// Some target reads `body.args` or `body.arg_names`: their raw values (and the body's) are
    /// then summarized in one pass over the body (`flat.pieceRoles`).
    let readsBodyPieces: Bool
    /// Some check reads `body.args` or `body.arg_names` through a byte filter (`RegexPrefilter`
    /// start or required bytes) without a literal-screen bit: then every piece of that pass
    /// needs its own byte set, not only those with screen hits.
    let exactPieceBytes: Bool
    /// `bodyChains` as bits (those below the capacity).
    let bodyChainBits: ChainBits
    /// What each phase resolves before its rules run: the targets read by its screened checks
    /// (`CheckInfo.chainsMasked`) and their chain slots, in the order the rules first read them
    /// (ranges of `flat.screenTargets`).
    let headerScreen: Range<Int>
    let bodyScreen: Range<Int>
    /// The required literals of regex checks, looked for in one pass per value; nil when no
    /// check has any.
    let screen: LiteralScreen?
    /// The filters on raw values' bytes of checks whose chain is `[base64_decode]`
    /// (`Base64Preimage`) or only keeps, drops and case-maps bytes without an escape byte
    /// (`BytePreimage`), by `CheckInfo.preimage`.
    let preimages: [ValuePreimage]
    /// Where the raw `uri`'s summary is made from the raw `path`'s and `query`'s (`URIParts`);
    /// nil when it is scanned like any other value.
    let uriParts: URIParts?
    /// The `uri`'s raw chain slot when `uriParts` is kept, else -1 (one compare per summary).
    let uriRaw: Int32
    /// Owns the flat tables that `flat` points into.
    private let tables: PlanTables
    let flat: PlanPointers

    var chainCount: Int { chains.count }

    init(headerRules: [CompiledRule], bodyRules: [CompiledRule]) {
        var numbering = SlotNumbering()
        self.headerRules = headerRules.map { RuleProgram($0, &numbering) }
        self.bodyRules = bodyRules.map { RuleProgram($0, &numbering) }
        numbering.screenStringChecks()
        self.preimages = numbering.preimages
        self.checks = numbering.checks
        self.targets = numbering.targets
        self.chains = numbering.chainPrograms
        let targets = numbering.targets
        self.bodyTargets = targets.indices.filter { targets[$0].kind.readsBody }
        var bodyBits = TargetBits()
        for slot in targets.indices where targets[slot].kind.readsBody { bodyBits.insert(slot) }
        self.bodyTargetBits = bodyBits
        self.headerReadsBody = headerRules.contains { $0.condition.readsBody }
        let roles = targets.map { PieceRole(of: $0) }
        self.readsBodyPieces = roles.contains { $0.isArguments }
        self.exactPieceBytes = numbering.checkInfo.contains { info in
            info.screenBit < 0
                && (Int(info.firstTarget)..<Int(info.endTarget)).contains { t in
                    roles[Int(numbering.checkTargets[t].target)].isArguments
                }
                && numbering.filters[Int(info.firstFilter)..<Int(info.endFilter)].contains {
                    $0.start != nil || $0.required != nil
                }
        }
        let chainPrograms = numbering.chainPrograms
        self.bodyChains = chainPrograms.indices.filter { targets[Int(chainPrograms[$0].target)].kind.readsBody }
        var bodyChainBits = ChainBits()
        for slot in bodyChains { bodyChainBits.insert(slot) }
        self.bodyChainBits = bodyChainBits
        // Each chain slot's readers: the screen bits of the checks that read it.
        var readers = [LiteralScreen.Hits](repeating: LiteralScreen.Hits(), count: chainPrograms.count)
        for info in numbering.checkInfo where info.screenLow | info.screenHigh != 0 {
            for t in Int(info.firstTarget)..<Int(info.endTarget) {
                let slot = Int(numbering.checkTargets[t].chain)
                readers[slot].low |= info.screenLow
                readers[slot].high |= info.screenHigh
            }
        }
        self.screen = numbering.screenLiterals.isEmpty ? nil : LiteralScreen(numbering.screenLiterals)
        var uriParts = self.screen == nil ? nil
            : URIParts(targets: targets, rawChains: numbering.rawChains, screenLiterals: numbering.screenLiterals)
        var screenTargets: [ScreenTarget] = []
        var screenChains: [ScreenChain] = []
        // Lays out a phase's screen targets; returns their range.
        func layOutScreen(_ rules: [RuleProgram]) -> Range<Int> {
            var byTarget: [Int32: Int] = [:]
            var phase: [(target: Int32, chains: [Int32], bits: ChainBits)] = []
            for rule in rules {
                for check in rule.condition.checkIndices {
                    let info = numbering.checkInfo[check]
                    guard info.chainsMasked else { continue }
                    for t in Int(info.firstTarget)..<Int(info.endTarget) {
                        let pair = numbering.checkTargets[t]
                        let index = byTarget[pair.target] ?? {
                            phase.append((pair.target, [], ChainBits()))
                            byTarget[pair.target] = phase.count - 1
                            return phase.count - 1
                        }()
                        if phase[index].bits.insert(Int(pair.chain)) { phase[index].chains.append(pair.chain) }
                    }
                }
            }
            let first = screenTargets.count
            for entry in phase {
                screenTargets.append(ScreenTarget(target: entry.target, firstChain: Int32(screenChains.count),
                                                  endChain: Int32(screenChains.count + entry.chains.count),
                                                  chainBits: entry.bits))
                screenChains.append(contentsOf: entry.chains.map {
                    ScreenChain(slot: $0, mask: chainPrograms[Int($0)].mask, readers: readers[Int($0)])
                })
            }
            return first..<screenTargets.count
        }
        self.headerScreen = layOutScreen(self.headerRules)
        self.bodyScreen = layOutScreen(self.bodyRules)
        uriParts?.place(in: screenTargets, chains: screenChains, header: self.headerScreen, body: self.bodyScreen)
        self.uriParts = uriParts
        self.uriRaw = uriParts.map { numbering.rawChains[Int($0.uri)] } ?? -1
        var shapeChecks: [Int32] = []
        func shapes(_ rules: [RuleProgram]) -> [RuleShape] {
            rules.map { rule in
                var shape = rule.shape
                if shape.kind == .anyChecks {
                    shape.first = Int32(shapeChecks.count)
                    shapeChecks.append(contentsOf: rule.shapeChecks)
                    shape.end = Int32(shapeChecks.count)
                }
                return shape
            }
        }
        let headerShapes = shapes(self.headerRules)
        let bodyShapes = shapes(self.bodyRules)
        let groups = ScreenGroups(header: self.headerScreen, body: self.bodyScreen, targets: targets,
                                  screenTargets: screenTargets, screenChains: screenChains)
        let tables = PlanTables(PlanPointers(
            checks: PlanTables.copy(numbering.checkInfo),
            targets: PlanTables.copy(numbering.checkTargets),
            filters: PlanTables.copy(numbering.filters),
            screen: self.screen?.tables,
            pieceRoles: PlanTables.copy(roles),
            headerSingles: PlanTables.copy(self.headerRules.map { Int32($0.singleCheck) }),
            bodySingles: PlanTables.copy(self.bodyRules.map { Int32($0.singleCheck) }),
            headerShapes: PlanTables.copy(headerShapes),
            bodyShapes: PlanTables.copy(bodyShapes),
            shapeChecks: PlanTables.copy(shapeChecks),
            screenTargets: PlanTables.copy(screenTargets),
            screenChains: PlanTables.copy(screenChains),
            chains: PlanTables.copy(chainPrograms.indices.map {
                ChainInfo(target: chainPrograms[$0].target, raw: numbering.rawChains[Int(chainPrograms[$0].target)],
                          mask: chainPrograms[$0].mask, readers: readers[$0])
            }),
            groups: groups,
            lengthFloor: numbering.lengthFloor,
            ruleMasks: PlanTables.copy([
                RuleMasks(singles: self.headerRules.map { Int32($0.singleCheck) }, checks: numbering.checkInfo),
                RuleMasks(singles: self.bodyRules.map { Int32($0.singleCheck) }, checks: numbering.checkInfo),
            ])))
        self.tables = tables
        self.flat = tables.flat
    }
}

/// Where the flat tables are: reading through these costs no reference counting (the plan's
/// `PlanTables` keeps them alive and unchanged).
struct PlanPointers: @unchecked Sendable {
    let checks: UnsafePointer<CheckInfo>
    let targets: UnsafePointer<CheckTarget>
    let filters: UnsafePointer<RegexPrefilter>
    /// The literal screen's automaton (owned by `EvaluationPlan.screen`); nil when no check has one.
    let screen: LiteralScreen.Tables?
    /// Per target slot: what its raw values are of the body (`PieceRole`).
    let pieceRoles: UnsafePointer<PieceRole>
    /// Per header-phase / body-phase rule: its check index when the condition is one check, else -1.
    let headerSingles: UnsafePointer<Int32>
    let bodySingles: UnsafePointer<Int32>
    /// Per header-phase / body-phase rule whose condition is not one check: how the rule loop
    /// reaches its checks without walking the condition (`RuleShape`), and the checks of the
    /// `any` shapes (`RuleShape.first..<end` of `shapeChecks`).
    let headerShapes: UnsafePointer<RuleShape>
    let bodyShapes: UnsafePointer<RuleShape>
    let shapeChecks: UnsafePointer<Int32>
    /// The targets each phase resolves first (`EvaluationPlan.headerScreen`/`bodyScreen`) and
    /// their chain slots (`ScreenTarget.firstChain..<endChain` of `screenChains`).
    let screenTargets: UnsafePointer<ScreenTarget>
    let screenChains: UnsafePointer<ScreenChain>
    /// Per chain slot: its target, its target's raw slot and its transformations' memo bits.
    let chains: UnsafePointer<ChainInfo>
    /// Each phase's screen targets by the part of the request they are cut from, for marking
    /// them absent at once when the request lacks it (`AbsentSource`).
    let groups: ScreenGroups
    /// Resolving a slot whose summarized entry's longest value has at least this many bytes
    /// adds the length bit (`SlotNumbering.lengthBit`, `screenSizeChecks`) for the size checks
    /// reading it; `Int.max` when no check has the bit.
    let lengthFloor: Int
    /// The header phase's and the body phase's rules as bit sets, for ruling most of them out
    /// at once (`RuleMasks`), behind one pointer: a phase loads only what it reads.
    let ruleMasks: UnsafePointer<RuleMasks>
}

/// What preparing a chain slot needs first, as plain values: most slots are decided (every
/// value comes through unchanged) from these and the values' memos alone.
struct ChainInfo: Sendable {
    var target: Int32
    var raw: Int32
    var mask: UInt64
    /// The screen bits of the checks that read the slot: once the slot's values are summarized,
    /// `readers ∩ union.literals` are the checks among them whose literals occur in some value
    /// (`RequestCache.candidates`).
    var readers: LiteralScreen.Hits
}

/// What the per-check loop needs of one check, as plain values.
struct CheckInfo: Sendable {
    /// The check's targets: `PlanTables.targets[firstTarget..<endTarget]`.
    var firstTarget: Int32
    var endTarget: Int32
    /// The check's (first) bit in the plan's `LiteralScreen`, or -1: a value whose screen hits
    /// lack the bit contains none of the regex's required literals (or of the phrases) and
    /// cannot match.
    var screenBit: Int32
    /// The check's bits as a mask over `LiteralScreen.Hits` (both words zero when there is
    /// none): one bit per required literal set (`RequiredLiterals.sets`), at most two. A value
    /// can match only when its hits hold every bit of the mask, so the test is two ANDs and
    /// two compares.
    var screenLow: UInt64
    var screenHigh: UInt64
    /// The regex prefilters: `PlanTables.filters[firstFilter..<endFilter]`; a value can match
    /// only if one lets it through. Empty: no prefilter.
    var firstFilter: Int32
    var endFilter: Int32
    var negated: Bool
    /// Index of the check's `ValuePreimage` in `EvaluationPlan.preimages`, or -1: a target whose
    /// raw values hold too few of the bytes its literals need (Base64 digits, or the literals'
    /// own bytes) is not transformed.
    var preimage: Int32 = -1
    /// The check's target slots as bits (`TargetBits`); valid when `masked`.
    var targetBits: TargetBits
    /// True when every target slot of the check has a bit (slot < `TargetBits.capacity`): a check
    /// whose targets are all known absent is then decided with one test.
    var masked: Bool
    /// The check's chain slots as bits; valid when `chainsMasked`.
    var chainBits: ChainBits
    /// True when the check has a screen bit (or, a `size` check, the length bit:
    /// `SlotNumbering.screenSizeChecks`) and every chain slot of it has a bit: once all its
    /// slots are resolved (absent or summarized) the check is decided from the request's
    /// `RequestCache.candidates` without walking its targets.
    var chainsMasked: Bool

    /// True when the check can rule values out from their summaries alone.
    var screens: Bool { screenBit >= 0 || firstFilter < endFilter }
}

/// A set of target slots below `capacity`, one bit each.
struct TargetBits: Sendable, Equatable {
    static let capacity = 128
    var low: UInt64 = 0
    var high: UInt64 = 0

    /// Adds `slot`; false when it has no bit.
    @discardableResult @inline(__always)
    mutating func insert(_ slot: Int) -> Bool {
        guard slot < Self.capacity else { return false }
        if slot < 64 { low |= UInt64(1) << UInt64(slot) } else { high |= UInt64(1) << UInt64(slot - 64) }
        return true
    }

    mutating func remove(_ other: TargetBits) {
        low &= ~other.low
        high &= ~other.high
    }

    @inline(__always)
    mutating func formUnion(_ other: TargetBits) {
        low |= other.low
        high |= other.high
    }

    /// Whether `slot` is in the set.
    func contains(_ slot: Int) -> Bool {
        guard slot >= 0 && slot < Self.capacity else { return false }
        return slot < 64 ? low & (1 << UInt64(slot)) != 0 : high & (1 << UInt64(slot - 64)) != 0
    }

    @inline(__always)
    func isSubset(of other: TargetBits) -> Bool { low & ~other.low | high & ~other.high == 0 }

    @inline(__always)
    func intersects(_ other: TargetBits) -> Bool { low & other.low | high & other.high != 0 }
}

/// A target a phase resolves before its rules run, with the chain slots over it that its
/// screened checks read.
struct ScreenTarget: Sendable {
    var target: Int32
    /// Its chain slots: `PlanPointers.screenChains[firstChain..<endChain]`.
    var firstChain: Int32
    var endChain: Int32
    var chainBits: ChainBits
}

/// What a target's raw values are of the body, for summarizing them in one pass over it (and,
/// for a urlencoded body's arguments, for making the values only where a check reads them).
enum PieceRole: UInt8, Sendable {
    /// Not pieces of the body.
    case none
    /// The body itself (`body`).
    case whole
    /// The body's arguments in order (`body.args`).
    case argValues
    /// Their names in order (`body.arg_names`).
    case argNames

    init(of selector: TargetSelector) {
        guard selector.name == nil else { self = .none; return }
        switch selector.kind {
        case .body: self = .whole
        case .bodyArgs: self = .argValues
        case .bodyArgNames: self = .argNames
        default: self = .none
        }
    }

    /// The values are the body's arguments' values or names.
    var isArguments: Bool { self == .argValues || self == .argNames }
}

/// A chain slot a phase resolves first, with what resolving it needs as plain values.
struct ScreenChain: Sendable {
    var slot: Int32
    /// Its transformations' memo bits (`ChainProgram.mask`).
    var mask: UInt64
    /// The screen bits of the checks that read it (`ChainInfo.readers`).
    var readers: LiteralScreen.Hits
}

/// A set of chain slots below `capacity`, one bit each.
struct ChainBits: Sendable, Equatable {
    static let capacity = 256
    var w0: UInt64 = 0
    var w1: UInt64 = 0
    var w2: UInt64 = 0
    var w3: UInt64 = 0

    /// Adds `slot`; false when it has no bit (already there or beyond the capacity).
    @discardableResult @inline(__always)
    mutating func insert(_ slot: Int) -> Bool {
        guard slot >= 0 && slot < Self.capacity && !contains(slot) else { return false }
        let bit = UInt64(1) &<< UInt64(slot & 63)
        switch slot &>> 6 {
        case 0: w0 |= bit
        case 1: w1 |= bit
        case 2: w2 |= bit
        default: w3 |= bit
        }
        return true
    }

    @inline(__always)
    func contains(_ slot: Int) -> Bool {
        let bit = UInt64(1) &<< UInt64(slot & 63)
        switch slot &>> 6 {
        case 0: return w0 & bit != 0
        case 1: return w1 & bit != 0
        case 2: return w2 & bit != 0
        case 3: return w3 & bit != 0
        default: return false
        }
    }

    @inline(__always)
    mutating func formUnion(_ other: ChainBits) {
        w0 |= other.w0
        w1 |= other.w1
        w2 |= other.w2
        w3 |= other.w3
    }

    mutating func remove(_ other: ChainBits) {
        w0 &= ~other.w0
        w1 &= ~other.w1
        w2 &= ~other.w2
        w3 &= ~other.w3
    }

    @inline(__always)
    func isSubset(of other: ChainBits) -> Bool {
        (w0 & ~other.w0) | (w1 & ~other.w1) | (w2 & ~other.w2) | (w3 & ~other.w3) == 0
    }
}

/// One target of a check: its target slot and its (target, chain) slot.
struct CheckTarget: Sendable {
    var target: Int32
    var chain: Int32
}

/// Owns the plan's flat tables (`flat`): allocated once, never changed, freed with the plan
/// (and so the rule set).
final class PlanTables: @unchecked Sendable {
    let flat: PlanPointers

    init(_ flat: PlanPointers) { self.flat = flat }

    /// A copy of `array` in memory of its own (never a nil address, even when empty).
    static func copy<T>(_ array: [T]) -> UnsafePointer<T> {
        let memory = UnsafeMutablePointer<T>.allocate(capacity: max(array.count, 1))
        memory.initialize(from: array, count: array.count)
        return UnsafePointer(memory)
    }

    deinit {
        // The element types are plain values: nothing to deinitialize.
        flat.checks.deallocate()
        flat.targets.deallocate()
        flat.filters.deallocate()
        flat.pieceRoles.deallocate()
        flat.headerSingles.deallocate()
        flat.bodySingles.deallocate()
        flat.headerShapes.deallocate()
        flat.bodyShapes.deallocate()
        flat.shapeChecks.deallocate()
        flat.chains.deallocate()
        flat.screenTargets.deallocate()
        flat.screenChains.deallocate()
        flat.groups.deallocate()
        flat.ruleMasks[0].deallocate()
        flat.ruleMasks[1].deallocate()
        flat.ruleMasks.deallocate()
    }
}

/// One (target, chain) slot: which target and which transformations.
struct ChainProgram: Sendable {
    let target: Int32
    let transforms: [Transformation]
    /// Bit of each transformation in a value's "leaves it unchanged" memo (`RequestCache`).
    let bits: [UInt64]
    /// All of `bits` together.
    let mask: UInt64
    /// The shortest value any check reading this slot can match (the least of their operators'
    /// `minimumMatchLength`): a value the chain cannot make that long is not transformed.
    var minUseful = Int.max

    init(target: Int, transforms: [Transformation]) {
        self.target = Int32(target)
        self.transforms = transforms
        self.bits = transforms.map { UInt64(1) << UInt64($0.ordinal) }
        self.mask = bits.reduce(0, |)
    }

    /// The steps left once the leading ones in `unchanged` (memo bits of steps known to leave
    /// every value as it is) are dropped, packed seven bits a step: chains over the same values
    /// with equal keys compute the same result. 0 when more than nine steps are left (no key).
    @inline(__always)
    func remainingKey(after unchanged: UInt64) -> UInt64 {
        var k = 0
        while k < bits.count && bits[k] & unchanged != 0 { k += 1 }
        guard bits.count - k <= 9 else { return 0 }
        var key: UInt64 = 0
        while k < bits.count {
            key = key << 7 | UInt64(bits[k].trailingZeroBitCount + 1)
            k += 1
        }
        return key
    }

    /// The longest value the chain can make of `length` bytes; nil when unbounded.
    func outputBound(_ length: Int) -> Int? {
        var bound = length
        for step in transforms {
            guard let next = step.outputBound(bound) else { return nil }
            bound = next
        }
        return bound
    }
}

/// Hands out slot numbers while a plan is built.
struct SlotNumbering {
    var targets: [TargetSelector] = []
    var targetIndex: [TargetSelector: Int] = [:]
    var chainPrograms: [ChainProgram] = []
    var chains: [ChainKey: Int] = [:]
    var rawChains: [Int32] = []
    var checks: [CheckProgram] = []
    var checkInfo: [CheckInfo] = []
    var checkTargets: [CheckTarget] = []
    var filters: [RegexPrefilter] = []
    /// Required-literal sets of the screen, by bit (equal sets share a bit).
    var screenLiterals: [Set<[UInt8]>] = []
    var screenBits: [Set<[UInt8]>: Int] = [:]
    var preimages: [ValuePreimage] = []
    /// The shortest longest value of a chain entry that makes its slots' size checks candidates
    /// (`screenSizeChecks`); `Int.max` when no check has the length bit.
    var lengthFloor = Int.max

    /// The screen bit for a check with `literals`; nil when the screen is full.
    mutating func screenBit(_ literals: Set<[UInt8]>) -> Int? {
        if let bit = screenBits[literals] { return bit }
        guard screenLiterals.count < LiteralScreen.capacity else { return nil }
        let bit = screenLiterals.count
        screenLiterals.append(literals)
        screenBits[literals] = bit
        return bit
    }

    struct ChainKey: Hashable {
        let target: Int
        let chain: [Transformation]
    }

    /// The slot of `selector`; a new target also gets its raw chain slot.
    mutating func target(_ selector: TargetSelector) -> Int {
        if let slot = targetIndex[selector] { return slot }
        let slot = targets.count
        targets.append(selector)
        targetIndex[selector] = slot
        rawChains.append(Int32(chain(target: slot, [])))
        return slot
    }

    mutating func chain(target: Int, _ chain: [Transformation]) -> Int {
        let key = ChainKey(target: target, chain: chain)
        if let slot = chains[key] { return slot }
        let slot = chainPrograms.count
        chains[key] = slot
        chainPrograms.append(ChainProgram(target: target, transforms: chain))
        return slot
    }

    /// Numbers `check` and lays out its tables; returns its index.
    mutating func check(_ check: Check) -> Int {
        let firstTarget = Int32(checkTargets.count)
        var bits = TargetBits()
        var masked = true
        var chainBits = ChainBits()
        var chainsMasked = true
        let minimum = Self.minimumMatchLength(of: check.op)
        for selector in check.targets {
            let slot = target(selector)
            masked = bits.insert(slot) && masked
            let chainSlot = chain(target: slot, check.transforms)
            chainPrograms[chainSlot].minUseful = min(chainPrograms[chainSlot].minUseful, minimum)
            chainsMasked = chainSlot < ChainBits.capacity && chainsMasked
            chainBits.insert(chainSlot)
            checkTargets.append(CheckTarget(target: Int32(slot), chain: Int32(chainSlot)))
        }
        let firstFilter = Int32(filters.count)
        if let prefilter = Self.prefilter(of: check.op) { filters.append(contentsOf: prefilter) }
        // A bit for each required set: a value lacking either cannot match.
        var bit = -1
        var screenLow: UInt64 = 0, screenHigh: UInt64 = 0
        var screened: [Set<[UInt8]>] = []
        for literals in Self.requiredLiteralSets(of: check.op) {
            guard let b = screenBit(literals) else { continue }
            screened.append(literals)
            if bit < 0 { bit = b }
            if b < 64 { screenLow |= UInt64(1) << UInt64(b) } else { screenHigh |= UInt64(1) << UInt64(b - 64) }
        }
        checkInfo.append(CheckInfo(firstTarget: firstTarget, endTarget: Int32(checkTargets.count),
                                   screenBit: Int32(bit), screenLow: screenLow, screenHigh: screenHigh,
                                   firstFilter: firstFilter, endFilter: Int32(filters.count),
                                   negated: check.negated, targetBits: bits, masked: masked,
                                   chainBits: chainBits, chainsMasked: chainsMasked && bit >= 0))
        if let preimage = Self.preimage(of: check, screenedSets: screened) {
            preimages.append(preimage)
            checkInfo[checkInfo.count - 1].preimage = Int32(preimages.count - 1)
        }
        checks.append(CheckProgram(check))
        return checks.count - 1
    }

    /// The shortest value `op` can match (0 when any value might): PCRE2's own lower bound for a
    /// regex, the needle's length for the string operators, the shortest phrase.
    static func minimumMatchLength(of op: any MatchOperator) -> Int {
        if let regex = op as? RegexOperator { return regex.regex.prefilter.minLength }
        if let any = op as? RegexAnyOperator { return any.patterns.map(\.prefilter.minLength).min() ?? 0 }
        if let string = op as? ContainsOperator { return string.needle.count }
        if let string = op as? StartsWithOperator { return string.needle.count }
        if let string = op as? EndsWithOperator { return string.needle.count }
        if let string = op as? EqualsOperator { return string.needle.count }
        if let string = op as? ContainsWordOperator { return string.needle.count }
        if let phrases = (op as? PhrasesOperator)?.phrases { return phrases.map(\.count).min() ?? 0 }
        return 0
    }

    /// The literal sets each of which every match of `op` contains one string of (at most two,
    /// the most selective first); empty when none is known.
    static func requiredLiteralSets(of op: any MatchOperator) -> [Set<[UInt8]>] {
        if let regex = op as? RegexOperator { return RequiredLiterals.sets(of: regex.regex.pattern) }
        if let any = op as? RegexAnyOperator { return RequiredLiterals.sets(anyOf: any.patterns.map(\.pattern)) }
        // A phrase match is an occurrence of one phrase (folding only widens the screen).
        if let phrases = (op as? PhrasesOperator)?.phrases, !phrases.isEmpty, !phrases.contains(where: \.isEmpty) {
            return [Set(phrases.map { $0.map(RequiredLiterals.Parser.fold) })]
        }
        return []
    }

    /// The filters of a regex operator's patterns; nil when some pattern has none (or the
    /// operator is not a regex).
    private static func prefilter(of op: any MatchOperator) -> [RegexPrefilter]? {
        let filters: [RegexPrefilter]
        if let regex = op as? RegexOperator {
            filters = [regex.regex.prefilter]
        } else if let any = op as? RegexAnyOperator {
            filters = (any.joined.map { [$0.prefilter] } ?? []) + any.separateIndices.map { any.patterns[$0].prefilter }
        } else {
            return nil
        }
        if filters.isEmpty || filters.contains(where: \.isTrivial) { return nil }
        return filters
    }
}

/// One rule and its condition, prepared for evaluation.
final class RuleProgram: Sendable {
    let rule: CompiledRule
    let condition: ConditionProgram
    /// The check index when the condition is one check (most rules), else -1: the rule loop
    /// then goes straight to it.
    let singleCheck: Int

    init(_ rule: CompiledRule, _ numbering: inout SlotNumbering) {
        self.rule = rule
        let condition = ConditionProgram(rule.condition, &numbering)
        self.condition = condition
        if case .check(let index) = condition { singleCheck = index } else { singleCheck = -1 }
    }

    /// The checks of an `any` of checks, in order (empty for other shapes).
    var shapeChecks: [Int32] {
        if case .any(let parts) = condition, let checks = Self.checks(parts) { return checks.map { Int32($0) } }
        return []
    }

    /// This rule's `RuleShape`; for `anyChecks` the plan places `shapeChecks` and sets the range.
    var shape: RuleShape {
        switch condition {
        case .not(.check(let index)):
            return RuleShape(kind: .notCheck, first: Int32(index), end: Int32(index + 1))
        case .any(let parts) where Self.checks(parts) != nil:
            return RuleShape(kind: .anyChecks, first: 0, end: Int32(parts.count))
        default:
            return RuleShape(kind: .tree, first: 0, end: 0)
        }
    }

    private static func checks(_ parts: [ConditionProgram]) -> [Int]? {
        var out: [Int] = []
        for part in parts {
            guard case .check(let index) = part else { return nil }
            out.append(index)
        }
        return out
    }
}

/// How the rule loop evaluates a rule whose condition is not one check, without walking the
/// condition tree (which costs reference counting per node): `not` of one check, or `any` of
/// checks (ruled out at once when every check is). Other conditions walk the tree.
struct RuleShape: Sendable {
    enum Kind: UInt8, Sendable {
        case tree, notCheck, anyChecks
    }

    var kind: Kind
    /// `notCheck`: the check is `first`. `anyChecks`: the checks are `first..<end` of
    /// `PlanPointers.shapeChecks`.
    var first: Int32
    var end: Int32
}

/// `Condition` with each check replaced by its index in the plan.
indirect enum ConditionProgram: Sendable {
    case check(Int)
    case all([ConditionProgram])
    case any([ConditionProgram])
    case not(ConditionProgram)
    case label(LabelMatch)

    /// The checks of the condition, in order.
    var checkIndices: [Int] {
        switch self {
        case .check(let index): return [index]
        case .all(let parts), .any(let parts): return parts.flatMap(\.checkIndices)
        case .not(let inner): return inner.checkIndices
        case .label: return []
        }
    }

    init(_ condition: Condition, _ numbering: inout SlotNumbering) {
        switch condition {
        case .check(let check): self = .check(numbering.check(check))
        case .all(let parts): self = .all(parts.map { ConditionProgram($0, &numbering) })
        case .any(let parts): self = .any(parts.map { ConditionProgram($0, &numbering) })
        case .not(let inner): self = .not(ConditionProgram(inner, &numbering))
        case .label(let match): self = .label(match)
        }
    }
}

/// What a check needs once a value must really be tested.
final class CheckProgram: Sendable {
    /// The check as compiled (handed to observers).
    let check: Check
    let targets: [TargetSelector]
    let transforms: [Transformation]
    let op: any MatchOperator
    let exclusions: [TargetSelector]

    init(_ check: Check) {
        self.check = check
        self.targets = check.targets
        self.transforms = check.transforms
        self.op = check.op
        self.exclusions = check.exclusions
    }
}

extension Transformation {
    /// Position in `allCases` (fewer than 64 cases: one bit each in a memo word).
    var ordinal: Int { Transformation.ordinals[self]! }

    private static let ordinals: [Transformation: Int] = {
        precondition(allCases.count <= 64, "a memo word has one bit per transformation")
        var table: [Transformation: Int] = [:]
        for (index, t) in allCases.enumerated() { table[t] = index }
        return table
    }()
}
