import Testing
@testable import PortcullisEngine

/// One row of an operator table: a spec compiled through `OperatorFactory`, a value, the result.
struct OperatorCase: Sendable, CustomTestStringConvertible {
    let spec: OperatorSpec
    let value: [UInt8]
    let expected: OperatorResult
    let note: String
    var testDescription: String { note.isEmpty ? "\(spec) on \(value)" : note }

    init(_ spec: OperatorSpec, _ value: [UInt8], _ expected: OperatorResult, _ note: String = "") {
        self.spec = spec
        self.value = value
        self.expected = expected
        self.note = note
    }

    init(_ spec: OperatorSpec, _ value: String, _ expected: OperatorResult, _ note: String = "") {
        self.init(spec, Array(value.utf8), expected, note)
    }
}

func opBytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Evaluates `op` on `value` with a fresh scratch (tests only; the hot path reuses one).
func opEvaluate(_ op: any MatchOperator, _ value: [UInt8], limits: MatchLimits = .default) -> OperatorResult {
    var scratch = EvaluationScratch(limits: limits)
    return value.withUnsafeBytes { op.evaluate($0, scratch: &scratch) }
}

/// Runs one table row through the factory and checks the result.
func opCheck(_ row: OperatorCase) throws {
    let op = try OperatorFactory.make(row.spec)
    #expect(opEvaluate(op, row.value) == row.expected, "\(op.summary) on \(row.value)")
}

// MARK: Factory errors

struct OperatorErrorCase: Sendable, CustomTestStringConvertible {
    let spec: OperatorSpec
    let messageContains: String
    let offset: Int?
    let entry: Int?
    var testDescription: String { "\(spec)" }
}

private let errorTable: [OperatorErrorCase] = [
    OperatorErrorCase(spec: .regex("a(b", caseInsensitive: false), messageContains: "missing closing parenthesis",
                      offset: 3, entry: nil),
    OperatorErrorCase(spec: .regex("ab)", caseInsensitive: true), messageContains: "closing parenthesis",
                      offset: 2, entry: nil),
    OperatorErrorCase(spec: .regex("x[a", caseInsensitive: false), messageContains: "missing terminating ]",
                      offset: 3, entry: nil),
    OperatorErrorCase(spec: .regex("a{2,1}", caseInsensitive: false), messageContains: "out of order",
                      offset: 5, entry: nil),
    // Byte semantics are not negotiable from inside a pattern (PCRE2_NEVER_UTF).
    OperatorErrorCase(spec: .regex("(*UTF)a", caseInsensitive: false), messageContains: "UTF",
                      offset: 6, entry: nil),
    OperatorErrorCase(spec: .regexAny(["ok", "fine", "(x"], caseInsensitive: false),
                      messageContains: "missing closing parenthesis", offset: 2, entry: 2),
    OperatorErrorCase(spec: .regexAny(["?bad"], caseInsensitive: false),
                      messageContains: "quantifier does not follow a repeatable item", offset: 0, entry: 0),
    OperatorErrorCase(spec: .regexAny([], caseInsensitive: false), messageContains: "empty", offset: nil, entry: nil),
    OperatorErrorCase(spec: .contains([], caseInsensitive: false), messageContains: "empty", offset: nil, entry: nil),
    OperatorErrorCase(spec: .startsWith([], caseInsensitive: true), messageContains: "empty", offset: nil, entry: nil),
    OperatorErrorCase(spec: .endsWith([], caseInsensitive: false), messageContains: "empty", offset: nil, entry: nil),
    OperatorErrorCase(spec: .containsWord([], caseInsensitive: false), messageContains: "empty", offset: nil, entry: nil),
    OperatorErrorCase(spec: .phrases([], caseInsensitive: false), messageContains: "empty phrase list",
                      offset: nil, entry: nil),
    OperatorErrorCase(spec: .phrases([opBytes("a"), opBytes("b"), []], caseInsensitive: false),
                      messageContains: "empty phrase", offset: nil, entry: 2),
    OperatorErrorCase(spec: .ipIn([]), messageContains: "empty", offset: nil, entry: nil),
    OperatorErrorCase(spec: .ipIn(["10.0.0.0/8", "10.0.0.256"]), messageContains: "bad IPv4", offset: nil, entry: 1),
    OperatorErrorCase(spec: .ipIn(["::1/129"]), messageContains: "0…128", offset: nil, entry: 0),
    OperatorErrorCase(spec: .ipIn(["1.2.3.4", "1.2.3.4/33"]), messageContains: "0…32", offset: nil, entry: 1),
    OperatorErrorCase(spec: .ipIn(["1.2.3.4/"]), messageContains: "0…32", offset: nil, entry: 0),
    OperatorErrorCase(spec: .ipIn(["1.2.3.4/x"]), messageContains: "prefix", offset: nil, entry: 0),
    OperatorErrorCase(spec: .ipIn(["1.2.3.4/0008"]), messageContains: "prefix", offset: nil, entry: 0),
    OperatorErrorCase(spec: .ipIn(["01.2.3.4"]), messageContains: "bad IPv4", offset: nil, entry: 0),
    OperatorErrorCase(spec: .ipIn(["a", "b", "c", "1::2::3"]), messageContains: "bad IPv4", offset: nil, entry: 0),
    OperatorErrorCase(spec: .ipIn(["::1", "1::2::3"]), messageContains: "bad IPv6", offset: nil, entry: 1),
    OperatorErrorCase(spec: .ipIn(["example.com"]), messageContains: "bad IPv4", offset: nil, entry: 0),
    OperatorErrorCase(spec: .ipIn([""]), messageContains: "bad IPv4", offset: nil, entry: 0),
    OperatorErrorCase(spec: .number(.gt, .nan), messageContains: "finite", offset: nil, entry: nil),
    OperatorErrorCase(spec: .number(.lt, .infinity), messageContains: "finite", offset: nil, entry: nil),
]

@Test("factory refuses bad specs", arguments: errorTable)
func operatorFactoryError(_ row: OperatorErrorCase) {
    #expect(throws: OperatorError.self) { _ = try OperatorFactory.make(row.spec) }
    do {
        _ = try OperatorFactory.make(row.spec)
    } catch {
        #expect(error.message.contains(row.messageContains), "message: \(error.message)")
        #expect(error.offset == row.offset, "offset: \(String(describing: error.offset))")
        #expect(error.entry == row.entry, "entry: \(String(describing: error.entry))")
    }
}

// MARK: Summaries

private let summaryTable: [(OperatorSpec, String)] = [
    (.regex(#"\bselect\b"#, caseInsensitive: false), #"regex "\bselect\b""#),
    (.regex("abc", caseInsensitive: true), #"regex "abc" (case-insensitive)"#),
    (.regexAny(["a", "b", "c"], caseInsensitive: false), #"regex_any "a" (+2 more)"#),
    (.equals(opBytes("GET"), caseInsensitive: false), #"equals "GET""#),
    (.equals([], caseInsensitive: false), #"equals """#),
    (.contains(opBytes("select"), caseInsensitive: false), #"contains "select""#),
    (.contains([0x61, 0x00, 0xFF, 0x22, 0x5C], caseInsensitive: true), #"contains "a\x00\xff\"\\" (case-insensitive)"#),
    (.startsWith(opBytes("/admin"), caseInsensitive: false), #"starts_with "/admin""#),
    (.endsWith(opBytes(".php"), caseInsensitive: true), #"ends_with ".php" (case-insensitive)"#),
    (.containsWord(opBytes("union"), caseInsensitive: false), #"contains_word "union""#),
    (.phrases((0..<120).map { opBytes("p\($0)") }, caseInsensitive: false), "phrases (120)"),
    (.ipIn(["10.0.0.0/8", "::1", "192.168.0.0/16"]), "ip_in (3 blocks)"),
    (.ipIn(["::1"]), "ip_in (1 block)"),
    (.size(.gt, 100), "size > 100"),
    (.size(.le, 0), "size <= 0"),
    (.number(.ge, 3.5), "number >= 3.5"),
    (.number(.eq, -2), "number == -2"),
    (.number(.ne, 1e20), "number != 1e+20"),
]

@Test func operatorSummaries() throws {
    #expect(summaryTable.count > 10)
    for (spec, expected) in summaryTable {
        #expect(try OperatorFactory.make(spec).summary == expected)
    }
    let long = String(repeating: "x", count: 100)
    let summary = try OperatorFactory.make(.contains(opBytes(long), caseInsensitive: false)).summary
    #expect(summary == "contains \"" + String(repeating: "x", count: 60) + "…\"")
}

@Test func operatorFactoryTablesAreNotEmpty() {
    #expect(errorTable.count > 20)
    #expect(summaryTable.count > 10)
}
