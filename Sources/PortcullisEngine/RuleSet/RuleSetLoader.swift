import Yams

/// Loads a native YAML rules file into a `CompiledRuleSet`, refusing anything it does not
/// understand with a located error.
///
/// This is the placeholder front end until the rule engine lands: it reads `name`,
/// `description`, `default_action`, `body` and `rules`, and refuses a non-empty `rules:` list
/// rather than ignoring rules a user expects to be enforced.
public struct RuleSetLoader: Sendable {
    /// Source of the `loadedAt` timestamp; injectable so tests need no real clock.
    public var wallClock: @Sendable () -> Duration

    /// `wallClock` defaults to the system's real-time clock.
    public init(wallClock: (@Sendable () -> Duration)? = nil) {
        self.wallClock = wallClock ?? { systemWallClock() }
    }

    /// Reads and loads the file at `path`.
    public func load(contentsOf path: String) throws(RuleSetLoadError) -> CompiledRuleSet {
        let bytes: [UInt8]
        switch FileBytes.read(path) {
        case .success(let read): bytes = read
        case .failure(let failure):
            throw RuleSetLoadError(file: path, line: 1, column: 1,
                                   message: "cannot read rules file: \(failure.message)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw RuleSetLoadError(file: path, line: 1, column: 1, message: "rules file is not valid UTF-8")
        }
        return try load(yaml: text, sourcePath: path)
    }

    /// Loads rules from YAML text; `sourcePath` names it in errors and in the result.
    public func load(yaml: String, sourcePath: String) throws(RuleSetLoadError) -> CompiledRuleSet {
        let started = ContinuousClock.now
        let file = LocatedErrors(file: sourcePath)
        let root: Node
        do {
            guard let composed = try Yams.compose(yaml: yaml) else {
                throw file.error(at: nil, "empty rules file; expected a mapping with keys \(TopKey.list)")
            }
            root = composed
        } catch let error as RuleSetLoadError {
            throw error
        } catch {
            throw file.yamlError(error)
        }
        let fields = try RuleSetFields(root: root, file: file)
        return CompiledRuleSet(name: fields.name, sourcePath: sourcePath, defaultAction: fields.defaultAction,
                               body: fields.body, loadedAt: wallClock(),
                               loadDuration: ContinuousClock.now - started)
    }
}

/// Top-level keys of a rules file.
enum TopKey: String, CaseIterable {
    case name, description
    case defaultAction = "default_action"
    case body, rules

    static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// Keys of the `body:` mapping.
enum BodyKey: String, CaseIterable {
    case inspectLimit = "inspect_limit"
    case oversize

    static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
