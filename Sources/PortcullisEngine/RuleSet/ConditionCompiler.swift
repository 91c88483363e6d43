import Yams

/// Compiles a rule's `when:` tree: all / any / not / label, and checks (targets, exclusions,
/// transformations, one operator built by `OperatorFactory`).
struct ConditionCompiler {
    let file: LocatedErrors
    let baseDirectory: String
    /// Phrase files read while compiling, resolved.
    var phraseFiles: [String] = []
    var warnings: [RuleSetWarning] = []

    /// Files served from memory instead of disk (the embedded default rules' phrase lists).
    let bundledFiles: [String: [UInt8]]

    init(file: LocatedErrors, baseDirectory: String, bundledFiles: [String: [UInt8]] = [:]) {
        self.file = file
        self.baseDirectory = baseDirectory
        self.bundledFiles = bundledFiles
    }

    static let conditionForms = "all, any, not, label, or a check (an operator such as regex or contains, with in:)"

    mutating func condition(_ node: Node) throws(RuleSetLoadError) -> Condition {
        let mapping = try file.mapping(node, what: "a condition: a mapping with one of \(Self.conditionForms)")
        guard !mapping.isEmpty else {
            throw file.error(at: node, "empty condition; expected one of \(Self.conditionForms)")
        }
        let form = mapping.first { ConditionForm(rawValue: $0.key.scalar?.string ?? "") != nil }
        guard let form, let kind = ConditionForm(rawValue: form.key.scalar!.string) else {
            return .check(try check(mapping, node: node))
        }
        if mapping.count > 1 {
            let other = mapping.first { $0.key != form.key }!.key
            throw file.error(at: other, "'\(other.scalar?.string ?? other.kindName)' cannot stand beside "
                + "'\(kind.rawValue)' in one condition; expected a mapping with exactly one of \(Self.conditionForms)"
                + " (nest it inside the \(kind.rawValue))")
        }
        let value = form.value
        switch kind {
        case .all, .any:
            let list = try file.sequence(value, what: "a list of conditions under '\(kind.rawValue)'")
            guard !list.isEmpty else {
                throw file.error(at: value, "empty '\(kind.rawValue)'; expected a list of at least one condition")
            }
            var parts: [Condition] = []
            for item in list { parts.append(try condition(item)) }
            return kind == .all ? .all(parts) : .any(parts)
        case .not:
            return .not(try condition(value))
        case .label:
            let text = try file.string(value, what: "a label like attack:sqli, or a namespace like \"attack:\"")
            guard !text.isEmpty, text != ":", !text.contains(where: { $0 == " " || $0 == "\t" }) else {
                throw file.error(at: value, "bad label '\(text)'; expected a label like attack:sqli, or a "
                    + "namespace ending in ':' like \"attack:\"")
            }
            return .label(text.hasSuffix(":") ? .namespace(text) : .exact(Label(text)))
        }
    }

    private mutating func check(_ mapping: Node.Mapping, node: Node) throws(RuleSetLoadError) -> Check {
        var op: (key: OperatorKey, keyNode: Node, value: Node)?
        var targets: [TargetSelector] = []
        var exclusions: [(TargetSelector, Node)] = []
        var transforms: [Transformation] = []
        var caseInsensitive: (Bool, Node)?
        var negated = false
        var sawIn = false
        for (keyNode, value) in mapping {
            let text = keyNode.scalar?.string ?? ""
            if let opKey = OperatorKey(rawValue: text) {
                if let first = op {
                    throw file.error(at: keyNode, "two operators in one check ('\(first.key.rawValue)' and "
                        + "'\(text)'); expected exactly one operator per check (combine checks with all: or any:)")
                }
                op = (opKey, keyNode, value)
                continue
            }
            guard let key = CheckKey(rawValue: text) else {
                throw file.error(at: keyNode, "unknown key '\(text)' in a check; expected one of: "
                    + "\(CheckKey.list), and one operator: \(OperatorKey.list)")
            }
            switch key {
            case .in:
                sawIn = true
                for (name, item) in try file.stringList(value, what: "targets", allowSingle: true) {
                    targets.append(try target(name, at: item))
                }
                guard !targets.isEmpty else {
                    throw file.error(at: value, "empty 'in'; expected at least one target: \(Self.targetList)")
                }
            case .except:
                for (name, item) in try file.stringList(value, what: "named targets to skip", allowSingle: false) {
                    let selector = try target(name, at: item)
                    guard selector.name != nil else {
                        throw file.error(at: item, "except target '\(name)' names no single value; expected a "
                            + "named target such as query.arg:NAME, header:NAME, cookie:NAME or body.arg:NAME")
                    }
                    exclusions.append((selector, item))
                }
            case .transforms:
                for (name, item) in try file.stringList(value, what: "transformation names", allowSingle: false) {
                    guard let t = Transformation(rawValue: name) else {
                        throw file.error(at: item, "unknown transformation '\(name)'; expected one of: "
                            + Transformation.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                    transforms.append(t)
                }
            case .caseInsensitive:
                caseInsensitive = (try file.boolean(value, key: "case_insensitive"), keyNode)
            case .negate:
                negated = try file.boolean(value, key: "negate")
            }
        }
        guard let op else {
            throw file.error(at: node, "check has no operator; expected one of: \(OperatorKey.list) "
                + "(or a condition form: all, any, not, label)")
        }
        guard sawIn else {
            throw file.error(at: node, "check has no 'in'; expected the targets to look at, e.g. `in: [query.args]`; "
                + "one or more of: \(Self.targetList)")
        }
        for (exclusion, item) in exclusions where !targets.contains(where: { Self.excludes(exclusion, $0) }) {
            throw file.error(at: item, "except '\(exclusion)' skips nothing: no target in 'in' yields "
                + "\(exclusion.kind.rawValue) values; expected a named form of one of the 'in' targets "
                + "(e.g. query.arg:NAME with query.args)")
        }
        if let (flag, keyNode) = caseInsensitive, flag, !op.key.foldsCase {
            throw file.error(at: keyNode, "case_insensitive does not apply to '\(op.key.rawValue)'; expected it "
                + "only with string operators, phrases and regexes")
        }
        let spec = try operatorSpec(op.key, op.value, caseInsensitive: caseInsensitive?.0 ?? false)
        let built: any MatchOperator
        do {
            built = try OperatorFactory.make(spec)
        } catch {
            throw locate(error, key: op.key, value: op.value)
        }
        return Check(targets: targets, exclusions: exclusions.map(\.0), transforms: transforms, op: built,
                     negated: negated)
    }

    /// True when `exclusion` can skip values of `target` (as the Inspector applies exclusions).
    static func excludes(_ exclusion: TargetSelector, _ target: TargetSelector) -> Bool {
        exclusion.kind == target.kind.singularKind || exclusion.kind == target.kind
    }

    // MARK: Targets

    static let targetList = TargetKind.allCases.map { $0.takesName ? "\($0.rawValue):NAME" : $0.rawValue }
        .joined(separator: ", ")

    private func target(_ text: String, at node: Node) throws(RuleSetLoadError) -> TargetSelector {
        if let selector = TargetSelector(parsing: text) { return selector }
        if let colon = text.firstIndex(of: ":") {
            let kindText = String(text[..<colon])
            let name = String(text[text.index(after: colon)...])
            if let kind = TargetKind(rawValue: kindText) {
                if !kind.takesName {
                    if kind.singularKind != kind {
                        throw file.error(at: node, "target '\(kindText)' takes no name; expected "
                            + "'\(kind.singularKind.rawValue):\(name)' for one value, or '\(kindText)' for all")
                    }
                    throw file.error(at: node, "target '\(kindText)' takes no name; expected '\(kindText)' alone")
                }
                throw file.error(at: node, "target '\(text)' needs a name after ':'; expected e.g. "
                    + "'\(kindText):NAME'")
            }
        } else if let kind = TargetKind(rawValue: text), kind.takesName {
            let all = TargetKind.allCases.first { $0.singularKind == kind && $0 != kind }
            throw file.error(at: node, "target '\(text)' needs a name; expected '\(text):NAME' for one value"
                + (all.map { ", or '\($0.rawValue)' for all" } ?? ""))
        }
        throw file.error(at: node, "unknown target '\(text)'; expected one of: \(Self.targetList)")
    }

    // MARK: Operators

    private mutating func operatorSpec(_ key: OperatorKey, _ value: Node,
                                       caseInsensitive ci: Bool) throws(RuleSetLoadError) -> OperatorSpec {
        switch key {
        case .regex:
            let pattern = try file.string(value, what: "a PCRE2 pattern")
            lint(pattern, at: value)
            return .regex(pattern, caseInsensitive: ci)
        case .regexAny:
            let list = try file.stringList(value, what: "PCRE2 patterns", allowSingle: false)
            guard !list.isEmpty else {
                throw file.error(at: value, "empty 'regex_any'; expected a list of at least one pattern")
            }
            for (pattern, item) in list { lint(pattern, at: item) }
            return .regexAny(list.map(\.0), caseInsensitive: ci)
        case .equals:
            guard let scalar = value.scalar, !scalar.isNull || scalar.style != .plain else {
                throw file.error(at: value, "expected a string for 'equals' (write '' for the empty value)")
            }
            return .equals(Array(scalar.string.utf8), caseInsensitive: ci)
        case .contains, .startsWith, .endsWith, .containsWord:
            let text = try file.string(value, what: "a non-empty string for '\(key.rawValue)'")
            guard !text.isEmpty else {
                throw file.error(at: value, "empty string for '\(key.rawValue)' matches every value; "
                    + "expected a non-empty string")
            }
            let bytes = Array(text.utf8)
            switch key {
            case .contains: return .contains(bytes, caseInsensitive: ci)
            case .startsWith: return .startsWith(bytes, caseInsensitive: ci)
            case .endsWith: return .endsWith(bytes, caseInsensitive: ci)
            default: return .containsWord(bytes, caseInsensitive: ci)
            }
        case .phrases:
            return .phrases(try phrases(value), caseInsensitive: ci)
        case .ipIn:
            let list = try file.stringList(value, what: "addresses or CIDR blocks", allowSingle: false)
            guard !list.isEmpty else {
                throw file.error(at: value, "empty 'ip_in'; expected a list of addresses or CIDR blocks")
            }
            return .ipIn(list.map(\.0))
        case .size, .number:
            let mapping = try file.mapping(value, what: "a comparison like { gt: 100 } (one of eq, ne, gt, ge, lt, le)")
            guard mapping.count == 1, let (cmpNode, numberNode) = mapping.first else {
                throw file.error(at: value, "'\(key.rawValue)' needs exactly one comparison; expected "
                    + "{ OP: N } with OP one of eq, ne, gt, ge, lt, le")
            }
            let cmp = try file.key(cmpNode, of: Comparison.self, in: "'\(key.rawValue)'",
                                   expected: Comparison.allCases.map(\.rawValue).joined(separator: ", "))
            if key == .size {
                guard let scalar = numberNode.scalar, scalar.style == .plain, let n = Int(scalar.string), n >= 0 else {
                    throw file.error(at: numberNode, "bad size '\(numberNode.scalar?.string ?? numberNode.kindName)'; "
                        + "expected a byte count (a non-negative integer)")
                }
                return .size(cmp, n)
            }
            guard let scalar = numberNode.scalar, scalar.style == .plain, let n = Double(scalar.string),
                  n.isFinite else {
                throw file.error(at: numberNode, "bad number '\(numberNode.scalar?.string ?? numberNode.kindName)'; "
                    + "expected a decimal number like 10 or -2.5")
            }
            return .number(cmp, n)
        }
    }

    private mutating func phrases(_ value: Node) throws(RuleSetLoadError) -> [[UInt8]] {
        if let mapping = value.mapping {
            guard mapping.count == 1, let (keyNode, pathNode) = mapping.first, keyNode.scalar?.string == "file" else {
                let bad = mapping.first { $0.key.scalar?.string != "file" }?.key ?? value
                throw file.error(at: bad, "bad 'phrases' mapping; expected `{ file: path }` (relative to the rules "
                    + "file) or a list of phrases")
            }
            let path = try file.string(pathNode, what: "a path to a phrases file")
            let resolved = path.hasPrefix("/") ? path : baseDirectory + path
            let bytes: [UInt8]
            switch bundledFiles[resolved].map({ Result<[UInt8], FileReadFailure>.success($0) }) ?? FileBytes.read(resolved) {
            case .success(let read): bytes = read
            case .failure(let failure):
                throw file.error(at: pathNode, "cannot read phrases file '\(resolved)': \(failure.message); "
                    + "expected a readable file, one phrase per line (relative to the rules file)")
            }
            let phrases = Self.phraseLines(bytes)
            guard !phrases.isEmpty else {
                throw file.error(at: pathNode, "phrases file '\(resolved)' has no phrases; expected one phrase per "
                    + "line (# starts a comment)")
            }
            if !phraseFiles.contains(resolved) { phraseFiles.append(resolved) }
            return phrases
        }
        let list = try file.stringList(value, what: "phrases", allowSingle: false)
        guard !list.isEmpty else {
            throw file.error(at: value, "empty 'phrases'; expected a list of phrases or `{ file: path }`")
        }
        for (text, item) in list where text.isEmpty {
            throw file.error(at: item, "empty phrase matches every value; expected a non-empty phrase")
        }
        return list.map { Array($0.0.utf8) }
    }

    /// One phrase per line; blank lines and lines starting with `#` are skipped; spaces, tabs
    /// and a CR around a phrase are trimmed.
    static func phraseLines(_ bytes: [UInt8]) -> [[UInt8]] {
        bytes.split(separator: 0x0A, omittingEmptySubsequences: true).compactMap { line -> [UInt8]? in
            var slice = line[...]
            while let b = slice.first, b == 0x20 || b == 0x09 || b == 0x0D { slice.removeFirst() }
            while let b = slice.last, b == 0x20 || b == 0x09 || b == 0x0D { slice.removeLast() }
            if slice.isEmpty || slice.first == UInt8(ascii: "#") { return nil }
            return Array(slice)
        }
    }

    /// An `OperatorError` placed at the offending node (the entry of a list, the character of a
    /// pattern when the pattern is written so its columns can be counted).
    private func locate(_ error: OperatorError, key: OperatorKey, value: Node) -> RuleSetLoadError {
        var node = value
        if let entry = error.entry, let list = value.sequence, entry >= 0, entry < list.count {
            node = list[list.index(list.startIndex, offsetBy: entry)]
        }
        switch key {
        case .regex, .regexAny:
            let which = key == .regexAny ? " (entry \((error.entry ?? 0) + 1) of regex_any)" : ""
            if let offset = error.offset {
                if let column = file.column(ofOffset: offset, in: node), let line = node.mark?.line {
                    return file.error(line: line, column: column,
                                      "bad regex\(which): \(error.message); expected a valid PCRE2 pattern")
                }
                return file.error(at: node, "bad regex\(which): \(error.message) at offset \(offset) of the pattern; "
                    + "expected a valid PCRE2 pattern")
            }
            return file.error(at: node, "bad regex\(which): \(error.message); expected a valid PCRE2 pattern")
        case .ipIn:
            return file.error(at: node, "bad ip_in entry: \(error.message); expected an IPv4 or IPv6 address or "
                + "CIDR block such as 10.0.0.0/8 or 2001:db8::/32")
        default:
            return file.error(at: node, "bad '\(key.rawValue)': \(error.message); expected \(key.expectation)")
        }
    }

    /// Adds a warning for each fragment of `pattern` prone to catastrophic backtracking.
    private mutating func lint(_ pattern: String, at node: Node) {
        for finding in BacktrackingLint.findings(in: pattern) {
            let column = file.column(ofOffset: finding.offset, in: node)
            warnings.append(file.warning(at: node, column: column,
                "regex may backtrack catastrophically: \(finding.reason) in '\(finding.fragment)'"
                + (column == nil ? " (at offset \(finding.offset) of the pattern)" : "")
                + "; expected repeated parts that cannot match the same text in more than one way "
                + "(an atomic group (?>…) or a possessive quantifier like ++ avoids it)"))
        }
    }
}

/// The condition forms that are not checks.
enum ConditionForm: String, CaseIterable {
    case all, any, not, label
}

/// Keys of a check besides its operator.
enum CheckKey: String, CaseIterable {
    case `in`, except, transforms
    case caseInsensitive = "case_insensitive"
    case negate

    static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// The operator keys of a check.
enum OperatorKey: String, CaseIterable {
    case regex
    case regexAny = "regex_any"
    case equals, contains
    case startsWith = "starts_with"
    case endsWith = "ends_with"
    case containsWord = "contains_word"
    case phrases
    case ipIn = "ip_in"
    case size, number

    static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Operators `case_insensitive` applies to.
    var foldsCase: Bool {
        switch self {
        case .ipIn, .size, .number: return false
        default: return true
        }
    }

    var expectation: String {
        switch self {
        case .regex: return "a PCRE2 pattern"
        case .regexAny: return "a list of PCRE2 patterns"
        case .phrases: return "a list of phrases or { file: path }"
        case .ipIn: return "a list of addresses or CIDR blocks"
        case .size: return "{ OP: N } with a byte count"
        case .number: return "{ OP: N } with a number"
        default: return "a non-empty string"
        }
    }
}
