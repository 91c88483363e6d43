@testable import PortcullisEngine
import Testing

/// `RequestCache.summarizeBodyPieces`: one pass over a form body gives each argument's name and
/// value the literal hits and "unchanged by" memo a scan of it alone gives, its groups exact
/// unions, and decisions that agree with walking every value.
@Suite struct BodyPiecePassTests {
    static func set(_ rules: String) throws -> CompiledRuleSet {
        try RuleSetLoader().load(yaml: "name: t\ndefault_action: allow\nrules:\n" + rules, sourcePath: "t.yaml")
    }

    /// Screened checks only (each regex has required literals), and the same plus one whose
    /// regex has no literals but start bytes (`\d`): that one reads a piece's bytes whatever its
    /// screen hits.
    static let screened = """
          - id: 1
            name: word
            action: block
            when: { regex: 'attack', in: [body.args, body.arg_names], transforms: [url_decode, lowercase] }
          - id: 2
            name: tag
            action: block
            when: { regex: '<script', in: [body.args] }
        """
    static let unscreened = screened + """

          - id: 3
            name: digits-then-sign
            action: block
            when: { regex: '\\d{3}\\W', in: [body.args] }
        """

    @Test(arguments: [(screened, false), (unscreened, true)])
    func exactPieceBytesOnlyWhenAnUnscreenedByteFilterReadsPieces(_ rules: String, _ exact: Bool) throws {
        let plan = try Self.set(rules).plan
        #expect(plan.readsBodyPieces)
        #expect(plan.exactPieceBytes == exact)
    }

    static let bodies = [
        "a=1&b=hello&c=%3Cscript%3E",
        "field01=value01abcdefghijklmnopqrstuvwxyz0123456789&field02=an+attack",
        "x=123<&y=9%20%3C&&z&=attack&attack=",
        "q=<scr&ipt>=1&w=ATTACK&n=42",
        "plain=text&tab=a%09b&sp=a+b&UP=Case",
    ]

    /// Each piece's summary and memo against the value alone; the groups' unions and longest.
    @Test(arguments: bodies, [false, true])
    func piecesMatchTheirValuesAlone(_ text: String, _ exact: Bool) throws {
        let screen = try #require(try Self.set(Self.unscreened).plan.screen)
        // The tables are valid while the screen lives.
        _ = withExtendedLifetime(screen) { Self.check(Array(text.utf8), screen.tables, exact: exact) }
    }

    /// Random form bodies of fragments of the default rules' literals, escapes and separators,
    /// through the default rules' screen.
    @Test func randomBodiesThroughTheDefaultScreen() throws {
        let owner = try #require(try EmbeddedRules.load().plan.screen)
        let fragments = ["select", "union", "<script", "alert(", "../", "etc/passwd", "%3C", "%27", "+", "=", "&",
                         "&&", "a", "Z9", " or ", "1=1", "javascript:", "%", "\\", "\u{C3}\u{A9}", "--", "/*"]
        var rng = OperatorTestRNG(seed: 11)
        var withHits = 0
        for round in 0..<300 {
            let text = (0..<Int.random(in: 0...24, using: &rng))
                .map { _ in fragments[Int.random(in: 0..<fragments.count, using: &rng)] }.joined()
            withHits += withExtendedLifetime(owner) {
                Self.check(Array(text.utf8), owner.tables, exact: round % 2 == 0)
            }
        }
        // Many pieces hold literals, so their own byte sets were made too.
        #expect(withHits > 100)
    }

    /// Checks the pass over `body` against each value alone; returns how many pieces had hits.
    @discardableResult
    static func check(_ body: [UInt8], _ screen: LiteralScreen.Tables, exact: Bool) -> Int {
        let text = String(decoding: body, as: UTF8.self)
        let args = URLEncodedArguments.parse(body, limit: 100).values
        var cache = RequestCache()
        cache.summarizeBodyPieces(args, body: body, screen: screen, exactBytes: exact)
        #expect(cache.bodyPieces.ready)
        guard !body.isEmpty else { return 0 }
        var withHits = 0
        #expect(cache.bodyPieces.whole.bytes == ByteSet(of: body))
        #expect(cache.bodyPieces.whole.literals == body.withUnsafeBytes { screen.hits(in: $0) })
        for (list, values) in [(cache.bodyPieces.names, args.map(\.name)), (cache.bodyPieces.values, args.map(\.value))] {
            #expect(list.summaries.count == values.count)
            #expect(list.memos.count == values.count)
            var union = RequestCache.ValueSummary()
            var all = UInt64.max
            for (k, value) in values.enumerated() {
                let alone = value.withUnsafeBytes { RequestCache.ValueSummary($0, screen: screen) }
                let memo = value.withUnsafeBytes { TransformationIdentity.unchangedMask(of: $0) }
                #expect(list.summaries[k].literals == alone.literals, "\(text) #\(k)")
                #expect(list.memos[k] == memo, "\(text) #\(k)")
                // Its own bytes where a filter may read them, else at least its own.
                if alone.literals != LiteralScreen.Hits() { withHits += 1 }
                if exact || alone.literals != LiteralScreen.Hits() {
                    #expect(list.summaries[k].bytes == alone.bytes, "\(text) #\(k)")
                } else {
                    var both = list.summaries[k].bytes
                    both.formUnion(alone.bytes)
                    #expect(both == list.summaries[k].bytes, "\(text) #\(k)")
                }
                union.formUnion(alone)
                all &= memo
            }
            #expect(list.union.bytes == union.bytes, "\(text)")
            #expect(list.union.literals == union.literals, "\(text)")
            #expect(list.unchangedByAll == all, "\(text)")
            #expect(list.longest == values.map(\.count).max() ?? 0, "\(text)")
        }
        return withHits
    }

    /// The pass that cuts a form body itself (no values made) gives what the pass over its parsed
    /// arguments gives: the body's, each name's and value's and each group's summaries and memos.
    @Test(arguments: bodies + ["", "a", "=&=", "x=%41%42&%7A=1&&q=+attack+&tail", "&", "&&a", "a&&", "==", "a==b=",
                               "&=&", "=", "tail", "x=<script&&=&y", "attack&attack=attack", "+", "%", "a=%3C%73cript",
                               "%3Cscript=1&b=+", "a+b=c+d=e&f%=%&g=%2", "q=at%74ack&%61ttack", "++=%%&+&=+"], [false, true])
    func formPassGivesWhatTheParsedArgumentsGive(_ text: String, _ exact: Bool) throws {
        let owner = try #require(try Self.set(Self.unscreened).plan.screen)
        withExtendedLifetime(owner) {
            Self.compareCuts(Array(text.utf8), owner.tables, exact: exact, limit: 100)
        }
    }

    /// Random form bodies of the default rules' literals, separators and escapes, each with an
    /// argument limit that often drops some.
    @Test func randomFormsCutByThePass() throws {
        let owner = try #require(try EmbeddedRules.load().plan.screen)
        let fragments = ["select", "union", "<script", "alert(", "../", "etc/passwd", "=", "&", "&&", "==", "a",
                         "Z9", " or ", "1=1", "&#", "a=b", "javascript:", "\\", "\u{C3}\u{A9}", "--", "/*", "%27",
                         "+", "%3C", "%", "%2", "+or+", "%3D", "%26"]
        var rng = OperatorTestRNG(seed: 23)
        for round in 0..<400 {
            let text = (0..<Int.random(in: 0...20, using: &rng))
                .map { _ in fragments[Int.random(in: 0..<fragments.count, using: &rng)] }.joined()
            let limit = [100, -1, 0, 1, 2, 3][round % 6]
            withExtendedLifetime(owner) {
                Self.compareCuts(Array(text.utf8), owner.tables, exact: round % 3 == 0, limit: limit)
            }
        }
    }

    /// Compares the pass that cuts `body` (`RequestCache.summarizeForm`, told the count
    /// `URLEncodedArguments.shape` gives) with the pass over its parsed arguments.
    /// (`laneMinimum`: the shortest body walked in two lanes.)
    static func compareCuts(_ body: [UInt8], _ screen: LiteralScreen.Tables, exact: Bool, limit: Int,
                            laneMinimum: Int = LiteralScreen.Tables.formLaneMinimum) {
        let text = String(decoding: body, as: UTF8.self) + " (limit \(limit))"
        let (args, overflow) = URLEncodedArguments.parse(body, limit: limit)
        let shape = body.withUnsafeBufferPointer { bytes in
            bytes.baseAddress.map { URLEncodedArguments.shape($0, count: bytes.count, limit: limit) }
                ?? (arguments: 0, overflow: false)
        }
        #expect(shape.arguments == args.count && shape.overflow == overflow, "\(text)")
        var parsed = RequestCache()
        parsed.summarizeBodyPieces(args, body: body, screen: screen, exactBytes: exact)
        let form = body.withUnsafeBufferPointer { bytes in
            bytes.baseAddress.map { RequestView.FormShape($0, count: bytes.count, limit: limit, laneMinimum: laneMinimum) }
                ?? RequestView.FormShape()
        }
        #expect(form.count == shape.arguments && form.overflow == shape.overflow, "\(text)")
        if let split = form.split {
            let before = body.withUnsafeBufferPointer { URLEncodedArguments.shape($0.baseAddress!, count: split.offset, limit: -1) }
            #expect(split.before == before.arguments && body[split.offset - 1] == UInt8(ascii: "&"), "\(text)")
        }
        var cut = RequestCache()
        body.withUnsafeBytes {
            cut.summarizeForm($0, shape: form, limit: limit, screen: screen, exactBytes: exact)
        }
        #expect(cut.bodyPieces.ready)
        #expect(cut.bodyPieces.whole.bytes == parsed.bodyPieces.whole.bytes, "\(text)")
        #expect(cut.bodyPieces.whole.literals == parsed.bodyPieces.whole.literals, "\(text)")
        #expect(cut.bodyPieces.textLength == body.count)
        for (a, b) in [(cut.bodyPieces.names, parsed.bodyPieces.names),
                       (cut.bodyPieces.values, parsed.bodyPieces.values)] {
            #expect(a.summaries.map(\.literals) == b.summaries.map(\.literals), "\(text)")
            #expect(a.summaries.map(\.bytes) == b.summaries.map(\.bytes), "\(text)")
            #expect(a.memos == b.memos, "\(text)")
            #expect(a.union.bytes == b.union.bytes && a.union.literals == b.union.literals, "\(text)")
            #expect(a.unchangedByAll == b.unchangedByAll && a.longest == b.longest, "\(text)")
        }
    }

    /// A form body's arguments are made into values only where a check reads them one by one:
    /// not when every check over them is ruled out from the pass, and once a literal occurs.
    @Test func formArgumentsAreMadeOnlyWhenACheckReadsThem() throws {
        let inspector = Inspector(ruleSet: try Self.set(Self.screened))
        for (text, made) in [("a=1&b=hello", false), ("a=1&b=an+attack", true)] {
            let wire = "POST /f\nContent-Type: application/x-www-form-urlencoded\n\n" + text
            guard case .success(let parsed) = ExampleRequest.parse(wire) else {
                Issue.record("does not parse: \(wire)")
                continue
            }
            let view = RequestView(head: parsed.head, clientAddress: Array("192.0.2.1".utf8), body: parsed.body)
            var scratch = EvaluationScratch()
            var state = EvaluationState()
            var verdict: Verdict?
            for phase in Phase.allCases where verdict == nil {
                verdict = inspector.evaluate(phase, request: view, state: &state, scratch: &scratch)
            }
            // The body's arguments and their names are entries; their values exist only if made.
            let entries = state.cache.targets.filter { !$0.values.isEmpty }.count
            #expect(state.cache.targets.count == 2, "\(text)")
            #expect(entries == (made ? 1 : 0), "\(text)")
            #expect(state.cache.pending.nonzeroBitCount == (made ? 1 : 2), "\(text)")
            #expect((verdict != nil) == made, "\(text)")
        }
    }


    /// Verdicts and match records of the summarized path and of a full walk (every value to its
    /// operator), for both kinds of plan.
    @Test(arguments: [screened, unscreened])
    func decisionsAgreeWithTheFullWalk(_ rules: String) throws {
        let set = try Self.set(rules)
        let inspector = Inspector(ruleSet: set)
        var fast = EvaluationScratch()
        var blocked = 0
        for text in Self.bodies {
            let wire = "POST /f\nContent-Type: application/x-www-form-urlencoded\n\n" + text
            guard case .success(let parsed) = ExampleRequest.parse(wire) else {
                Issue.record("does not parse: \(wire)")
                continue
            }
            let view = RequestView(head: parsed.head, clientAddress: Array("192.0.2.1".utf8), body: parsed.body)
            let (verdict, _) = decideAgreeingWithTheFullWalk(inspector, view, scratch: &fast, "\(text)")
            if case .block = verdict { blocked += 1 }
        }
        // Some bodies match, some do not.
        #expect(blocked > 0 && blocked < Self.bodies.count)
    }
}
