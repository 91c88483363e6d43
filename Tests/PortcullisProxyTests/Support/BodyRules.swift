import PortcullisEngine

/// A one-rule set that holds request bodies for inspection: it blocks a body containing
/// `evil-marker`. Tests of body holding and forwarding use it with their own limit and policy.
enum BodyRules {
    static func evilMarker(inspectLimit: String, oversize: String) throws -> CompiledRuleSet {
        try RuleSetLoader().load(yaml: """
            name: body
            body: { inspect_limit: \(inspectLimit), oversize: \(oversize) }
            rules:
              - id: 1
                name: no-evil
                action: block
                when: { contains: evil-marker, in: [body] }
            """, sourcePath: "body")
    }
}
