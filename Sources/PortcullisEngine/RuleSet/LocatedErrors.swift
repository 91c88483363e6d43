import Yams

/// Builds `RuleSetLoadError`s located at YAML nodes of one file (inside one rule, once the rule
/// is known), and the typed node accessors the loader uses, so that no accessor can fail without
/// a location.
struct LocatedErrors {
    let file: String
    /// The file's text split into lines, to place errors inside a scalar (a regex's offending
    /// character).
    let lines: [Substring]
    /// The rule being compiled; nil at file level.
    var rule: RuleReference?

    init(file: String, text: String = "", rule: RuleReference? = nil) {
        self.file = file
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        self.rule = rule
    }

    func inRule(_ rule: RuleReference) -> LocatedErrors {
        var copy = self
        copy.rule = rule
        return copy
    }

    func error(at node: Node?, _ message: String) -> RuleSetLoadError {
        let mark = node?.mark
        return RuleSetLoadError(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, rule: rule,
                                message: message)
    }

    func error(line: Int, column: Int, _ message: String) -> RuleSetLoadError {
        RuleSetLoadError(file: file, line: line, column: column, rule: rule, message: message)
    }

    func warning(at node: Node?, column: Int? = nil, _ message: String) -> RuleSetWarning {
        let mark = node?.mark
        return RuleSetWarning(file: file, line: mark?.line ?? 1, column: column ?? mark?.column ?? 1, rule: rule,
                              message: message)
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
        guard let mapping = node.mapping else { throw error(at: node, "expected \(what), found a \(node.kindName)") }
        return mapping
    }

    func sequence(_ node: Node, what: String) throws(RuleSetLoadError) -> Node.Sequence {
        guard let sequence = node.sequence else { throw error(at: node, "expected \(what), found a \(node.kindName)") }
        return sequence
    }

    /// A scalar that is not YAML's null.
    func string(_ node: Node, what: String) throws(RuleSetLoadError) -> String {
        guard let scalar = node.scalar, !scalar.isNull else {
            throw error(at: node, "expected \(what)")
        }
        return scalar.string
    }

    /// A scalar, or a list of scalars (`in: path` or `in: [path, uri]`), with each item's node.
    func stringList(_ node: Node, what: String, allowSingle: Bool) throws(RuleSetLoadError) -> [(String, Node)] {
        if allowSingle, node.scalar != nil {
            return [(try string(node, what: what), node)]
        }
        guard let sequence = node.sequence else {
            throw error(at: node, "expected a list of \(what), found a \(node.kindName)")
        }
        var items: [(String, Node)] = []
        for item in sequence {
            items.append((try string(item, what: what), item))
        }
        return items
    }

    /// A decimal integer written as a plain scalar (`1001`, `-5`).
    func integer(_ node: Node, what: String) throws(RuleSetLoadError) -> Int {
        guard let scalar = node.scalar, scalar.style == .plain, let value = Int(scalar.string) else {
            let seen = node.scalar.map { "'\($0.string)'" } ?? "a \(node.kindName)"
            throw error(at: node, "bad \(what) \(seen); expected an integer")
        }
        return value
    }

    /// `true` or `false`.
    func boolean(_ node: Node, key: String) throws(RuleSetLoadError) -> Bool {
        if let scalar = node.scalar, scalar.style == .plain {
            switch scalar.string {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        let seen = node.scalar.map { "'\($0.string)'" } ?? "a \(node.kindName)"
        throw error(at: node, "bad \(key) \(seen); expected true or false")
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

    /// The column of the byte at `offset` inside a scalar's value, when the scalar is written on
    /// one line as a plain or single-quoted scalar (the only styles where the value's characters
    /// map one to one onto the source's, apart from a doubled `''`). Nil otherwise.
    func column(ofOffset offset: Int, in node: Node) -> Int? {
        guard let scalar = node.scalar, let mark = scalar.mark,
              scalar.style == .plain || scalar.style == .singleQuoted,
              mark.line >= 1, mark.line <= lines.count else { return nil }
        let quoted = scalar.style == .singleQuoted
        let value = scalar.string
        var expected = quoted ? "'" : ""
        expected += quoted ? value.replacing("'", with: "''") : value
        if quoted { expected += "'" }
        let line = lines[mark.line - 1].unicodeScalars
        guard mark.column - 1 <= line.count else { return nil }
        let rest = line.dropFirst(mark.column - 1)
        guard rest.starts(with: expected.unicodeScalars) else { return nil }
        let prefixBytes = value.utf8.prefix(max(0, min(offset, value.utf8.count)))
        let prefix = String(decoding: prefixBytes, as: UTF8.self)
        var column = mark.column + (quoted ? 1 : 0) + prefix.unicodeScalars.count
        if quoted { column += prefix.unicodeScalars.filter { $0 == "'" }.count }
        return column
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
