import Yams

/// The settings of a rules file, checked node by node so every error points at its node.
struct RuleSetFields {
    var name = ""
    var defaultAction = DefaultAction.allow
    var body = BodyInspection()

    init(root: Node, file: LocatedErrors) throws(RuleSetLoadError) {
        let top = try file.mapping(root, what: "a mapping with keys \(TopKey.list)")
        var sawName = false
        for (keyNode, value) in top {
            let key = try file.key(keyNode, of: TopKey.self, in: "the rules file", expected: TopKey.list)
            switch key {
            case .name:
                name = try file.string(value, what: "a non-empty rule set name")
                sawName = true
            case .description:
                _ = try file.string(value, what: "a description string")
            case .defaultAction:
                defaultAction = try file.choice(value, of: DefaultAction.self, field: "default_action")
            case .body:
                body = try Self.body(value, file: file)
            case .rules:
                try Self.checkRules(value, file: file)
            }
        }
        guard sawName else {
            throw file.error(at: root, "missing key 'name'; expected a rule set name, e.g. `name: default`")
        }
    }

    private static func body(_ node: Node, file: LocatedErrors) throws(RuleSetLoadError) -> BodyInspection {
        let mapping = try file.mapping(node, what: "a mapping with keys \(BodyKey.list)")
        var body = BodyInspection()
        for (keyNode, value) in mapping {
            switch try file.key(keyNode, of: BodyKey.self, in: "body", expected: BodyKey.list) {
            case .inspectLimit:
                let text = try file.string(value, what: ByteSize.expectedForms)
                guard let bytes = ByteSize.parse(text), bytes > 0 else {
                    throw file.error(at: value, "bad body.inspect_limit '\(text)'; expected \(ByteSize.expectedForms), above zero")
                }
                body.inspectLimit = bytes
            case .oversize:
                body.oversize = try file.choice(value, of: BodyInspection.Oversize.self, field: "body.oversize")
            }
        }
        return body
    }

    /// Rules are refused, never skipped: a user who wrote a rule expects it to be enforced.
    private static func checkRules(_ node: Node, file: LocatedErrors) throws(RuleSetLoadError) {
        guard let rules = node.sequence else {
            throw file.error(at: node, "expected a list of rules for 'rules' (write `rules: []` for none)")
        }
        if let first = rules.first {
            throw file.error(at: first, "rules are not supported yet: this build has no rule engine "
                + "(it arrives with the rule engine); only `rules: []` can be loaded, "
                + "\(rules.count) rule(s) found")
        }
    }
}
