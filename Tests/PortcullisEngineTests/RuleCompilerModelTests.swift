import Testing
@testable import PortcullisEngine

/// `Fixtures/<relative>`, found from this file's path.
func fixture(_ relative: String, file: String = #filePath) -> String {
    var parts = file.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast()
    return parts.joined(separator: "/") + "/Fixtures/" + relative
}

/// The package root, found from this file's path.
func packageRoot(file: String = #filePath) -> String {
    var parts = file.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}

private func allChecks(_ condition: Condition) -> [Check] {
    switch condition {
    case .check(let c): return [c]
    case .all(let cs), .any(let cs): return cs.flatMap(allChecks)
    case .not(let c): return allChecks(c)
    case .label: return []
    }
}

private func rule(_ set: CompiledRuleSet, _ id: Int) throws -> CompiledRule {
    try #require((set.headerRules + set.bodyRules).first { $0.id == RuleID(id) })
}

@Test func everyFormCompilesToTheModel() throws {
    let path = fixture("rules/every-form.yaml")
    let diagnosis = RuleSetLoader(wallClock: { .seconds(7) }).diagnose(contentsOf: path)
    #expect(diagnosis.errors.isEmpty, "\(diagnosis.errors)")
    #expect(diagnosis.warnings.isEmpty, "\(diagnosis.warnings)")
    let set = try diagnosis.get()

    #expect(set.name == "every-form")
    #expect(set.defaultAction == .block)
    #expect(set.mode == .detect)
    #expect(set.limitOutcome == .noMatch)
    #expect(set.body == BodyInspection(inspectLimit: 1 << 20, oversize: .continue))
    #expect(set.loadedAt == .seconds(7))
    #expect(set.sourceFiles == [path, fixture("rules/every-form-phrases.txt")])

    // Phases from the targets read; order by priority, then file order (default priority: index).
    #expect(set.headerRules.map(\.id.value) == [102, 100, 103, 104, 105, 106])
    #expect(set.bodyRules.map(\.id.value) == [107, 101])
    #expect(set.headerRules.map(\.priority) == [-5, 0, 3, 4, 5, 6])
    #expect(set.bodyRules.map(\.priority) == [-5, 1])

    let targets = try rule(set, 100)
    #expect(targets.name == "header-targets")
    #expect(targets.description == "every header-phase target, every transformation")
    #expect(targets.action == .count)
    #expect(targets.labels == [Label("t:all-targets")])
    #expect(targets.source == "\(path):10")
    let check100 = try #require(allChecks(targets.condition).first)
    #expect(check100.transforms == Transformation.allCases)
    let kinds = Set(check100.targets.map(\.kind)).union(try allChecks(rule(set, 101).condition)[0].targets.map(\.kind))
    #expect(kinds == Set(TargetKind.allCases))
    #expect(check100.targets.contains(TargetSelector(kind: .header, name: Array("User-Agent".utf8))))
    #expect(check100.op.summary.contains("zz[0-9]+"))
    #expect(!check100.negated)

    let body = try rule(set, 101)
    #expect(body.phase == .requestBody)
    #expect(body.action == .block(BlockResponse()))

    #expect(try rule(set, 102).action == .allow)

    let negated = try #require(allChecks(try rule(set, 103).condition).first)
    #expect(negated.negated)
    #expect(negated.exclusions == [TargetSelector(kind: .queryArg, name: Array("password".utf8)),
                                   TargetSelector(kind: .queryArg, name: Array("pw".utf8))])
    #expect(try rule(set, 103).labels == [Label("t:negated"), Label("other")])

    let strings = try rule(set, 104)
    #expect(strings.action == .block(BlockResponse(status: 429, body: Array("slow down\n".utf8), headers: [
        .init(name: Array("Retry-After".utf8), value: Array("60".utf8)),
        .init(name: Array("X-Blocked-By".utf8), value: Array("portcullis".utf8)),
    ])))
    guard case .any(let parts) = strings.condition else {
        Issue.record("104 should be any")
        return
    }
    #expect(parts.count == 3)

    guard case .all(let numbers) = try rule(set, 106).condition, numbers.count == 5 else {
        Issue.record("106 should be all of 5")
        return
    }
    guard case .not(.label(.namespace("t:"))) = numbers[3], case .label(.exact(Label("t:negated"))) = numbers[4] else {
        Issue.record("106 label forms: \(numbers)")
        return
    }

    let nested = try rule(set, 107)
    #expect(nested.phase == .requestBody)
    #expect(nested.examples.map(\.line) == [85, 87, 88])
    #expect(nested.examples.map(\.expectation) == [.block, .allow, .allow])
    #expect(nested.examples[2].request.hasPrefix("POST /form HTTP/1.1\nContent-Type:"))
}

@Test("phrase files: one per line, comments and blanks skipped, trimmed")
func phraseFileLines() {
    let lines = ConditionCompiler.phraseLines(Array("# c\n  a b \n\n#x\nc\r\n\t d\n".utf8))
    #expect(lines == [Array("a b".utf8), Array("c".utf8), Array("d".utf8)])
}

@Test func detectModeExamplesRunEnforced() throws {
    let set = try RuleSetLoader().load(yaml: """
        name: shadow
        mode: detect
        rules:
          - id: 1
            name: dots
            action: block
            when: { contains: '../', in: uri }
            examples: { block: ['GET /a/../etc/passwd'], allow: ['GET /a/b'] }
        """, sourcePath: "s.yaml")
    #expect(set.mode == .detect)
    let enforcing = set.enforcing()
    #expect(enforcing.mode == .enforce)
    #expect(set.mode == .detect)
    #expect(enforcing.headerRules.map(\.id) == set.headerRules.map(\.id))
}
