import PortcullisEngine
import PortcullisHTTP
import Testing

/// The observer hook reports every step of an evaluation in order, and watching changes nothing
/// about the verdict or the matches.
@Suite struct InspectionObserverTests {
    static let rules = """
        name: observer-test
        default_action: allow
        rules:
          - id: 1
            name: count-admin
            action: count
            labels: [area:admin]
            when: { starts_with: /admin, in: [path] }
          - id: 2
            name: sqli
            action: block
            when:
              regex: 'union\\s+select'
              in: [query.args]
              except: [query.arg:safe]
              transforms: [url_decode, lowercase]
          - id: 3
            name: admin-needs-token
            action: block
            when:
              all:
                - label: "area:"
                - not: { equals: secret, in: [header:X-Token] }
        """

    /// Records the callbacks as short lines.
    struct Recorder: InspectionObserver {
        static var wantsSteps: Bool { true }
        var events: [String] = []
        mutating func ruleStarted(_ rule: CompiledRule, phase: Phase) { events.append("rule \(rule.id)") }
        mutating func targetRead(_ selector: TargetSelector, values: [TargetValue]) {
            events.append("read \(selector) \(values.count)")
        }
        mutating func transformed(_ selector: TargetSelector, index: Int, step: Transformation, result: [UInt8]) {
            events.append("step \(index) \(step.rawValue) \(String(decoding: result, as: UTF8.self))")
        }
        mutating func excluded(_ selector: TargetSelector, index: Int) { events.append("excluded \(index)") }
        mutating func operatorEvaluated(_ check: Check, selector: TargetSelector, index: Int, input: [UInt8],
                                        result: OperatorResult) {
            events.append("op \(index) \(result)")
        }
        mutating func checkFinished(_ check: Check, matched: Bool) { events.append("check \(matched)") }
        mutating func labelTested(_ match: LabelMatch, present: Bool) { events.append("label \(present)") }
        mutating func negationFinished(innerMatched: Bool) { events.append("not \(innerMatched)") }
        mutating func labelsAdded(_ labels: [Label]) { events.append("labels \(labels)") }
        mutating func ruleFinished(_ rule: CompiledRule, outcome: RuleOutcome) { events.append("outcome \(outcome)") }
        mutating func phaseEnded(_ phase: Phase, verdict: Verdict?, reason: StopReason) {
            events.append("phase \(phase.rawValue) \(reason)")
        }
        mutating func decided(_ verdict: Verdict, reason: StopReason) { events.append("decided \(reason)") }
    }

    static func run(_ text: String) throws -> (watched: (Verdict, EvaluationState), plain: (Verdict, EvaluationState),
                                               events: [String]) {
        let set = try RuleSetLoader().load(yaml: rules, sourcePath: "observer.yaml")
        let parsed = try ExampleRequest.parse(text).get()
        let inspector = Inspector(ruleSet: set)
        var scratch = EvaluationScratch()
        var recorder = Recorder()
        let watched = inspector.decide(RequestView(head: parsed.head, clientAddress: Array("192.0.2.1".utf8),
                                                   body: parsed.body), scratch: &scratch, observer: &recorder)
        let plain = inspector.decide(RequestView(head: parsed.head, clientAddress: Array("192.0.2.1".utf8),
                                                 body: parsed.body), scratch: &scratch)
        return (watched, plain, recorder.events)
    }

    @Test func reportsEachStepOfABlock() throws {
        let (watched, plain, events) = try Self.run("GET /search?safe=UNION+SELECT&q=UNION%20Select")
        #expect(watched.0 == plain.0)
        #expect(watched.1.matches == plain.1.matches)
        #expect(events == [
            "rule 1", "read path 1", "op 0 noMatch", "check false", "outcome noMatch",
            "rule 2", "read query.args 2",
            "step 0 url_decode UNION SELECT", "step 0 lowercase union select",
            "step 1 url_decode UNION Select", "step 1 lowercase union select",
            "excluded 0", "op 1 match(Range(0..<12))", "check true", "outcome blocked",
            "phase 1 ruleDecided(2)", "decided ruleDecided(2)",
        ])
    }

    @Test func reportsLabelsNegationAndTheDefaultAction() throws {
        let (watched, plain, events) = try Self.run("GET /admin/x\nX-Token: secret\n")
        #expect(watched.0 == .allow)
        #expect(plain.0 == .allow)
        #expect(watched.1.matches.map(\.ruleID) == [RuleID(1)])
        #expect(events == [
            "rule 1", "read path 1", "op 0 match(Range(0..<6))", "check true", "labels [area:admin]", "outcome counted",
            "rule 2", "read query.args 0", "check false", "outcome noMatch",
            "rule 3", "label true", "read header:X-Token 1", "op 0 match(Range(0..<6))", "check true", "not true", "outcome noMatch",
            "phase 1 phaseComplete", "phase 2 phaseComplete", "decided defaultAction",
        ])
    }
}
