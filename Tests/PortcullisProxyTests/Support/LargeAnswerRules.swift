import PortcullisEngine

/// A one-rule set whose block answer is larger than a socket takes at once: rule 1 blocks any
/// path starting with `/large` and answers 403 with `bodySize` bytes of `y`. Tests of answers
/// that must wait for a client to read use it.
enum LargeAnswerRules {
    static let bodySize = 64 * 1024
    static let body = [UInt8](repeating: UInt8(ascii: "y"), count: bodySize)

    static func load() throws -> CompiledRuleSet {
        try RuleSetLoader().load(yaml: """
            name: large-answer
            rules:
              - id: 1
                name: large
                action: block
                response: { status: 403, body: "\(String(decoding: body, as: UTF8.self))" }
                when: { starts_with: /large, in: [path] }
            """, sourcePath: "large.yaml")
    }
}
