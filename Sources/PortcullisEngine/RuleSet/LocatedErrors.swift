import Yams

/// Builds `RuleSetLoadError`s located at YAML nodes of one file, and the typed node accessors
/// the loader uses so that no accessor can fail without a location.
struct LocatedErrors {
    let file: String

    func error(at node: Node?, _ message: String) -> RuleSetLoadError {
        let mark = node?.mark
        return RuleSetLoadError(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message)
    }

    /// Turns a Yams syntax error into a located load error.
    func yamlError(_ error: any Error) -> RuleSetLoadError {
        guard let yaml = error as? YamlError else {
            return RuleSetLoadError(file: file, line: 1, column: 1, message: "invalid YAML: \(error)")
        }
        switch yaml {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let where_ = context.map { " \($0.text)" } ?? ""
            return RuleSetLoadError(file: file, line: mark.line, column: mark.column,
                                    message: "invalid YAML: \(problem)\(where_)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return RuleSetLoadError(file: file, line: context.mark.line, column: context.mark.column,
                                    message: "duplicate key \(names) in one mapping; each key may appear once")
        default:
            return RuleSetLoadError(file: file, line: 1, column: 1, message: "invalid YAML: \(yaml)")
        }
    }

    func mapping(_ node: Node, what: String) throws(RuleSetLoadError) -> Node.Mapping {
        guard let mapping = node.mapping else { throw error(at: node, "expected \(what)") }
        return mapping
    }

    /// A non-empty plain string scalar.
    func string(_ node: Node, what: String) throws(RuleSetLoadError) -> String {
        guard let scalar = node.scalar, !scalar.isNull else {
            throw error(at: node, "expected \(what)")
        }
        return scalar.string
    }

    func key<K: RawRepresentable<String>>(_ node: Node, of: K.Type, in place: String,
                                         expected: String) throws(RuleSetLoadError) -> K {
        guard let text = node.scalar?.string else {
            throw error(at: node, "expected a key in \(place); one of: \(expected)")
        }
        guard let key = K(rawValue: text) else {
            throw error(at: node, "unknown key '\(text)' in \(place); expected one of: \(expected)")
        }
        return key
    }

    func choice<C: RawRepresentable<String> & CaseIterable>(_ node: Node, of: C.Type,
                                                            field: String) throws(RuleSetLoadError) -> C {
        let allowed = C.allCases.map(\.rawValue).joined(separator: " | ")
        guard let text = node.scalar?.string, let value = C(rawValue: text) else {
            let seen = node.scalar.map { "'\($0.string)'" } ?? "a \(node.kindName)"
            throw error(at: node, "bad \(field) \(seen); expected \(allowed)")
        }
        return value
    }
}

extension Node {
    var kindName: String {
        switch self {
        case .scalar: "scalar"
        case .mapping: "mapping"
        case .sequence: "list"
        case .alias: "alias"
        }
    }
}

extension Node.Scalar {
    /// A plain `~`, `null` or empty scalar: YAML's null, never a usable string.
    var isNull: Bool {
        style == .plain && ["", "~", "null", "Null", "NULL"].contains(string)
    }
}
