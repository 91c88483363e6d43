@testable import PortcullisEngine
import Testing

/// The raw `uri`'s and `query`'s memos seeded from one pass over the uri, or the uri's from the
/// path's (`seedURIMemos`), must be what seeding each value from its own bytes gives: every
/// transformation they claim leaves the value unchanged does (sound), and they claim at least
/// what the byte table proves.
@Suite struct URIMemoTests {
    static let targets = URIPartsTests.targets.filter { $0.utf8.allSatisfy { $0 < 0x80 } } + [
        "/A?b", "/a?B", "/PATH?query", "/path?QUERY", "/a%41?x+y", "/a/../b?c=%2e%2e", "/x?&lt;", "/x&lt;?y",
        "/<?php", "/??=", "/a?b=c?d", "/AbC?",
    ]

    static func bit(_ t: Transformation) -> UInt64 { UInt64(1) << UInt64(t.ordinal) }

    @Test(arguments: targets)
    func memosFromTheURIPassAreThoseOfTheValues(_ target: String) throws {
        let set = try EmbeddedRules.load()
        let parts = try #require(set.plan.uriParts)
        let (head, body) = try EvaluationCacheTests.parsed("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n")
        let view = RequestView(head: head, clientAddress: Array("192.0.2.1".utf8), body: body)
        var scratch = EvaluationScratch()
        var state = EvaluationState()
        _ = Inspector(ruleSet: set).evaluate(.requestHeaders, request: view, state: &state, scratch: &scratch)
        var seeded: [Int32: Int] = [:]
        for slot in [parts.uri, parts.path, parts.query] {
            let entry = Int(state.cache.targetIndex[Int(slot)])
            guard entry >= 0, state.cache.targets[entry].memosReady else { continue }
            let value = Array(try #require(state.cache.targets[entry].values.first).value)
            let memo = state.cache.memos[state.cache.targets[entry].firstMemo]
            let proven = TransformationIdentity.unchangedMask(of: value)
            #expect(memo & proven == proven, "\(target): slot \(slot) claims less than its bytes prove")
            for t in Transformation.allCases where memo & Self.bit(t) != 0 {
                #expect(t.apply(value) == value, "\(target): slot \(slot) claims \(t.rawValue) leaves it unchanged")
            }
            seeded[slot] = state.cache.targets[entry].firstMemo
        }
        // On the default rules the uri is seeded; with a `?`, the query by the same pass (the
        // memo after the uri's), without one, from the path's memo (the same bytes).
        let uri = try #require(seeded[parts.uri], "\(target): uri not seeded")
        if target.contains("?") {
            #expect(seeded[parts.query] == uri + 1, "\(target)")
        } else {
            let path = try #require(seeded[parts.path], "\(target): path not seeded")
            // (The path's may have learnt more since, from a chain that ran over it.)
            #expect(state.cache.memos[uri] & ~state.cache.memos[path] == 0, "\(target)")
        }
    }
}
