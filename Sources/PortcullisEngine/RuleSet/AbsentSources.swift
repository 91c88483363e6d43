/// A part of the request that many requests lack and whose absence is known without reading
/// any target cut from it: then none of those targets has a value. A GET without a query string,
/// cookies or a body lacks all three.
enum AbsentSource: Int, CaseIterable, Sendable {
    /// `query.args`, `query.arg:NAME`, `query.arg_names`: the request target has no query.
    case queryArguments
    /// `cookies`, `cookie:NAME`, `cookie_names`: no `Cookie` field holds a cookie.
    case cookies
    /// `body.args`, `body.arg:NAME`, `body.arg_names`, `body.json`: there is no body to parse
    /// (empty and not cut at the inspect limit).
    case parsedBody

    init?(_ kind: TargetKind) {
        switch kind {
        case .queryArgs, .queryArg, .queryArgNames: self = .queryArguments
        case .cookies, .cookie, .cookieNames: self = .cookies
        case .bodyArgs, .bodyArg, .bodyArgNames, .bodyJSON: self = .parsedBody
        default: return nil
        }
    }

    /// True when `request` lacks this part (so every target of it is absent); false when it
    /// has it or it cannot be told without reading the targets.
    @inline(__always)
    func isLacking(in request: RequestView) -> Bool {
        switch self {
        case .queryArguments: return request.lacksQuery
        case .cookies: return request.lacksCookies
        case .parsedBody: return request.lacksBody
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

    var isEmpty: Bool { firstTarget == endTarget }
}

/// Each phase's `ScreenGroup`s, in flat memory read without reference counting (`PlanTables`
/// keeps it alive): `groups[phase * sourceCount + source.rawValue]`.
struct ScreenGroups: @unchecked Sendable {
    static let sourceCount = AbsentSource.allCases.count
    let groups: UnsafePointer<ScreenGroup>
    let targetSlots: UnsafePointer<Int32>

    /// The groups of the screen targets `phases` (the header phase's range, then the body
    /// phase's) of `screenTargets` over `targets`.
    static func layOut(_ phases: [Range<Int>], targets: [TargetSelector],
                       screenTargets: [ScreenTarget]) -> (groups: [ScreenGroup], targetSlots: [Int32]) {
        var groups: [ScreenGroup] = []
        var targetSlots: [Int32] = []
        for phase in phases {
            for source in AbsentSource.allCases {
                var group = ScreenGroup()
                group.firstTarget = Int32(targetSlots.count)
                for i in phase where AbsentSource(targets[Int(screenTargets[i].target)].kind) == source {
                    group.targetBits.insert(Int(screenTargets[i].target))
                    group.chainBits.formUnion(screenTargets[i].chainBits)
                    targetSlots.append(screenTargets[i].target)
                }
                group.endTarget = Int32(targetSlots.count)
                groups.append(group)
            }
        }
        return (groups, targetSlots)
    }
}

extension TargetBits {
    @inline(__always)
    mutating func formUnion(_ other: TargetBits) {
        low |= other.low
        high |= other.high
    }
}
