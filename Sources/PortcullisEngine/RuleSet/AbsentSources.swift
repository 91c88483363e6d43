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

    /// The source whose absence leaves `kind` exactly one empty value: `query` when there is
    /// no query string, `body` when there is no body. Chains that leave the empty value as it is
    /// give nothing a literal can be found in, so their slots are resolved with the source's
    /// group without reading the target; nil for other kinds.
    static func emptyValueSource(of kind: TargetKind) -> AbsentSource? {
        switch kind {
        case .query: return .queryArguments
        case .body: return .parsedBody
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
/// chain slots resolved), without reading any. The group of the query or the body also
/// resolves the chain slots over `query` or `body` that leave the empty value unchanged
/// (`AbsentSource.emptyValueSource`): their target has one empty value, which holds no literal,
/// so they add no candidate (the target itself stays unread).
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
    /// A `header` group's name's bit in `ScreenGroups.fieldNames`, the `Cookie` bit for the
    /// `cookies` group; 0 when it has none (then the request is asked by name).
    var nameBit: UInt64 = 0
}

/// Each phase's non-empty `ScreenGroup`s (at most 64), in flat memory read without reference counting
/// (`PlanTables` frees it with the plan).
struct ScreenGroups: @unchecked Sendable {
    let groups: UnsafePointer<ScreenGroup>
    let targetSlots: UnsafePointer<Int32>
    let names: UnsafePointer<UInt8>
    /// The `header` groups' names and `Cookie`: which of them a request has is found in one pass
    /// over its fields (`RequestView.fieldNames(in:)`).
    let fieldNames: FieldNameTable
    /// The header phase's groups and the body phase's (ranges of `groups`).
    let headerGroups: Range<Int>
    let bodyGroups: Range<Int>

    /// The groups of the header phase's and the body phase's screen targets (ranges of
    /// `screenTargets`, over the target slots' selectors `targets`).
    init(header: Range<Int>, body: Range<Int>, targets: [TargetSelector], screenTargets: [ScreenTarget],
         screenChains: [ScreenChain]) {
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
                for i in phase {
                    let target = screenTargets[i]
                    guard AbsentSource.emptyValueSource(of: targets[Int(target.target)].kind) == source else { continue }
                    for c in Int(target.firstChain)..<Int(target.endChain)
                    where screenChains[c].mask & ~TransformationIdentity.unchangedWhenEmpty == 0 {
                        group.chainBits.insert(Int(screenChains[c].slot))
                    }
                }
                if group.endTarget > group.firstTarget || group.chainBits != ChainBits() { groups.append(group) }
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
        let cookie = Array("Cookie".utf8)
        let hasCookies = groups.contains { $0.source == .cookies }
        let fieldNames = FieldNameTable((hasCookies ? [cookie] : []) + groups.compactMap { group in
            group.source == .header ? Array(names[Int(group.firstName)..<Int(group.endName)]) : nil
        })
        for k in groups.indices {
            switch groups[k].source {
            case .header:
                groups[k].nameBit = fieldNames.bit(of: Array(names[Int(groups[k].firstName)..<Int(groups[k].endName)]))
            case .cookies: groups[k].nameBit = fieldNames.bit(of: cookie)
            case .queryArguments, .parsedBody: break
            }
        }
        self.fieldNames = fieldNames
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
        fieldNames.deallocate()
    }
}
