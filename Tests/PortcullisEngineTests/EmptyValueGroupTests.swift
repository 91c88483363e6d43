@testable import PortcullisEngine
import Testing

/// A request without a query string or a body has one empty `query` or `body` value: chains
/// over it that leave the empty value unchanged are resolved with the query's or the body's
/// `ScreenGroup` without reading the target, and chains that change it (`length`, the hashes)
/// are left to be read. Decisions agree with walking every value.
@Suite struct EmptyValueGroupTests {
    static let rules = """
        name: t
        default_action: allow
        rules:
          - id: 1
            name: empty query by its length
            action: count
            when: { regex: '^0$', in: [query], transforms: [length] }
          - id: 2
            name: empty body by its length
            action: count
            when: { regex: '^0$', in: [body], transforms: [length] }
          - id: 3
            name: word in query or body
            action: count
            when: { regex: 'attack', in: [query, body], transforms: [url_decode, lowercase] }
          - id: 4
            name: word in query
            action: block
            when: { contains: 'evil', in: [query], transforms: [lowercase] }
          - id: 5
            name: word in the arguments or the body
            action: block
            when: { regex: 'drop\\s+table', in: [query.args, body, body.args] }
        """

    static let requests = [
        "GET /",
        "GET /?",
        "GET /index.html?q=Attack",
        "GET /index.html?q=EVIL",
        "GET /x?a=drop%20table",
        "POST /f\nContent-Type: application/x-www-form-urlencoded\n\na=attack",
        "POST /f\nContent-Type: application/x-www-form-urlencoded\n\na=drop+table",
        "POST /f\nContent-Type: text/plain\n\ndrop   table",
        "POST /f\nContent-Type: text/plain\n\nplain",
    ]


    @Test func groupsResolveOnlyChainsThatKeepTheEmptyValue() throws {
        let set = try RuleSetLoader().load(yaml: Self.rules, sourcePath: "t.yaml")
        let plan = set.plan
        let groups = plan.flat.groups
        var resolvedAsEmpty = 0
        for k in groups.headerGroups.lowerBound..<groups.bodyGroups.upperBound {
            let group = groups.groups[k]
            guard group.source == .queryArguments || group.source == .parsedBody else { continue }
            for slot in 0..<plan.chainCount where group.chainBits.contains(slot) {
                let chain = plan.chains[slot]
                let kind = plan.targets[Int(chain.target)].kind
                if AbsentSource.emptyValueSource(of: kind) != nil {
                    // `length` turns the empty value into "0": never resolved as empty.
                    #expect(!chain.transforms.contains(.length), "\(kind)")
                    #expect(AbsentSource.emptyValueSource(of: kind) == group.source)
                    resolvedAsEmpty += 1
                }
            }
        }
        // The `url_decode, lowercase` chains over `query` and `body`, and `lowercase` over `query`.
        #expect(resolvedAsEmpty == 3)
    }

    @Test func decisionsAgreeWithTheFullWalk() throws {
        let set = try RuleSetLoader().load(yaml: Self.rules, sourcePath: "t.yaml")
        let inspector = Inspector(ruleSet: set)
        var fast = EvaluationScratch()
        var lengthMatches = 0
        for text in Self.requests {
            guard case .success(let parsed) = ExampleRequest.parse(text) else {
                Issue.record("does not parse: \(text)")
                continue
            }
            let view = RequestView(head: parsed.head, clientAddress: Array("192.0.2.1".utf8), body: parsed.body)
            let (_, state) = decideAgreeingWithTheFullWalk(inspector, view, scratch: &fast, "\(text)")
            lengthMatches += state.matches.filter { $0.ruleID == RuleID(1) || $0.ruleID == RuleID(2) }.count
        }
        // The empty query and body were read for `length` where the request lacks them.
        #expect(lengthMatches >= 4)
    }
}
