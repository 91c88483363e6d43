import Testing
@testable import PortcullisEngine

/// A broken rules file and what the loader must say about it. `‸` in the YAML marks where the
/// error must point (it is removed before loading).
struct BrokenRules: Sendable, CustomTestStringConvertible {
    let label: String
    let yaml: String
    let message: String
    /// The `rule …:` part expected in the description; nil for file-level errors.
    let rule: String?
    var testDescription: String { label }

    init(_ label: String, rule: String? = "1", _ yaml: String, _ message: String) {
        self.label = label
        self.yaml = yaml
        self.message = message
        self.rule = rule
    }

    /// The text without the marker, and the marker's line and column (1-based, in scalars).
    var located: (text: String, line: Int, column: Int) {
        var line = 1, column = 1
        var text = ""
        var found = false
        for scalar in yaml.unicodeScalars {
            if scalar == "‸" { found = true; continue }
            text.unicodeScalars.append(scalar)
            if !found {
                if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
            }
        }
        precondition(found, "\(label): no ‸ marker")
        return (text, line, column)
    }
}

/// One rule with a valid header; `body` continues the rule's mapping (4-space indent).
private func rule(_ body: String) -> String {
    "name: t\nrules:\n  - id: 1\n    name: r\n    action: block\n" + body
}

private let when = "    when: { contains: x, in: [path] }\n"

let brokenRules: [BrokenRules] = [
    .init("unknown rule key", rule("    ‸acton: count\n" + when),
          "unknown key 'acton' in a rule; expected one of: id, name, description, priority, action, response, labels, when, examples"),
    .init("unknown target", rule("    when: { contains: x, in: [path, ‸querry] }\n"),
          "unknown target 'querry'; expected one of: method, path, uri, query, query.args, query.arg:NAME"),
    .init("target needs a name", rule("    when: { contains: x, in: ‸header }\n"),
          "target 'header' needs a name; expected 'header:NAME' for one value, or 'headers' for all"),
    .init("target takes no name", rule("    when: { contains: x, in: [‸headers:Host] }\n"),
          "target 'headers' takes no name; expected 'header:Host' for one value, or 'headers' for all"),
    .init("target name missing after colon", rule("    when: { contains: x, in: [‸'cookie:'] }\n"),
          "target 'cookie:' needs a name after ':'"),
    .init("plain target with a name", rule("    when: { contains: x, in: [‸path:x] }\n"),
          "target 'path' takes no name; expected 'path' alone"),
    .init("unknown transformation", rule("    when: { contains: x, in: [path], transforms: [lowercase, ‸urldecode] }\n"),
          "unknown transformation 'urldecode'; expected one of: url_decode, url_decode_uni"),
    .init("bad regex, plain scalar", rule("    when:\n      regex: (ab‸\n      in: [path]\n"),
          "bad regex: missing closing parenthesis; expected a valid PCRE2 pattern"),
    .init("bad regex, single-quoted", rule("    when:\n      regex: 'ab‸)c'\n      in: [path]\n"),
          "bad regex: unmatched closing parenthesis; expected a valid PCRE2 pattern"),
    .init("bad regex, single-quoted with a doubled quote", rule("    when:\n      regex: 'it''s‸)x'\n      in: [path]\n"),
          "bad regex: unmatched closing parenthesis"),
    .init("bad regex, double-quoted", rule("    when:\n      regex: ‸\"ab)c\"\n      in: [path]\n"),
          "bad regex: unmatched closing parenthesis at offset 2 of the pattern; expected a valid PCRE2 pattern"),
    .init("bad regex, block scalar", rule("    when:\n      regex: ‸|\n        ab)c\n      in: [path]\n"),
          "at offset 2 of the pattern"),
    .init("bad regex in regex_any", rule("    when:\n      regex_any: ['ok', 'x‸)']\n      in: [path]\n"),
          "bad regex (entry 2 of regex_any): unmatched closing parenthesis"),
    .init("bad quantifier", rule("    when:\n      regex: 'a{2,1‸}'\n      in: [path]\n"),
          "bad regex: numbers out of order in {} quantifier"),
    .init("duplicate id", rule: "7",
          "name: t\nrules:\n  - { id: 7, name: a, action: count, when: { contains: x, in: path } }\n"
            + "  - { id: ‸7, name: b, action: count, when: { contains: y, in: path } }\n",
          "duplicate id 7, first defined at line 3; expected an id no other rule in the file uses"),
    .init("missing when", "name: t\nrules:\n  - ‸id: 1\n    name: r\n    action: block\n    description: no condition\n",
          "missing key 'when'; expected a condition under `when:`"),
    .init("missing name", rule: "5", "name: t\nrules:\n  - ‸id: 5\n    action: count\n" + when,
          "missing key 'name'; expected a rule name"),
    .init("missing id", rule: "#1 (no valid id)", "name: t\nrules:\n  - ‸name: a\n    action: count\n" + when,
          "missing key 'id'; expected a unique integer id"),
    .init("bad id", rule: "#1 (no valid id)", "name: t\nrules:\n  - id: ‸abc\n    name: a\n    action: count\n" + when,
          "bad id 'abc'; expected an integer"),
    .init("missing action", rule: "3", "name: t\nrules:\n  - ‸id: 3\n    name: a\n" + when,
          "missing key 'action'; expected `action: block`, `allow` or `count`"),
    .init("bad action", rule: "3", "name: t\nrules:\n  - id: 3\n    name: a\n    action: ‸deny\n" + when,
          "bad action 'deny'; expected block | allow | count"),
    .init("two operators", rule("    when: { contains: x, ‸regex: y, in: [path] }\n"),
          "two operators in one check ('contains' and 'regex'); expected exactly one operator per check"),
    .init("empty all", rule("    when: { all: ‸[] }\n"),
          "empty 'all'; expected a list of at least one condition"),
    .init("empty any", rule("    when:\n      not:\n        any: ‸[]\n"),
          "empty 'any'; expected a list of at least one condition"),
    .init("all beside a check key", rule("    when: { all: [{ contains: x, in: path }], ‸in: [uri] }\n"),
          "'in' cannot stand beside 'all' in one condition"),
    .init("empty condition", rule("    when: ‸{}\n"), "empty condition; expected one of all, any, not, label"),
    .init("condition not a mapping", rule("    when: ‸contains\n"),
          "expected a condition: a mapping with one of all, any, not, label"),
    .init("check without in", rule("    when: ‸{ contains: x }\n"), "check has no 'in'; expected the targets to look at"),
    .init("check without operator", rule("    when: ‸{ in: [path], negate: true }\n"),
          "check has no operator; expected one of: regex, regex_any, equals, contains"),
    .init("unknown check key", rule("    when: { contains: x, ‸inn: [path] }\n"),
          "unknown key 'inn' in a check; expected one of: in, except, transforms, case_insensitive, negate, and one operator: regex"),
    .init("bad CIDR", rule("    when: { ip_in: [10.0.0.0/8, ‸10.0.0.0/33], in: client_ip }\n"),
          "bad ip_in entry:"),
    .init("bad address", rule("    when: { ip_in: [‸not-an-ip], in: client_ip }\n"), "bad ip_in entry:"),
    .init("empty ip_in", rule("    when: { ip_in: ‸[], in: client_ip }\n"), "empty 'ip_in'"),
    .init("unknown size comparison", rule("    when: { size: { ‸gtt: 3 }, in: query }\n"),
          "unknown key 'gtt' in 'size'; expected one of: eq, ne, gt, ge, lt, le"),
    .init("size not a count", rule("    when: { size: { gt: ‸big }, in: query }\n"),
          "bad size 'big'; expected a byte count"),
    .init("negative size", rule("    when: { size: { gt: ‸-1 }, in: query }\n"), "bad size '-1'"),
    .init("two size comparisons", rule("    when: { size: ‸{ gt: 1, lt: 5 }, in: query }\n"),
          "'size' needs exactly one comparison"),
    .init("number not a number", rule("    when: { number: { lt: ‸abc }, in: query.arg:n }\n"),
          "bad number 'abc'; expected a decimal number"),
    .init("size not a mapping", rule("    when: { size: ‸3, in: query }\n"), "expected a comparison like { gt: 100 }"),
    .init("status out of range", rule("    response: { status: ‸700 }\n" + when),
          "bad response.status 700; expected an HTTP status from 200 to 599"),
    .init("status 199", rule("    response: { status: ‸199 }\n" + when), "bad response.status 199"),
    .init("response with allow", rule: "2",
          "name: t\nrules:\n  - id: 2\n    name: a\n    action: allow\n    ‸response: { status: 403 }\n" + when,
          "'response' is only allowed with `action: block` (this rule's action is allow)"),
    .init("unknown response key", rule("    response: { ‸code: 403 }\n" + when),
          "unknown key 'code' in response; expected one of: status, body, headers"),
    .init("response header set by the proxy", rule("    response: { headers: { ‸Content-Length: '5' } }\n" + when),
          "response header 'Content-Length' is set by the proxy"),
    .init("response header with a line break", rule("    response: { headers: { X-A: ‸\"a\\r\\nb\" } }\n" + when),
          "contains a line break or NUL"),
    .init("rate limit beside a rule-level when", rule("    rate_limit: { limit: 20, window: 1m }\n    ‸when: { contains: x, in: path }\n"),
          "a rate-limit rule takes its condition under rate_limit.when"),
    .init("rate limit without window", rule("    rate_limit: ‸{ limit: 20 }\n"), "rate_limit has no 'window'"),
    .init("rate limit without limit", rule("    rate_limit: ‸{ window: 1m }\n"), "rate_limit has no 'limit'"),
    .init("rate limit of zero", rule("    rate_limit: { limit: ‸0, window: 1m }\n"), "bad rate_limit.limit 0"),
    .init("rate window too long", rule("    rate_limit: { limit: 5, window: ‸2h }\n"),
          "bad rate_limit.window '2h'; expected a whole number of seconds, minutes or hours from 1s to 1h"),
    .init("rate window without unit", rule("    rate_limit: { limit: 5, window: ‸60 }\n"), "bad rate_limit.window '60'"),
    .init("rate key unknown", rule("    rate_limit: { limit: 5, window: 1m, by: [client_ip, ‸user_agent] }\n"),
          "unknown rate-limit key 'user_agent'; expected one of: client_ip, forwarded_ip"),
    .init("rate key without name", rule("    rate_limit: { limit: 5, window: 1m, by: [‸'header:'] }\n"),
          "unknown rate-limit key 'header:'"),
    .init("rate key twice", rule("    rate_limit: { limit: 5, window: 1m, by: [path, ‸path] }\n"),
          "key 'path' appears twice in 'by'"),
    .init("rate limit unknown key", rule("    rate_limit: { limit: 5, window: 1m, ‸per: ip }\n"),
          "unknown key 'per' in rate_limit; expected one of: limit, window, burst, by, fallback, max_keys, when"),
    .init("rate max_keys zero", rule("    rate_limit: { limit: 5, window: 1m, max_keys: ‸0 }\n"), "bad rate_limit.max_keys 0"),
    .init("rate negative burst", rule("    rate_limit: { limit: 5, window: 1m, burst: ‸-1 }\n"), "bad rate_limit.burst -1"),
    .init("rate limit that allows", rule: "2",
          "name: t\nrules:\n  - id: 2\n    name: a\n    action: allow\n    ‸rate_limit: { limit: 5, window: 1m }\n",
          "a rate-limit rule cannot allow"),
    .init("rate limit with a bad condition", rule("    rate_limit: { limit: 5, window: 1m, when: { contains: x, in: [‸nowhere] } }\n"),
          "unknown target 'nowhere'"),
    .init("bad trusted proxy", rule: nil, "name: t\nrate_limits: { trusted_proxies: [10.0.0.0/8, ‸10.0.0.0/33] }\nrules: []\n",
          "bad trusted proxy: prefix length must be 0…32"),
    .init("unknown rate_limits key", rule: nil, "name: t\nrate_limits: { ‸trusted: [10.0.0.0/8] }\nrules: []\n",
          "unknown key 'trusted' in rate_limits; expected one of: trusted_proxies, forwarded_header"),
    .init("empty label", rule("    when: { label: ‸'' }\n"), "bad label ''"),
    .init("label with trailing colon attached", rule("    labels: [ok, ‸'attack:']\n" + when),
          "bad label 'attack:': a trailing ':' only names a namespace"),
    .init("labels not a list", rule("    labels: ‸attack:sqli\n" + when), "expected a list of labels"),
    .init("except without a name", rule("    when: { contains: x, in: [headers], except: [‸headers] }\n"),
          "except target 'headers' names no single value"),
    .init("except that skips nothing", rule("    when: { contains: x, in: [query.args], except: [‸header:Cookie] }\n"),
          "except 'header:Cookie' skips nothing"),
    .init("case_insensitive on ip_in", rule("    when: { ip_in: [10.0.0.0/8], in: client_ip, ‸case_insensitive: true }\n"),
          "case_insensitive does not apply to 'ip_in'"),
    .init("negate not a boolean", rule("    when: { contains: x, in: path, negate: ‸yes }\n"),
          "bad negate 'yes'; expected true or false"),
    .init("empty contains", rule("    when: { contains: ‸'', in: path }\n"),
          "empty string for 'contains' matches every value"),
    .init("empty phrase", rule("    when: { phrases: [a, ‸''], in: path }\n"), "empty phrase matches every value"),
    .init("missing phrases file", rule("    when: { phrases: { file: ‸no-such-phrases.txt }, in: path }\n"),
          "cannot read phrases file 'rules/no-such-phrases.txt'"),
    .init("bad phrases mapping", rule("    when: { phrases: { ‸path: x.txt }, in: path }\n"),
          "bad 'phrases' mapping; expected `{ file: path }`"),
    .init("priority not an integer", rule("    priority: ‸high\n" + when), "bad priority 'high'; expected an integer"),
    .init("unknown examples key", rule(when + "    examples: { ‸blok: ['GET /'] }\n"),
          "unknown key 'blok' in examples; expected one of: block, allow"),
    .init("examples not a list", rule(when + "    examples: { block: ‸'GET /' }\n"),
          "expected a list of example requests for 'block'"),
    .init("rule not a mapping", rule: "#1 (no valid id)", "name: t\nrules:\n  - ‸5\n", "expected a rule: a mapping"),
    .init("bad mode", rule: nil, "name: t\nmode: ‸shadow\nrules: []\n", "bad mode 'shadow'; expected enforce | detect"),
    .init("bad on_limit", rule: nil, "name: t\non_limit: ‸block\nrules: []\n", "bad on_limit 'block'; expected match | no_match"),
    .init("rules not a list", rule: nil, "name: t\nrules: ‸{}\n", "'rules' is a mapping; expected a list of rules"),
    .init("unknown top key", rule: nil, "name: t\n‸rule: []\n",
          "unknown key 'rule' in the rules file; expected one of: name, description, default_action, mode, on_limit, body, rate_limits, rules"),
]

@Test("rule errors are located and say what was expected", arguments: brokenRules)
func brokenRule(_ broken: BrokenRules) {
    let (text, line, column) = broken.located
    let diagnosis = RuleSetLoader().diagnose(yaml: text, sourcePath: "rules/t.yaml")
    guard let error = diagnosis.errors.first else {
        Issue.record("\(broken.label): compiled but should have failed")
        return
    }
    #expect(error.message.contains(broken.message), "\(broken.label): message was: \(error.message)")
    #expect("\(error.line):\(error.column)" == "\(line):\(column)", "\(broken.label): \(error)")
    let rulePart = broken.rule.map { "rule \($0): " } ?? ""
    #expect(error.description == "rules/t.yaml:\(error.line):\(error.column): \(rulePart)\(error.message)")
    #expect(error.message.contains("expected"), "\(broken.label): says nothing about what was expected")
    #expect(diagnosis.ruleSet == nil)
    // `load` throws the same first error.
    #expect(throws: error) { try RuleSetLoader().load(yaml: text, sourcePath: "rules/t.yaml") }
}

@Test func everyErrorTableCaseIsDistinct() {
    #expect(brokenRules.count >= 60)
    #expect(Set(brokenRules.map(\.label)).count == brokenRules.count)
}

/// `diagnose` goes on after a broken rule or setting and reports them all, in file order.
@Test func diagnoseCollectsEveryError() {
    let yaml = """
    name: t
    mode: loud
    rules:
      - { id: 1, name: a, action: block, when: { contains: x, in: [nowhere] } }
      - { id: 2, name: fine, action: block, when: { contains: x, in: path } }
      - { id: 3, name: c, action: block, when: { regex: 'a)', in: path } }
      - { id: 2, name: again, action: count, when: { contains: y, in: path } }
      - { id: 5, name: e, action: block, when: { contains: x, in: path }, rate_limit: { limit: 1 } }
    """
    let diagnosis = RuleSetLoader().diagnose(yaml: yaml, sourcePath: "t.yaml")
    #expect(diagnosis.errors.map { "\($0.line):\($0.rule?.description ?? "-")" } == ["2:-", "4:1", "6:3", "7:2", "8:5"])
    #expect(diagnosis.ruleCount == 5)
    #expect(diagnosis.ruleSet == nil)
}
