import Testing
import PortcullisHTTP
@testable import PortcullisEngine

private let fixedClock: @Sendable () -> Duration = { .seconds(1_800_000_000) }
private let loader = RuleSetLoader(wallClock: fixedClock)

@Test func loadsAMinimalSet() throws {
    let set = try loader.load(yaml: "name: tiny\nrules: []\n", sourcePath: "tiny.yaml")
    #expect(set.name == "tiny")
    #expect(set.sourcePath == "tiny.yaml")
    #expect(set.defaultAction == .allow)
    #expect(set.body == BodyInspection(inspectLimit: 16 * 1024, oversize: .match))
    #expect(set.ruleCount == 0)
    #expect(set.loadedAt == .seconds(1_800_000_000))
}

@Test func loadsEveryField() throws {
    let yaml = """
    name: strict
    description: block unless a rule allows
    default_action: block
    body: { inspect_limit: 1MiB, oversize: no_match }
    rules: []
    """
    let set = try loader.load(yaml: yaml, sourcePath: "strict.yaml")
    #expect(set.defaultAction == .block)
    #expect(set.body == BodyInspection(inspectLimit: 1 << 20, oversize: .noMatch))
}

/// The shipped default file must always load; `portcullis run` depends on it.
@Test func shippedDefaultRulesLoad() throws {
    let path = repositoryRoot() + "/Rules/default.yaml"
    let set = try loader.load(contentsOf: path)
    #expect(set.name == "default")
    #expect(set.defaultAction == .allow)
    #expect(set.body.inspectLimit == 64 * 1024)
    #expect(set.body.oversize == .continue)
}

struct BadRuleFile: Sendable, CustomTestStringConvertible {
    let label: String
    let yaml: String
    let line: Int
    let column: Int
    let messageContains: String
    var testDescription: String { label }
}

private let badFiles: [BadRuleFile] = [
    BadRuleFile(label: "unknown top key", yaml: "name: a\ndefault_acton: allow\n",
                line: 2, column: 1, messageContains: "unknown key 'default_acton' in the rules file; expected one of: name"),
    BadRuleFile(label: "bad default_action", yaml: "name: a\ndefault_action: deny\n",
                line: 2, column: 17, messageContains: "bad default_action 'deny'; expected allow | block"),
    BadRuleFile(label: "default_action as list", yaml: "name: a\ndefault_action: [allow]\n",
                line: 2, column: 17, messageContains: "bad default_action a list; expected allow | block"),
    BadRuleFile(label: "rule without a name", yaml: "name: a\nrules:\n  - id: 1001\n    action: block\n",
                line: 3, column: 5, messageContains: "missing key 'name'"),
    BadRuleFile(label: "rules not a list", yaml: "name: a\nrules: {}\n",
                line: 2, column: 8, messageContains: "expected a list of rules"),
    BadRuleFile(label: "missing name", yaml: "default_action: allow\n",
                line: 1, column: 1, messageContains: "missing key 'name'"),
    BadRuleFile(label: "null name", yaml: "name: ~\n",
                line: 1, column: 7, messageContains: "expected a non-empty rule set name"),
    BadRuleFile(label: "bad size suffix", yaml: "name: a\nbody: { inspect_limit: 16KB }\n",
                line: 2, column: 24, messageContains: "bad body.inspect_limit '16KB'; expected a byte count"),
    BadRuleFile(label: "unknown body key", yaml: "name: a\nbody:\n  inspect_limit: 1KiB\n  limit: 3\n",
                line: 4, column: 3, messageContains: "unknown key 'limit' in body; expected one of: inspect_limit, oversize"),
    BadRuleFile(label: "bad oversize", yaml: "name: a\nbody: { oversize: drop }\n",
                line: 2, column: 19, messageContains: "bad body.oversize 'drop'; expected match | no_match | continue"),
    BadRuleFile(label: "top level is a list", yaml: "- name: a\n",
                line: 1, column: 1, messageContains: "expected a mapping with keys name, description"),
    BadRuleFile(label: "empty file", yaml: "# nothing\n",
                line: 1, column: 1, messageContains: "empty rules file"),
    BadRuleFile(label: "YAML syntax", yaml: "name: a\nbody: { inspect_limit: 1KiB\n",
                line: 3, column: 1, messageContains: "invalid YAML"),
    BadRuleFile(label: "duplicate key", yaml: "description: x\nname: a\nname: b\n",
                line: 2, column: 1, messageContains: "duplicate key 'name'"),
]

@Test("load errors are located and say what was expected", arguments: badFiles)
func badFile(_ bad: BadRuleFile) {
    do {
        _ = try loader.load(yaml: bad.yaml, sourcePath: "rules/x.yaml")
        Issue.record("\(bad.label): loaded but should have failed")
    } catch {
        #expect(error.message.contains(bad.messageContains), "message was: \(error.message)")
        #expect("\(error.line):\(error.column)" == "\(bad.line):\(bad.column)", "\(error)")
        #expect(error.description.hasPrefix("rules/x.yaml:\(error.line):\(error.column): "))
    }
}

@Test func missingFileIsAnError() {
    #expect(throws: RuleSetLoadError.self) { try loader.load(contentsOf: "/nonexistent/rules.yaml") }
}

@Test("byte sizes", arguments: [
    ("16384", 16384), ("512B", 512), ("16KiB", 16384), ("1MiB", 1 << 20), ("2GiB", 2 << 30), (" 4 KiB ", 4096),
])
func byteSizes(_ text: String, _ bytes: Int) {
    #expect(ByteSize.parse(text) == bytes)
}

@Test("bad byte sizes", arguments: ["", "KiB", "16KB", "16kib", "-1", "1.5MiB", "99999999999999999999GiB", "12 apples"])
func badByteSizes(_ text: String) {
    #expect(ByteSize.parse(text) == nil)
}

@Test("inspector returns the default action", arguments: [
    (DefaultAction.allow, Verdict.allow), (.block, .block(BlockResponse(status: 403), rule: nil)),
])
func inspectorDefault(_ action: DefaultAction, _ expected: Verdict) throws {
    let set = try loader.load(yaml: "name: d\ndefault_action: \(action.rawValue)\nrules: []\n", sourcePath: "d.yaml")
    let inspector = Inspector(ruleSet: set)
    #expect(inspector.defaultVerdict == expected)
}

/// The package root, found from this file's path (tests run from varying directories).
private func repositoryRoot(file: String = #filePath) -> String {
    var parts = file.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)   // Tests/PortcullisEngineTests/RuleSetLoaderTests.swift
    return parts.joined(separator: "/")
}
