import PortcullisEngine
import PortcullisHTTP
import Testing

/// The ordinary entry points decide most checks from per-request summaries (absent targets,
/// literal-screen candidates resolved before each phase); an active observer makes the inspector
/// walk every target of every check instead. Both must find exactly the same matches.
@Suite struct ScreenAgreementTests {
    /// Sees everything, records nothing: only being active matters.
    struct Walker: InspectionObserver {}
    /// Also asks for every transformation step (no per-request cache of chains).
    struct StepWalker: InspectionObserver {
        static var wantsSteps: Bool { true }
    }

    /// Requests beyond the rules' own examples: several arguments where a later one matches,
    /// bodies of each kind, names that match, cookies and headers.
    static let extraRequests = [
        "GET /search?a=1&b=2&c=%3Cscript%3Ealert(1)%3C/script%3E",
        "GET /x?first=plain&second=1%27%20OR%20%271%27%3D%271",
        "GET /x?union%20select=1&y=2",
        "GET /x?q=ordinary+words&r=/etc/passwd",
        "GET /files/../../etc/passwd",
        // The uri summarized from its path and query (`URIParts`): literals on either side of
        // the `?`, and across it.
        "GET /shell.php?<?php=system&cmd=id",
        "GET /a<?php?x=1",
        "GET /index.html?user=alice&page=2&sort=desc&lang=en&id=12345&ref=home&color=blue&size=m&qty=3",
        "POST /form\nContent-Type: application/x-www-form-urlencoded\n\na=1&b=hello&c=%3Cscript%3E",
        "POST /api\nContent-Type: application/json\n\n{\"user\":{\"name\":\"x\",\"bio\":\"1 union select password from users\"}}",
        "GET /\nCookie: session=abc; theme=<script>alert(1)</script>",
        "GET /\nUser-Agent: sqlmap/1.7\nReferer: javascript:alert(1)",
        "GET /?x=XyQkTkRfRlVOQyQkXwo=&y=plain",
        "GET /?a=child_process&b=require('fs')",
        "POST /form\nContent-Type: application/x-www-form-urlencoded\n\nfield01=value01abcdefghijklmnopqrstuvwxyz0123456789&field02=cat+/etc/passwd",
        // Literals that only occur across the pieces of a form (`union=select`, `<scr&ipt>`).
        "POST /form\nContent-Type: application/x-www-form-urlencoded\n\nunion=select&q=<scr&ipt>=1&x=javascript&y=:alert",
        "POST /up\nContent-Type: multipart/form-data; boundary=XX\n\n--XX\nContent-Disposition: form-data; name=\"a\"\n\nplain\n--XX\nContent-Disposition: form-data; name=\"b\"\n\n<script>alert(1)</script>\n--XX--",
    ]

    /// Every rule evaluated (`mode: detect`), so the whole match list is compared.
    static func detecting(_ set: CompiledRuleSet) -> CompiledRuleSet {
        CompiledRuleSet(name: set.name, sourcePath: set.sourcePath, defaultAction: set.defaultAction, body: set.body,
                        rules: set.headerRules + set.bodyRules, mode: .detect, limitOutcome: set.limitOutcome,
                        sourceFiles: set.sourceFiles, rateLimitSettings: set.rateLimitSettings,
                        loadedAt: set.loadedAt, loadDuration: set.loadDuration)
    }

    static func requests(of set: CompiledRuleSet) -> [String] {
        (set.headerRules + set.bodyRules).flatMap { $0.examples.map(\.request) } + extraRequests
    }

    struct Outcome: Equatable, CustomStringConvertible {
        var verdict: Verdict
        var matches: [MatchRecord]
        var description: String {
            "\(verdict) " + matches.map { "\($0.ruleID)@\($0.target ?? "-"):\($0.offset)" }.joined(separator: " ")
        }
    }

    static func outcome<O: InspectionObserver>(_ inspector: Inspector, _ view: RequestView,
                                               _ scratch: inout EvaluationScratch, _ observer: inout O) -> Outcome {
        let (verdict, state) = inspector.decide(view, scratch: &scratch, observer: &observer)
        return Outcome(verdict: verdict, matches: state.matches)
    }

    @Test(arguments: [false, true])
    func summariesDecideAsTheFullWalk(detect: Bool) throws {
        let loaded = try EmbeddedRules.load()
        let set = detect ? Self.detecting(loaded) : loaded.enforcing()
        let inspector = Inspector(ruleSet: set)
        // One scratch for the fast path, as an event loop recycles its cache between requests.
        var fast = EvaluationScratch()
        var compared = 0
        var blocked = 0
        for text in Self.requests(of: set) {
            guard case .success(let parsed) = ExampleRequest.parse(text) else { continue }
            let view = RequestView(head: parsed.head, clientAddress: Array(ExampleRequest.clientAddress.utf8),
                                   body: parsed.body)
            set.resetRateLimitState()
            var none = NoInspectionObserver()
            let quick = Self.outcome(inspector, view, &fast, &none)
            set.resetRateLimitState()
            var walkScratch = EvaluationScratch()
            var walker = Walker()
            let walked = Self.outcome(inspector, view, &walkScratch, &walker)
            set.resetRateLimitState()
            var stepScratch = EvaluationScratch()
            var stepper = StepWalker()
            let stepped = Self.outcome(inspector, view, &stepScratch, &stepper)
            #expect(quick == walked, "\(text): summaries \(quick) vs walk \(walked)")
            #expect(quick == stepped, "\(text): summaries \(quick) vs stepwise \(stepped)")
            compared += 1
            if case .block = quick.verdict { blocked += 1 }
        }
        // The comparison covered the rule set's examples, blocked and allowed ones alike.
        #expect(compared > 250)
        if !detect { #expect(blocked > 100) }
    }
}
