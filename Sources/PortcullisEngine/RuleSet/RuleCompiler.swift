import Yams

/// Compiles the entries of a `rules:` list, one at a time, into `CompiledRule`s. Holds what
/// spans rules: the ids seen (for duplicates), the phrase files read, and warnings.
struct RuleCompiler {
    let file: LocatedErrors
    /// The rules file's directory, for `phrases: { file: … }`; empty for the working directory.
    let baseDirectory: String
    /// Phrase files read, resolved, in first-use order.
    var phraseFiles: [String] = []
    var warnings: [RuleSetWarning] = []
    /// Line of each id's first definition.
    private var firstDefinition: [RuleID: Int] = [:]

    /// Files served from memory instead of disk, by resolved path.
    let bundledFiles: [String: [UInt8]]

    init(file: LocatedErrors, sourcePath: String, bundledFiles: [String: [UInt8]] = [:]) {
        self.file = file
        self.bundledFiles = bundledFiles
        if let slash = sourcePath.lastIndex(of: "/") {
            baseDirectory = String(sourcePath[...slash])
        } else {
            baseDirectory = ""
        }
    }

    /// Compiles the rule at `index` (0-based) of the list. The first error inside the rule is
    /// thrown; the caller goes on with the next rule.
    mutating func compile(_ node: Node, index: Int) throws(RuleSetLoadError) -> CompiledRule {
        var located = file.inRule(.position(index + 1))
        let mapping = try located.mapping(node, what: "a rule: a mapping with keys \(RuleKey.list)")

        // The id first, so every later error in the rule can name it.
        var id: RuleID?
        if let idNode = mapping.first(where: { $0.key.scalar?.string == RuleKey.id.rawValue })?.value {
            let value = try located.integer(idNode, what: "id")
            guard value >= 0 else {
                throw located.error(at: idNode, "bad id \(value); expected a non-negative integer")
            }
            id = RuleID(value)
            located = file.inRule(.id(RuleID(value)))
            if let first = firstDefinition[RuleID(value)] {
                throw located.error(at: idNode, "duplicate id \(value), first defined at line \(first); "
                    + "expected an id no other rule in the file uses")
            }
            firstDefinition[RuleID(value)] = idNode.mark?.line ?? 1
        }

        var name: String?
        var description = ""
        var priority = index
        var action: RuleAction?
        var responseNode: (key: Node, value: Node)?
        var labels: [Label] = []
        var condition: Condition?
        var examples: [RuleExample] = []

        var rateLimit: (key: Node, definition: RateLimitDefinition)?
        var whenKey: Node?

        for (keyNode, value) in mapping {
            let key = try located.key(keyNode, of: RuleKey.self, in: "a rule", expected: RuleKey.list)
            switch key {
            case .id:
                break
            case .name:
                name = try located.string(value, what: "a rule name")
            case .description:
                description = try located.string(value, what: "a description string")
            case .priority:
                priority = try located.integer(value, what: "priority")
            case .action:
                switch try located.choice(value, of: ActionName.self, field: "action") {
                case .block: action = .block(BlockResponse())
                case .allow: action = .allow
                case .count: action = .count
                }
            case .response:
                responseNode = (keyNode, value)
            case .labels:
                labels = try Self.labels(value, file: located)
            case .when:
                whenKey = keyNode
                condition = try compileCondition(value, file: located)
            case .rateLimit:
                let (definition, when) = try RateLimitCompiler(file: located).definition(value)
                rateLimit = (keyNode, definition)
                if let when {
                    condition = try compileCondition(when, file: located)
                } else {
                    condition = .all([])
                }
            case .examples:
                examples = try Self.examples(value, file: located)
            }
        }

        if let rateLimit {
            if let whenKey {
                throw located.error(at: whenKey, "a rate-limit rule takes its condition under rate_limit.when; "
                    + "expected `rate_limit: { …, when: … }` and no rule-level when")
            }
            if case .allow = action {
                throw located.error(at: rateLimit.key, "a rate-limit rule cannot allow; expected `action: block` "
                    + "(429 with Retry-After, or your response) or `action: count`")
            }
            if action != nil, responseNode == nil, case .block = action {
                action = .block(BlockResponse(status: 429))
            }
        }
        for (key, present) in [(RuleKey.id, id != nil), (.name, name != nil), (.action, action != nil),
                               (.when, condition != nil)] where !present {
            throw located.error(at: node, "missing key '\(key.rawValue)'; expected \(key.expectation)")
        }
        if let responseNode {
            guard case .block = action else {
                throw located.error(at: responseNode.key, "'response' is only allowed with `action: block` "
                    + "(this rule's action is \(action?.name ?? "missing")); expected no response, or action: block")
            }
            action = .block(try Self.response(responseNode.value, file: located))
        }
        let compiledCondition = condition!
        return CompiledRule(id: id!, name: name!, description: description, priority: priority,
                            phase: compiledCondition.readsBody ? .requestBody : .requestHeaders,
                            condition: compiledCondition, action: action!, labels: labels, examples: examples,
                            source: "\(file.file):\(node.mark?.line ?? 1)",
                            rateLimit: rateLimit.map { CompiledRateLimit(definition: $0.definition) })
    }

    private mutating func compileCondition(_ node: Node, file located: LocatedErrors) throws(RuleSetLoadError) -> Condition {
        var conditions = ConditionCompiler(file: located, baseDirectory: baseDirectory, bundledFiles: bundledFiles)
        let condition = try conditions.condition(node)
        phraseFiles.append(contentsOf: conditions.phraseFiles.filter { !phraseFiles.contains($0) })
        warnings.append(contentsOf: conditions.warnings)
        return condition
    }

    private static func labels(_ node: Node, file: LocatedErrors) throws(RuleSetLoadError) -> [Label] {
        var labels: [Label] = []
        for (text, item) in try file.stringList(node, what: "labels like attack:sqli", allowSingle: false) {
            if text.isEmpty || text.contains(where: { $0 == " " || $0 == "\t" }) {
                throw file.error(at: item, "bad label '\(text)'; expected a non-empty label without spaces, "
                    + "e.g. attack:sqli")
            }
            if text.hasSuffix(":") {
                throw file.error(at: item, "bad label '\(text)': a trailing ':' only names a namespace in a "
                    + "`label` condition; expected a full label, e.g. attack:sqli")
            }
            labels.append(Label(text))
        }
        return labels
    }

    private static func response(_ node: Node, file: LocatedErrors) throws(RuleSetLoadError) -> BlockResponse {
        let mapping = try file.mapping(node, what: "a mapping with keys \(ResponseKey.list)")
        var response = BlockResponse()
        for (keyNode, value) in mapping {
            switch try file.key(keyNode, of: ResponseKey.self, in: "response", expected: ResponseKey.list) {
            case .status:
                let status = try file.integer(value, what: "response.status")
                guard (200...599).contains(status) else {
                    throw file.error(at: value, "bad response.status \(status); expected an HTTP status from 200 to 599")
                }
                response.status = status
            case .body:
                response.body = Array(try file.string(value, what: "a response body string").utf8)
            case .headers:
                let headers = try file.mapping(value, what: "a mapping of header names to values")
                for (nameNode, valueNode) in headers {
                    let name = try file.string(nameNode, what: "a header name")
                    guard !name.isEmpty, name.utf8.allSatisfy(Self.isTokenByte) else {
                        throw file.error(at: nameNode, "bad response header name '\(name)'; expected an HTTP "
                            + "field name (letters, digits and !#$%&'*+-.^_`|~)")
                    }
                    if Self.proxyOwnedHeaders.contains(name.lowercased()) {
                        throw file.error(at: nameNode, "response header '\(name)' is set by the proxy; expected "
                            + "other headers")
                    }
                    let text = try file.string(valueNode, what: "a header value string")
                    guard !text.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                        throw file.error(at: valueNode, "bad value for response header '\(name)': it contains a "
                            + "line break or NUL; expected a single-line value")
                    }
                    response.headers.append(.init(name: Array(name.utf8), value: Array(text.utf8)))
                }
            }
        }
        return response
    }

    private static let proxyOwnedHeaders: Set<String> = [
        "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer",
    ]

    private static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(b)
        }
    }

    private static func examples(_ node: Node, file: LocatedErrors) throws(RuleSetLoadError) -> [RuleExample] {
        let mapping = try file.mapping(node, what: "a mapping with keys block, allow")
        var examples: [RuleExample] = []
        for (keyNode, value) in mapping {
            let kind = try file.key(keyNode, of: RuleExample.Expectation.self, in: "examples", expected: "block, allow")
            let list = try file.sequence(value, what: "a list of example requests for '\(kind.rawValue)'")
            for item in list {
                let text = try file.string(item, what: "an example request, e.g. 'GET /search?q=x'")
                examples.append(RuleExample(expectation: kind, request: text, line: item.mark?.line ?? 1))
            }
        }
        return examples
    }
}

/// Keys of a rule.
enum RuleKey: String, CaseIterable {
    case id, name, description, priority, action, response, labels, when, examples
    case rateLimit = "rate_limit"

    static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }

    var expectation: String {
        switch self {
        case .id: return "a unique integer id, e.g. `id: 1001`"
        case .name: return "a rule name, e.g. `name: sqli-union-select`"
        case .action: return "`action: block`, `allow` or `count`"
        case .when: return "a condition under `when:`, e.g. `when: { contains: '../', in: [path] }` "
            + "(or a `rate_limit:`)"
        default: return rawValue
        }
    }
}

/// The values of `action:`.
enum ActionName: String, CaseIterable {
    case block, allow, count
}

/// Keys of `response:`.
enum ResponseKey: String, CaseIterable {
    case status, body, headers

    static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
