import Foundation
import Testing
@testable import PortcullisEngine

private let checker = RuleSetChecker()

@Test func checkerReportsAFileThatHolds() {
    let path = fixture("checked/good.yaml")
    let report = checker.check(paths: [path])
    #expect(report.passed())
    #expect(report.passed(strict: true))
    #expect(report.lines(quiet: false) == ["\(path): 3 rules, 6 examples, all held"])
    #expect(report.lines(quiet: true).isEmpty)
}

@Test func checkerReportsFailingExamples() {
    let path = fixture("checked/failing.yaml")
    let report = checker.check(paths: [path])
    #expect(!report.passed())
    let lines = report.lines(quiet: true)
    #expect(lines.count == 7)
    #expect(lines.first == "\(path):16: rule 11 (traversal): block example not blocked: GET /static/../etc/passwd "
        + "(allowed by rule 10 (allow-static))")
    #expect(lines.last == "\(path): 4 rules, 6 examples, 6 failed")
}

@Test func checkerReportsEveryError() {
    let path = fixture("checked/broken.yaml")
    let report = checker.check(paths: [path])
    #expect(!report.passed())
    #expect(report.lines(quiet: false) == [
        "\(path):2:7: bad mode 'loud'; expected enforce | detect",
        "\(path):7:31: rule 20: unknown target 'nowhere'; expected one of: \(ConditionCompiler.targetList)",
        "\(path):12:18: rule 21: bad regex: missing closing parenthesis; expected a valid PCRE2 pattern",
        "\(path): 3 errors; examples not run",
    ])
}

@Test func warningsFailOnlyWhenStrict() {
    let path = fixture("checked/risky.yaml")
    let report = checker.check(paths: [path])
    #expect(report.passed())
    #expect(!report.passed(strict: true))
    let lines = report.lines(quiet: true)
    #expect(lines.count == 2)
    #expect(lines[0].hasPrefix("\(path):9:16: warning: rule 30: regex may backtrack catastrophically: "
        + #"nested quantifier in '(\w+\s?)+'"#))
    #expect(lines[1] == "\(path): 1 rule, 2 examples, all held; 1 warning")
}

@Test func checkerSeveralFilesAndAMissingOne() {
    let report = checker.check(paths: [fixture("checked/good.yaml"), "/nonexistent/rules.yaml"])
    #expect(report.files.count == 2)
    #expect(!report.passed())
    #expect(report.lines(quiet: true) == [
        "/nonexistent/rules.yaml:1:1: cannot read rules file: No such file or directory; expected a readable YAML file",
        "/nonexistent/rules.yaml: 1 error; examples not run",
    ])
}

/// Every shipped rules file compiles and all its examples hold (warnings are reported by
/// `portcullis check`, and fail it only with `--strict`).
@Test func shippedRuleFilesPassTheChecker() throws {
    let root = packageRoot() + "/Rules"
    var paths: [String] = []
    let walker = try #require(FileManager.default.enumerator(atPath: root))
    for case let relative as String in walker where relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") {
        paths.append(root + "/" + relative)
    }
    #expect(paths.count >= 1)
    #expect(paths.contains(root + "/default.yaml"))
    let report = checker.check(paths: paths.sorted())
    for file in report.files {
        for line in file.errors.map(\.description) + file.failureLines { Issue.record("\(line)") }
    }
    #expect(report.passed())
    #expect(report.files.count == paths.count)
}
