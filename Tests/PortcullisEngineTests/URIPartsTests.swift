@testable import PortcullisEngine
import Testing

/// The raw `uri`'s summary made from the raw `path`'s and `query`'s (`URIParts`) must be exactly
/// the summary of a scan of the uri: its bytes and every literal hit, those reaching across the
/// `?` included.
@Suite struct URIPartsTests {
    /// Literals that reach across a `?` in every way (`?` first, last, inside, alone), others
    /// that do not, and one longer than any window.
    static let literalSets: [Set<[UInt8]>] = [
        ["a?b"], ["?"], ["x?"], ["?y"], ["abc?def"], ["php"], ["=http"], ["index"], ["<?php", "<?="], ["q"],
    ].map { Set($0.map { Array($0.utf8) }) }

    static let targets = [
        "/", "/?", "/??", "/index.html", "/index.html?", "/?x", "/a?b", "/a?b?c", "/xa?by", "/abc?def",
        "/ab?c", "/x?", "/x??y", "/abc?de", "/bc?def", "/z<?php", "/<?=x", "/p?hp", "/ph?p", "/A?B",
        "/index.html?user=alice&page=2&sort=desc&lang=en&id=12345&ref=home&color=blue&size=m&qty=3&session=abcdef123456",
        "/?id=1%27%20OR%20%271%27%3D%271", "/x.php?file=http://evil.example/a.txt?", "/caf\u{E9}?q=\u{E9}t\u{E9}",
    ]

    /// The uri's summary by a scan, and from its parts as the inspector makes it.
    static func both(_ target: String, _ screen: LiteralScreen.Tables, _ parts: URIParts)
        -> (scanned: RequestCache.ValueSummary, fromParts: RequestCache.ValueSummary?) {
        let uri = Array(target.utf8)
        let mark = uri.firstIndex(of: URIParts.questionMark) ?? uri.count
        let path = Array(uri[..<mark])
        let query = mark < uri.count ? Array(uri[(mark + 1)...]) : []
        func scan(_ bytes: [UInt8]) -> RequestCache.ValueSummary {
            bytes.withUnsafeBytes { ValueScan(screen).summary(of: $0) }
        }
        var across = LiteralScreen.Hits()
        if mark < uri.count, let window = parts.window(around: mark, length: uri.count) {
            across = scan(Array(uri[window])).literals
        }
        let fromParts = URIParts.summary(uriLength: uri.count, path: scan(path), pathLength: path.count,
                                         query: scan(query), queryLength: query.count, across: across)
        return (scan(uri), fromParts)
    }

    static func expectSame(_ target: String, _ screen: LiteralScreen.Tables, _ parts: URIParts, _ label: String) {
        let (scanned, fromParts) = both(target, screen, parts)
        #expect(fromParts?.bytes == scanned.bytes, "bytes of '\(target)' (\(label))")
        #expect(fromParts?.literals == scanned.literals, "hits of '\(target)' (\(label))")
    }

    @Test(arguments: targets)
    func summaryFromPartsIsTheScannedOne(_ target: String) throws {
        let screen = LiteralScreen(Self.literalSets)
        let parts = try #require(URIParts(targets: [.init(kind: .uri), .init(kind: .path), .init(kind: .query)],
                                          rawChains: [0, 1, 2], screenLiterals: Self.literalSets))
        #expect(parts.reach == 7)
        withExtendedLifetime(screen) { Self.expectSame(target, screen.tables, parts, "literals holding ?") }
        // Without any literal holding `?`: no window.
        let plain = Self.literalSets.filter { !$0.contains { $0.contains(URIParts.questionMark) } }
        let plainParts = try #require(URIParts(targets: [.init(kind: .uri), .init(kind: .path), .init(kind: .query)],
                                               rawChains: [0, 1, 2], screenLiterals: plain))
        #expect(plainParts.reach == 0 && plainParts.window(around: 1, length: 3) == nil)
        let plainScreen = LiteralScreen(plain)
        withExtendedLifetime(plainScreen) { Self.expectSame(target, plainScreen.tables, plainParts, "no literal holds ?") }
    }

    /// With the default rules' own screen, as `make bench` runs them (loaded once).
    @Test func defaultRulesSummaryFromPartsIsTheScannedOne() throws {
        let set = try EmbeddedRules.load()
        let parts = try #require(set.plan.uriParts)
        let screen = try #require(set.plan.screen)
        withExtendedLifetime(screen) {
            for target in Self.targets { Self.expectSame(target, screen.tables, parts, "default rules") }
        }
    }

    /// Lengths that do not split the uri at its `?` give no summary (the inspector then scans).
    @Test func lengthsThatAreNotPartsGiveNone() {
        let none = RequestCache.ValueSummary()
        #expect(URIParts.summary(uriLength: 5, path: none, pathLength: 2, query: none, queryLength: 1,
                                 across: LiteralScreen.Hits()) == nil)
        #expect(URIParts.summary(uriLength: 4, path: none, pathLength: 2, query: none, queryLength: 1,
                                 across: LiteralScreen.Hits()) != nil)
    }

    /// A plan without one of the three targets keeps none.
    @Test func needsAllThreeTargets() {
        #expect(URIParts(targets: [.init(kind: .uri), .init(kind: .path)], rawChains: [0, 1], screenLiterals: []) == nil)
        #expect(URIParts(targets: [.init(kind: .uri), .init(kind: .path), .init(kind: .query, name: nil),
                                   .init(kind: .queryArgs)], rawChains: [0, 1, 2, 3], screenLiterals: []) != nil)
    }
}
