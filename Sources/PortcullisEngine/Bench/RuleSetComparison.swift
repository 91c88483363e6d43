/// `portcullis bench --compare`: the same requests through two rule sets, and every request
/// whose verdict differs — replaying yesterday's traffic against tomorrow's rules before
/// deploying them.
public struct RuleSetComparison: Sendable {
    public var a: CompiledRuleSet
    public var b: CompiledRuleSet

    public init(_ a: CompiledRuleSet, _ b: CompiledRuleSet) {
        self.a = a
        self.b = b
    }

    /// One request the two sets decide differently.
    public struct Difference: Sendable, Equatable {
        public var request: String
        public var verdictA: String
        public var verdictB: String
        /// `rule 1700 (sqli-union-select)` or `default action`.
        public var decidedByA: String
        public var decidedByB: String

        public init(request: String, verdictA: String, verdictB: String, decidedByA: String, decidedByB: String) {
            self.request = request
            self.verdictA = verdictA
            self.verdictB = verdictB
            self.decidedByA = decidedByA
            self.decidedByB = decidedByB
        }
    }

    public struct Result: Sendable, Equatable {
        public var requests: Int
        public var differences: [Difference]
        /// Requests with the same verdict but a different deciding rule (not listed).
        public var sameVerdictOtherRule: Int
    }

    public func run(_ requests: [BenchRequest]) -> Result {
        // Rate limits count from empty counters, the requests in file order at one instant.
        let inspectorA = Inspector(ruleSet: a.withFreshRateLimitState())
        let inspectorB = Inspector(ruleSet: b.withFreshRateLimitState())
        var scratch = EvaluationScratch()
        var differences: [Difference] = []
        var otherRule = 0
        for request in requests {
            let (verdictA, stateA) = inspectorA.decide(view(request, a), scratch: &scratch)
            let (verdictB, stateB) = inspectorB.decide(view(request, b), scratch: &scratch)
            if verdictA == verdictB {
                if stateA.decidingRule != stateB.decidingRule { otherRule += 1 }
                continue
            }
            differences.append(Difference(request: request.label, verdictA: Self.describe(verdictA),
                                          verdictB: Self.describe(verdictB),
                                          decidedByA: Self.decider(stateA, a), decidedByB: Self.decider(stateB, b)))
        }
        return Result(requests: requests.count, differences: differences, sameVerdictOtherRule: otherRule)
    }

    private func view(_ request: BenchRequest, _ set: CompiledRuleSet) -> RequestView {
        let limit = set.body.inspectLimit
        return RequestView(head: request.head, clientAddress: request.client, body: Array(request.body.prefix(limit)),
                           bodyTruncated: request.body.count > limit)
    }

    static func describe(_ verdict: Verdict) -> String {
        switch verdict {
        case .allow: return "allow"
        case .block(let response, _): return "block \(response.status)"
        }
    }

    static func decider(_ state: EvaluationState, _ set: CompiledRuleSet) -> String {
        guard let id = state.decidingRule else { return "default action" }
        let name = (set.headerRules + set.bodyRules).first { $0.id == id }?.name ?? "?"
        return "rule \(id) (\(name))"
    }
}

extension RuleSetComparison.Result {
    /// The report for people: a summary line, then one table row per difference.
    public func text(nameA: String, nameB: String) -> String {
        var out = "A = \(nameA)\nB = \(nameB)\n"
        out += "\(requests) requests: \(differences.isEmpty ? "no" : String(differences.count)) verdict"
            + "\(differences.count == 1 ? "" : "s") differ"
        if sameVerdictOtherRule > 0 { out += "; \(sameVerdictOtherRule) same verdict by another rule" }
        out += "\n"
        guard !differences.isEmpty else { return out }
        var rows = [["request", "A", "B", "decided in A by", "decided in B by"]]
        for d in differences {
            rows.append([d.request, d.verdictA, d.verdictB, d.decidedByA, d.decidedByB])
        }
        let widths = (0..<5).map { c in rows.map { $0[c].count }.max() ?? 0 }
        out += "\n"
        for row in rows {
            var line = " "
            for (c, cell) in row.enumerated() {
                line += " " + cell + String(repeating: " ", count: c == 4 ? 0 : widths[c] - cell.count) + " "
            }
            while line.last == " " { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}
