@testable import PortcullisEngine
import Testing

/// A target with one raw value is summarized and has its memo seeded without the loop over
/// values (`Inspector.summarize`, `seedMemos`): what that gives must be what a scan of the value
/// gives — its summary, union and length exactly; its memo sound (every transformation it claims
/// leaves the value unchanged does) and at least what the byte table proves.
@Suite struct SingleValueSeedTests {
    static let requests = [
        "GET /index.html HTTP/1.1\r\nHost: bench.local\r\nUser-Agent: peer-bench/1.0 (wrk)\r\nAccept: */*\r\n\r\n",
        "GET /A/b/../C?x=1&Y=%41 HTTP/1.1\r\nHost: EXAMPLE.org\r\nUser-Agent: Mozilla/5.0 <script>\r\n\r\n",
        "GET / HTTP/1.0\r\nHost: h\r\nReferer: http://a.example/?q=1\r\nUser-Agent: \r\n\r\n",
        "POST /submit HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nA&lt;b%41c",
    ]

    static func bit(_ t: Transformation) -> UInt64 { UInt64(1) << UInt64(t.ordinal) }

    @Test(arguments: requests)
    func oneValueIsSummarizedAndSeededAsScanned(_ raw: String) throws {
        let set = try EmbeddedRules.load()
        let screen = try #require(set.plan.screen)
        let (head, body) = try EvaluationCacheTests.parsed(raw)
        let view = RequestView(head: head, clientAddress: Array("192.0.2.1".utf8), body: body)
        var scratch = EvaluationScratch()
        var state = EvaluationState()
        let inspector = Inspector(ruleSet: set)
        for phase in Phase.allCases {
            _ = inspector.evaluate(phase, request: view, state: &state, scratch: &scratch)
        }
        var summarized = 0, seeded = 0
        withExtendedLifetime(screen) {
            for chain in state.cache.chains where chain.summarized && chain.values == nil {
                let target = state.cache.targets[Int(chain.target)]
                guard target.values.count == 1 else { continue }
                let value = target.values[0].value
                let scanned = value.withUnsafeBytes { ValueScan(screen.tables).summary(of: $0) }
                let own = state.cache.summaries[chain.firstSummary]
                #expect(own.bytes == scanned.bytes && own.literals == scanned.literals, "\(target.slot)")
                #expect(chain.union.bytes == scanned.bytes && chain.union.literals == scanned.literals)
                #expect(chain.longest == value.count, "\(target.slot)")
                summarized += 1
            }
        }
        for target in state.cache.targets where target.memosReady && target.values.count == 1 {
            let value = Array(target.values[0].value)
            let memo = state.cache.memos[target.firstMemo]
            let proven = TransformationIdentity.unchangedMask(of: value)
            #expect(memo & proven == proven && target.unchangedByAll & proven == proven, "\(target.slot)")
            for t in Transformation.allCases where memo & Self.bit(t) != 0 {
                #expect(t.apply(value) == value, "slot \(target.slot) claims \(t.rawValue) leaves it unchanged")
            }
            seeded += 1
        }
        #expect(summarized >= 3 && seeded >= 3)
    }
}
