/// A part of the request that many requests lack and whose absence is known without reading
/// any target cut from it: then none of those targets has a value. A GET without a query string,
/// cookies or a body lacks all three, and most requests lack most header fields rules name.
enum AbsentSource: UInt8, CaseIterable, Sendable {
    /// `query.args`, `query.arg:NAME`, `query.arg_names`: the request target has no query.
    case queryArguments
    /// `cookies`, `cookie:NAME`, `cookie_names`: no `Cookie` field holds a cookie.
    case cookies
    /// `body.args`, `body.arg:NAME`, `body.arg_names`, `body.json`: there is no body to parse
    /// (empty and not cut at the inspect limit).
    case parsedBody
    /// `header:NAME`: no field is named NAME (one group per name, which it carries).
    case header

    /// The source of `kind`'s values; nil for a kind no source holds (`header` needs the
    /// selector's name: `ScreenGroups.layOut` groups each `header:NAME` on its own).
    init?(_ kind: TargetKind) {
        switch kind {
        case .queryArgs, .queryArg, .queryArgNames: self = .queryArguments
        case .cookies, .cookie, .cookieNames: self = .cookies
        case .bodyArgs, .bodyArg, .bodyArgNames, .bodyJSON: self = .parsedBody
        default: return nil
        }
    }

    /// True when `request` lacks this part (so every target of it is absent); false when it
    /// has it or it cannot be told without reading the targets. `name`: a `header` group's field
    /// name (unused by the others).
    @inline(__always)
    func isLacking(in request: RequestView, name: UnsafeBufferPointer<UInt8>) -> Bool {
        switch self {
        case .queryArguments: return request.lacksQuery
        case .cookies: return request.lacksCookies
        case .parsedBody: return request.lacksBody
        case .header: return request.lacksHeader(named: name)
        }
    }
}

/// The screen targets (`EvaluationPlan.headerScreen`/`bodyScreen`) of one phase that one
/// `AbsentSource` holds: when the request lacks it, they are all marked absent at once, as
/// `Inspector.resolveAll` would find them one by one (their target slots read and absent, their
/// chain slots resolved), without reading any.
struct ScreenGroup: Sendable {
    var chainBits = ChainBits()
    var targetBits = TargetBits()
    /// `ScreenGroups.targetSlots[firstTarget..<endTarget]`.
    var firstTarget: Int32 = 0
    var endTarget: Int32 = 0
    var source = AbsentSource.queryArguments
    /// A `header` group's field name: `ScreenGroups.names[firstName..<endName]`.
    var firstName: Int32 = 0
    var endName: Int32 = 0
}

/// Each phase's non-empty `ScreenGroup`s (at most 64), in flat memory read without reference counting
/// (`PlanTables` frees it with the plan).
struct ScreenGroups: @unchecked Sendable {
    let groups: UnsafePointer<ScreenGroup>
    let targetSlots: UnsafePointer<Int32>
    let names: UnsafePointer<UInt8>
    /// The header phase's groups and the body phase's (ranges of `groups`).
    let headerGroups: Range<Int>
    let bodyGroups: Range<Int>

    /// The groups of the header phase's and the body phase's screen targets (ranges of
    /// `screenTargets`, over the target slots' selectors `targets`).
    init(header: Range<Int>, body: Range<Int>, targets: [TargetSelector], screenTargets: [ScreenTarget]) {
        var groups: [ScreenGroup] = []
        var targetSlots: [Int32] = []
        var names: [UInt8] = []
        var ranges: [Range<Int>] = []
        for phase in [header, body] {
            let first = groups.count
            for source in [AbsentSource.queryArguments, .cookies, .parsedBody] {
                var group = ScreenGroup()
                group.source = source
                group.firstTarget = Int32(targetSlots.count)
                for i in phase where AbsentSource(targets[Int(screenTargets[i].target)].kind) == source {
                    group.targetBits.insert(Int(screenTargets[i].target))
                    group.chainBits.formUnion(screenTargets[i].chainBits)
                    targetSlots.append(screenTargets[i].target)
                }
                group.endTarget = Int32(targetSlots.count)
                if group.endTarget > group.firstTarget { groups.append(group) }
            }
            // At most 64 groups a phase (`Inspector.markAbsentSources` keeps them in a word);
            // header targets beyond are read by `resolveAll` as before.
            for i in phase where groups.count - first < 64 {
                let selector = targets[Int(screenTargets[i].target)]
                guard selector.kind == .header, let name = selector.name, !name.isEmpty else { continue }
                var group = ScreenGroup()
                group.source = .header
                group.targetBits.insert(Int(screenTargets[i].target))
                group.chainBits = screenTargets[i].chainBits
                group.firstTarget = Int32(targetSlots.count)
                targetSlots.append(screenTargets[i].target)
                group.endTarget = Int32(targetSlots.count)
                group.firstName = Int32(names.count)
                names.append(contentsOf: name)
                group.endName = Int32(names.count)
                groups.append(group)
            }
            ranges.append(first..<groups.count)
        }
        self.groups = PlanTables.copy(groups)
        self.targetSlots = PlanTables.copy(targetSlots)
        self.names = PlanTables.copy(names)
        self.headerGroups = ranges[0]
        self.bodyGroups = ranges[1]
    }

    /// A `header` group's field name.
    @inline(__always)
    func name(of group: ScreenGroup) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: names + Int(group.firstName), count: Int(group.endName - group.firstName))
    }

    func deallocate() {
        groups.deallocate()
        targetSlots.deallocate()
        names.deallocate()
    }
}

extension TargetBits {
    @inline(__always)
    mutating func formUnion(_ other: TargetBits) {
        low |= other.low
        high |= other.high
    }
}
