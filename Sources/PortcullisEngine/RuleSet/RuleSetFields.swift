import Yams

/// The settings of a rules file, checked node by node so every error points at its node. An
/// error in one setting does not stop the others from being checked (`portcullis check` reports
/// them all).
struct RuleSetFields {
    var name = ""
    var defaultAction = DefaultAction.allow
    var mode = EnforcementMode.enforce
    var limitOutcome = LimitOutcome.match
    var body = BodyInspection()
    var rateLimits = RateLimitSettings()
    /// The `rules:` list, compiled by `RuleCompiler`.
    var rules: Node.Sequence?

    init(root: Node, file: LocatedErrors, errors: inout [RuleSetLoadError]) {
        let top: Node.Mapping
        do {
            top = try file.mapping(root, what: "a mapping with keys \(TopKey.list)")
        } catch {
            errors.append(error)
            return
        }
        var sawName = false
        for (keyNode, value) in top {
            do throws(RuleSetLoadError) {
                let key = try file.key(keyNode, of: TopKey.self, in: "the rules file", expected: TopKey.list)
                switch key {
                case .name:
                    sawName = true
                    name = try file.string(value, what: "a non-empty rule set name")
                case .description:
                    _ = try file.string(value, what: "a description string")
                case .defaultAction:
                    defaultAction = try file.choice(value, of: DefaultAction.self, field: "default_action")
                case .mode:
                    mode = try file.choice(value, of: EnforcementMode.self, field: "mode")
                case .onLimit:
                    limitOutcome = try file.choice(value, of: LimitOutcome.self, field: "on_limit")
                case .body:
                    body = try Self.body(value, file: file)
                case .rateLimits:
                    rateLimits = try RateLimitCompiler(file: file).settings(value)
                case .rules:
                    guard let list = value.sequence else {
                        throw file.error(at: value, "'rules' is a \(value.kindName); expected a list of rules "
                            + "(write `rules: []` for none)")
                    }
                    rules = list
                }
            } catch {
                errors.append(error)
            }
        }
        if !sawName {
            errors.insert(file.error(at: root, "missing key 'name'; expected a rule set name, e.g. `name: default`"),
                          at: 0)
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
}

/// Top-level keys of a rules file.
enum TopKey: String, CaseIterable {
    case name, description
    case defaultAction = "default_action"
    case mode
    case onLimit = "on_limit"
    case body
    case rateLimits = "rate_limits"
    case rules

    static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// Keys of the `body:` mapping.
enum BodyKey: String, CaseIterable {
    case inspectLimit = "inspect_limit"
    case oversize

    static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
